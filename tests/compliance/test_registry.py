"""Each check of the self-check lives beside its rule, and every declared check runs."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from rekisteri.compliance import CHECKS

SRC = Path(__file__).resolve().parents[2] / "src" / "rekisteri"


def _declared() -> set[str]:
    """Every public function of every app's checks module, by its dotted name."""
    found = set()
    for path in sorted(SRC.glob("*/checks.py")):
        module = importlib.import_module(f"rekisteri.{path.parent.name}.checks")
        found |= {
            f"{module.__name__}.{name}"
            for name, function in inspect.getmembers(module, inspect.isfunction)
            if function.__module__ == module.__name__ and not name.startswith("_")
        }
    return found


def test_every_check_is_declared_in_the_checks_module_of_an_app() -> None:
    listed = {f"{checker.__module__}.{checker.__name__}" for checker in CHECKS}

    assert listed <= _declared()


def test_every_declared_check_is_listed_and_so_runs() -> None:
    listed = {f"{checker.__module__}.{checker.__name__}" for checker in CHECKS}

    assert _declared() - listed == set()
    assert len(CHECKS) == len(listed)
