"""The registry of fulfilment steps: one per kind of right, looked up when a request is answered.

Each module of this package registers the step that does what its right asks
(``@fulfils(RightKind.X)``); ``request_fulfil`` looks the request's kind up
here, so a new right touches one module. A right with no step, or with two, is
refused when the app starts (``steps_check``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from rekisteri.core.actors import Actor
from rekisteri.rights.models import RightKind, SubjectRequest


@dataclass(frozen=True)
class Answer:
    """What a step did, for the request's result and for what follows it."""

    # Stored in the request's result; ``recipients_to_tell`` also has them told (Art. 19).
    result: dict[str, Any] = field(default_factory=dict)
    # A job completes the answer later (a package being built); the request stays open.
    completed_later: bool = False
    # The person is gone: their other open requests are answered by this one.
    person_erased: bool = False


FulfilStep = Callable[[SubjectRequest, Actor], Answer]

_STEPS: dict[RightKind, FulfilStep] = {}


def fulfils(*kinds: RightKind) -> Callable[[FulfilStep], FulfilStep]:
    """Register the decorated function as the step that answers these rights."""

    def register(step: FulfilStep) -> FulfilStep:
        for kind in kinds:
            if kind in _STEPS:
                raise ImproperlyConfigured(
                    f"the right {kind.value} has two fulfilment steps: "
                    f"{_STEPS[kind].__qualname__} and {step.__qualname__}"
                )
            _STEPS[kind] = step
        return step

    return register


def step_for(kind: RightKind) -> FulfilStep:
    """The step that answers this right."""
    try:
        return _STEPS[kind]
    except KeyError:
        raise ImproperlyConfigured(
            f"no fulfilment step is registered for the right {kind.value}"
        ) from None


def steps_missing() -> list[RightKind]:
    """The rights no step answers; empty when the registry is whole."""
    return [kind for kind in RightKind if kind not in _STEPS]


def steps_check() -> None:
    """Refuse to start with a right that no step answers."""
    missing = steps_missing()
    if missing:
        raise ImproperlyConfigured(
            "no fulfilment step is registered for the rights "
            + ", ".join(kind.value for kind in missing)
        )
