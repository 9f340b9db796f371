"""The compliance self-check: the live data against the policy's promises.

Each check counts what breaks one promise of the notice; a count above zero is
a finding. `rekisteri check` prints them and exits non-zero on any; the
console's compliance page shows the same beside what falls due next.

A check is declared by the app that owns its rule, in that app's ``checks.py``;
`registry.CHECKS` lists them in the order they are read.
"""

from __future__ import annotations

from rekisteri.compliance.registry import CHECKS, compliance_checks, rule_of
from rekisteri.core.selfcheck import Check, Checker

__all__ = ["CHECKS", "Check", "Checker", "compliance_checks", "rule_of"]
