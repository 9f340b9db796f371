"""The shape of one line of the compliance self-check.

Each app that owns a promise of the notice declares the checks of that promise
in its own ``checks.py``, beside the rule it checks; the compliance app lists
them in the order they are read. The type lives here, below every app, so that
an app can declare a check without importing the compliance app above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    key: str
    # English, marked with gettext_noop where it is declared; the console translates it.
    promise: str
    count: int
    # False for a note: the count is told, but it breaks no promise.
    finding: bool = True
    # What the promise names as %(rule)s (a retention rule, a field) and %(table)s.
    rule: str = ""
    table: str = ""

    @property
    def ok(self) -> bool:
        return self.count == 0 or not self.finding

    def text(self, translate: Callable[[str], str] = str) -> str:
        return translate(self.promise) % {"rule": self.rule, "table": self.table}


# A declared check: counts now, and returns its line (or one line per rule, field or table).
Checker = Callable[[], list[Check]]
