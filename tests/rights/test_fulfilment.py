"""Each right is answered by the one step registered for its kind."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from rekisteri.core.actors import Actor
from rekisteri.rights.fulfilment import Answer, fulfils, registry, step_for, steps_check
from rekisteri.rights.models import RightKind, SubjectRequest


def test_every_right_has_a_registered_fulfilment_step() -> None:
    for kind in RightKind:
        assert callable(step_for(kind)), kind
    steps_check()


def test_a_right_without_a_step_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = dict(registry._STEPS)
    del missing[RightKind.PORTABILITY]
    monkeypatch.setattr(registry, "_STEPS", missing)

    with pytest.raises(ImproperlyConfigured, match="portability"):
        steps_check()
    with pytest.raises(ImproperlyConfigured, match="portability"):
        step_for(RightKind.PORTABILITY)


def test_a_right_is_answered_by_one_step_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_STEPS", dict(registry._STEPS))

    def another(request: SubjectRequest, actor: Actor) -> Answer:
        return Answer()

    with pytest.raises(ImproperlyConfigured, match="erasure has two fulfilment steps"):
        fulfils(RightKind.ERASURE)(another)
