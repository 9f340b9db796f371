"""Art. 19: after a rectification, erasure or restriction every recipient of the data is told."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_record
from rekisteri.consent.transfers import transfer_record, transfer_scope
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.rights import services as rs
from rekisteri.rights.models import ExportFile, RecipientNotice, RightKind, VerificationMethod
from rekisteri.rights.recipients import recipient_notices_unsent
from tests import policy_keys as keys
from tests.conftest import SmtpInbox
from tests.rights.conftest import DPO, Subject

REGISTER_EMAIL = "tietosuoja@kumppani.example"
NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def transferred(aino: Subject) -> Subject:
    """Aino's data went to a register she consented to, besides the disclosures she has."""
    [recipient] = [
        k for k, r in policy_get().recipients.items() if r.legal_basis == LegalBasis.CONSENT
    ]
    with time_machine.travel(NOW, tick=False):
        consent_record(
            actor=SYSTEM,
            person_id=aino.pk,
            scope=transfer_scope(recipient),
            action=ConsentAction.GRANTED,
            channel="form",
            text="Suostun luovutukseen kumppanin rekisteriin.",
        )
        transfer_record(
            actor=SYSTEM,
            recipient=recipient,
            categories=[next(iter(policy_get().categories))],
            person_ids=[aino.pk],
            ends_on=dt.date(2026, 12, 31),
            reference="kumppani 7/2026",
            recipient_email=REGISTER_EMAIL,
        )
    return aino


def _answered(aino: Subject, kind: str, **extra: Any) -> None:
    request = rs.request_create(
        actor=DPO, person_id=aino.pk, kind=kind, channel="letter", received_at=NOW, **extra
    )
    rs.request_verify(
        actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK, note="known"
    )
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    jobs_run_queued()


@time_machine.travel(NOW, tick=False)
def test_a_rectification_is_told_to_every_recipient_and_each_notice_is_kept(
    transferred: Subject, smtp: SmtpInbox
) -> None:
    _answered(transferred, "rectification", details={"phone": "+358 40 765 4321"})

    notices = RecipientNotice.objects.filter(request__person_id=transferred.pk)
    assert notices.count() == 2  # the processor of the fixture, and the consented register
    [told] = smtp.to(REGISTER_EMAIL)
    body = smtp.body(told)
    assert keys.words(RightKind.RECTIFICATION.label) in body
    assert "kumppani 7/2026" in body
    assert "+358" not in body  # ids and references only, never the data
    assert notices.filter(sent_at__isnull=False).count() == 1
    # The processor has no contact in the policy: the DPO's check says one is untold.
    assert recipient_notices_unsent() == 1


@time_machine.travel(NOW, tick=False)
def test_the_person_learns_who_was_told_from_the_access_answer(
    transferred: Subject, smtp: SmtpInbox
) -> None:
    _answered(transferred, "restriction")
    access = rs.request_create(
        actor=DPO, person_id=transferred.pk, kind="access", channel="letter", received_at=NOW
    )
    rs.request_verify(
        actor=DPO, request_id=access.pk, method=VerificationMethod.STAFF_CHECK, note="known"
    )
    rs.request_fulfil(actor=DPO, request_id=access.pk)
    jobs_run_queued()

    content = ExportFile.objects.get(package__request=access, name="access.json").content
    told = json.loads(bytes(content))["information"]["recipients_told"]
    assert sorted(t["sent_at"] is not None for t in told) == [False, True]
    assert {t["about"] for t in told} == {keys.words(RightKind.RESTRICTION.label)}
