"""How each right is answered: one module per kind, each registering its step.

Importing this package imports every step module, so the registry is whole.
"""

from rekisteri.rights.fulfilment import (  # noqa: F401  (each registers its step)
    access,
    deletion,
    erasure,
    objection,
    rectification,
    restriction,
)
from rekisteri.rights.fulfilment.registry import (
    Answer,
    FulfilStep,
    fulfils,
    step_for,
    steps_check,
    steps_missing,
)

__all__ = ["Answer", "FulfilStep", "fulfils", "step_for", "steps_check", "steps_missing"]
