"""Temporary transfers to other registers with the person's consent (notice §8)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils.translation import gettext_lazy as _

from rekisteri.audit.models import AuditEntry, AuditEvent, DisclosedPerson, Disclosure
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_record
from rekisteri.consent.transfers import transfer_record, transfer_scope, transfers_untold
from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import InvalidInput, PolicyRefusal
from rekisteri.core.jobs import jobs_daily_enqueue, jobs_run_queued
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register.disclosures import disclosure_record, disclosures_of
from rekisteri.register.services import PersonIn, person_register
from tests import policy_keys as keys
from tests.conftest import SmtpInbox

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REGISTER_EMAIL = "tietosuoja@vastaanottaja.example"


def consent_recipient() -> str:
    """The policy's recipient that receives data only with the person's consent."""
    [key] = [k for k, r in policy_get().recipients.items() if r.legal_basis == LegalBasis.CONSENT]
    return key


def a_category() -> str:
    return next(iter(policy_get().categories))


def person(first: str) -> int:
    return person_register(
        actor=SYSTEM,
        source=next(k for k, s in policy_get().sources.items() if s.kind == "subject"),
        person=PersonIn(first_name=first, last_name="Virtanen"),
    ).pk


def consent(person_id: int, action: ConsentAction) -> None:
    consent_record(
        actor=SYSTEM,
        person_id=person_id,
        scope=transfer_scope(consent_recipient()),
        action=action,
        channel="form",
        text="Suostun tietojeni väliaikaiseen luovutukseen." if action == "granted" else "",
    )


def transfer(people: list[int], **extra: Any) -> Disclosure:
    return transfer_record(
        actor=SYSTEM,
        recipient=consent_recipient(),
        categories=[a_category()],
        person_ids=people,
        ends_on=extra.pop("ends_on", dt.date(2026, 6, 30)),
        reference="kumppanikampanja 2026",
        recipient_email=REGISTER_EMAIL,
        **extra,
    )


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_transfer_needs_the_consent_of_every_person_and_changes_nothing_without_it() -> None:
    aino, bertta = person("Aino"), person("Bertta")
    consent(aino, ConsentAction.GRANTED)

    with pytest.raises(PolicyRefusal) as refused:
        transfer([aino, bertta])

    assert refused.value.data == {"person_ids": [bertta]}
    assert not Disclosure.objects.exists()


def test_a_transfer_with_consent_has_an_end_date_the_person_can_see() -> None:
    aino = person("Aino")
    consent(aino, ConsentAction.GRANTED)

    transfer([aino])

    [seen] = disclosures_of(person_id=aino)
    assert seen.ends_on == dt.date(2026, 6, 30)
    out = io.StringIO()
    call_command("disclosure", "list", "--person", str(aino), stdout=out)
    assert "until 2026-06-30" in out.getvalue()


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (None, "ends_on: a transfer with consent is temporary"),
        (dt.date(2026, 3, 1), "ends_on: the transfer's last day must be in the future"),
    ],
)
def test_a_transfer_without_a_future_end_is_refused(ends_on: dt.date | None, message: str) -> None:
    aino = person("Aino")
    consent(aino, ConsentAction.GRANTED)

    with pytest.raises(InvalidInput, match=message):
        transfer([aino], ends_on=ends_on)
    assert not Disclosure.objects.exists()


def test_the_consent_check_cannot_be_walked_around() -> None:
    aino = person("Aino")

    with pytest.raises(PolicyRefusal, match="only with each person's consent"):
        disclosure_record(
            actor=SYSTEM,
            recipient=consent_recipient(),
            categories=[a_category()],
            person_ids=[aino],
            ends_on=dt.date(2026, 6, 30),
        )
    assert not Disclosure.objects.exists()


def test_withdrawing_consent_ends_the_transfer_and_tells_the_recipient(smtp: SmtpInbox) -> None:
    aino, bertta = person("Aino"), person("Bertta")
    consent(aino, ConsentAction.GRANTED)
    consent(bertta, ConsentAction.GRANTED)
    disclosure = transfer([aino, bertta])

    consent(aino, ConsentAction.WITHDRAWN)
    jobs_run_queued()

    ended = DisclosedPerson.objects.get(disclosure=disclosure, person_id=aino)
    assert (ended.end_reason, ended.recipient_told_at is not None) == ("withdrawn", True)
    assert DisclosedPerson.objects.get(disclosure=disclosure, person_id=bertta).ended_at is None
    assert AuditEntry.objects.filter(
        event=AuditEvent.DISCLOSURE, person_id=aino, data__ended="withdrawn"
    ).exists()
    [told] = smtp.to(REGISTER_EMAIL)
    body = smtp.body(told)
    ended_text = _(
        "The transfer has now ended for the people listed below: their consent was "
        "withdrawn or the agreed period ran out. Stop processing their data and "
        "delete it."
    )
    assert keys.words(ended_text) in body
    assert "kumppanikampanja 2026" in body
    assert str(aino) in body
    assert str(bertta) not in body.split(keys.words(_("People (the register's ids)")))[1]
    assert transfers_untold() == 0


def test_a_transfer_ends_by_itself_after_its_last_day(smtp: SmtpInbox, frozen: Any) -> None:
    aino = person("Aino")
    consent(aino, ConsentAction.GRANTED)
    disclosure = transfer([aino])

    frozen.move_to(dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC))
    jobs_daily_enqueue()
    jobs_run_queued()
    assert DisclosedPerson.objects.get(disclosure=disclosure).ended_at is None

    frozen.move_to(dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC))
    jobs_daily_enqueue()
    jobs_run_queued()

    ended = DisclosedPerson.objects.get(disclosure=disclosure)
    assert ended.end_reason == "expired"
    assert len(smtp.to(REGISTER_EMAIL)) == 1
