"""The policy must agree with the code before the register runs on it."""

from __future__ import annotations

from pathlib import Path

from rekisteri.policy.loader import LoadedPolicy, LocatedProblem, PolicyCode, PolicyError
from rekisteri.register.catalogue import catalogue_gaps


def policy_require_consistent_with_code(loaded: LoadedPolicy) -> None:
    """Refuse a policy whose categories and the data model disagree (notice §5)."""
    gaps = catalogue_gaps(loaded.policy)
    if not gaps:
        return
    try:
        lines = Path(loaded.source).read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []

    def line_of(field: str) -> int | None:
        quoted = f'"{field}"'
        return next((n for n, text in enumerate(lines, start=1) if quoted in text), None)

    raise PolicyError(
        loaded.source,
        [
            LocatedProblem("categories", line_of(gap.field), f"{gap.field}: {gap.problem}")
            for gap in gaps
        ],
        PolicyCode.INVALID,
    )
