"""Every change of a request's state is a move of the one table; a refused move changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from rekisteri.audit.models import AuditEntry
from rekisteri.core.errors import Conflict
from rekisteri.register.models import Person
from rekisteri.rights import services as rs
from rekisteri.rights.error_codes import RightsCode
from rekisteri.rights.models import RequestState, SubjectRequest, VerificationMethod
from rekisteri.rights.transitions import TRANSITIONS, Move
from tests.rights.conftest import DPO, SUBJECT_EMAIL, Subject

TODAY = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)


def _verified(aino: Subject, kind: str) -> SubjectRequest:
    request = rs.request_create(actor=DPO, person_id=aino.pk, kind=kind, channel="letter")
    return rs.request_verify(
        actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK, note="known caller"
    )


def _as_stored(request: SubjectRequest) -> dict[str, Any]:
    stored = SubjectRequest.objects.filter(pk=request.pk).values().get()
    return dict(stored)


def test_the_table_names_every_move_and_a_closed_request_only_has_its_restriction_lifted() -> None:
    assert set(TRANSITIONS) == set(Move)
    closed = {RequestState.FULFILLED, RequestState.REJECTED}
    moves_from_closed = {move for move, starts in TRANSITIONS.items() if set(starts) & closed}

    assert moves_from_closed == {Move.LIFT}


@time_machine.travel(TODAY, tick=False)
def test_an_answered_request_is_not_extended_and_nothing_changes(aino: Subject, smtp: Any) -> None:
    # Given an answered restriction request
    request = _verified(aino, "restriction")
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    before = _as_stored(request)
    entries = AuditEntry.objects.count()
    mails = len(smtp.to(SUBJECT_EMAIL))

    # When the handler tries to extend its deadline
    with pytest.raises(Conflict, match="no longer open") as refused:
        rs.request_extend(actor=DPO, request_id=request.pk, months=1, reason="more time")

    # Then it is refused by its state: the request, the log and the person's mail are untouched
    assert refused.value.code == RightsCode.INVALID_STATE
    assert _as_stored(request) == before
    assert AuditEntry.objects.count() == entries
    assert len(smtp.to(SUBJECT_EMAIL)) == mails


@time_machine.travel(TODAY, tick=False)
def test_an_open_restriction_request_is_not_lifted_and_nothing_changes(aino: Subject) -> None:
    # Given a restriction request still waiting for its answer, and a pending objection
    _verified(aino, "objection")
    request = rs.request_create(actor=DPO, person_id=aino.pk, kind="restriction", channel="letter")
    before = _as_stored(request)
    entries = AuditEntry.objects.count()

    # When the handler tries to lift it
    with pytest.raises(Conflict, match="only an answered restriction request is lifted"):
        rs.restriction_lift(actor=DPO, request_id=request.pk)

    # Then nothing moved: the request, the log, and the person's restriction stand
    assert _as_stored(request) == before
    assert AuditEntry.objects.count() == entries
    assert Person.objects.get(pk=aino.pk).restricted_since is not None


@time_machine.travel(TODAY, tick=False)
def test_only_a_restriction_is_lifted(aino: Subject) -> None:
    request = _verified(aino, "deletion")
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    before = _as_stored(request)

    with pytest.raises(Conflict, match="only an answered restriction request is lifted"):
        rs.restriction_lift(actor=DPO, request_id=request.pk)

    assert _as_stored(request) == before


@time_machine.travel(TODAY, tick=False)
def test_a_refused_request_is_not_refused_again_nor_answered(aino: Subject) -> None:
    request = rs.request_create(actor=DPO, person_id=aino.pk, kind="access", channel="letter")
    rs.request_reject(actor=DPO, request_id=request.pk, reason="not the person")
    before = _as_stored(request)
    entries = AuditEntry.objects.count()

    with pytest.raises(Conflict, match="cannot become rejected"):
        rs.request_reject(actor=DPO, request_id=request.pk, reason="again")
    with pytest.raises(Conflict, match="has been answered"):
        rs.request_fulfil(actor=DPO, request_id=request.pk)

    assert _as_stored(request) == before
    assert AuditEntry.objects.count() == entries


@time_machine.travel(TODAY, tick=False)
def test_extending_and_lifting_are_moves_of_the_table_with_their_audit_entries(
    aino: Subject,
) -> None:
    extended = rs.request_create(actor=DPO, person_id=aino.pk, kind="access", channel="letter")
    rs.request_extend(actor=DPO, request_id=extended.pk, months=1, reason="many records")
    restriction = _verified(aino, "restriction")
    rs.request_fulfil(actor=DPO, request_id=restriction.pk)
    lifted = rs.restriction_lift(actor=DPO, request_id=restriction.pk)

    [extension] = AuditEntry.objects.filter(
        data__request=extended.pk, data__extended_to__isnull=False
    )
    [lift] = AuditEntry.objects.filter(data__request=restriction.pk, data__restriction_lifted=True)
    assert extension.data["state"] == RequestState.RECEIVED
    assert lift.data["state"] == RequestState.FULFILLED
    assert lifted.result["lifted_at"] == TODAY.isoformat()
    extended.refresh_from_db()
    assert extended.extended_at == TODAY
