"""Temporary transfers to other registers with the person's consent (notice §8).

Such a recipient receives a person's data only while the person's consent for
it stands (the scope ``disclosure:<recipient>``), and only until the last day
given when the transfer was recorded. At that day, or when the consent is
withdrawn, the transfer ends by itself: the end is recorded per person, the
audit trail says so, and the recipient is told from a job, by the contact the
policy gives it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.audit.models import AuditEvent, DisclosedPerson, Disclosure, TransferEnd
from rekisteri.audit.services import audit_record_many
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM, Actor
from rekisteri.core.errors import InvalidInput, PolicyRefusal
from rekisteri.core.jobs import JobRun, job, job_enqueue
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register.disclosures import disclosure_record, recipient_address
from rekisteri.register.validation import clean_email

logger = logging.getLogger(__name__)

TRANSFER_SCOPE_PREFIX = "disclosure:"


def transfer_scope(recipient: str) -> str:
    return TRANSFER_SCOPE_PREFIX + recipient


def transfer_scope_require(scope: str) -> str:
    """The recipient a transfer scope names; it must receive data on consent alone."""
    recipient = scope.removeprefix(TRANSFER_SCOPE_PREFIX)
    found = policy_get().recipients.get(recipient)
    if found is None or found.legal_basis != LegalBasis.CONSENT:
        raise InvalidInput(
            f"scope: {recipient!r} is not a recipient the policy discloses to with consent",
            data={"field": "scope"},
        )
    return recipient


def _without_consent(person_ids: Sequence[int], scope: str) -> list[int]:
    latest: dict[int, str] = {}
    for person_id, action in (
        ConsentEvent.objects.filter(person_id__in=person_ids, scope=scope)
        .order_by("person_id", "occurred_at", "pk")
        .values_list("person_id", "action")
    ):
        latest[person_id] = action
    return [pid for pid in person_ids if latest.get(pid) != ConsentAction.GRANTED]


@transaction.atomic
def transfer_record(
    *,
    actor: Actor,
    recipient: str,
    categories: Sequence[str],
    person_ids: Sequence[int],
    ends_on: dt.date | None,
    disclosed_on: dt.date | None = None,
    reference: str = "",
    recipient_email: str = "",
) -> Disclosure:
    """Record a temporary transfer to a register that rests on consent; refuse it for anyone
    whose consent does not stand, and change nothing then."""
    scope = transfer_scope(recipient)
    transfer_scope_require(scope)
    people = sorted(set(person_ids))
    missing = _without_consent(people, scope)
    if missing:
        raise PolicyRefusal(
            f"{len(missing)} of the people have not consented to transfers to {recipient!r}",
            data={"person_ids": missing},
        )
    if ends_on is None:
        raise InvalidInput("ends_on: a transfer with consent is temporary; give its last day")
    if ends_on <= clock.today():
        raise InvalidInput("ends_on: the transfer's last day must be in the future")
    return disclosure_record(
        actor=actor,
        recipient=recipient,
        categories=categories,
        person_ids=people,
        disclosed_on=disclosed_on,
        reference=reference,
        ends_on=ends_on,
        recipient_email=clean_email(recipient_email, field="recipient_email")
        if recipient_email
        else "",
        consent_checked=True,
    )


def _end(actor: Actor, rows: list[DisclosedPerson], reason: TransferEnd) -> int:
    if not rows:
        return 0
    now = clock.now()
    by_disclosure: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_disclosure[row.disclosure_id].append(row.person_id)
    DisclosedPerson.objects.filter(pk__in=[r.pk for r in rows], ended_at__isnull=True).update(
        ended_at=now, end_reason=reason
    )
    for disclosure_id, people in by_disclosure.items():
        audit_record_many(
            actor=actor,
            event=AuditEvent.DISCLOSURE,
            person_ids=people,
            data={"disclosure": disclosure_id, "ended": str(reason)},
        )
        job_enqueue("consent.transfer_tell", disclosure_id=disclosure_id)
    return len(rows)


def _open() -> QuerySet[DisclosedPerson]:
    return DisclosedPerson.objects.select_for_update().filter(
        ended_at__isnull=True, disclosure__ends_on__isnull=False
    )


@transaction.atomic
def transfers_end_for_withdrawal(*, actor: Actor, person_id: int, scope: str) -> int:
    """End the person's transfers to the recipient whose consent they withdrew."""
    recipient = transfer_scope_require(scope)
    rows = list(_open().filter(person_id=person_id, disclosure__recipient=recipient))
    return _end(actor, rows, TransferEnd.WITHDRAWN)


@transaction.atomic
def transfers_end_due(*, today: dt.date | None = None) -> int:
    """End every transfer whose last day has passed."""
    day = today or clock.today()
    rows = list(_open().filter(disclosure__ends_on__lt=day))
    return _end(SYSTEM, rows, TransferEnd.EXPIRED)


@job("consent.transfers_end", daily=True)
def _transfers_end_job(run: JobRun) -> None:
    run.save(ended=transfers_end_due())


@job("consent.transfer_tell")
def _transfer_tell_job(run: JobRun) -> None:
    """Tell the recipient whose people's transfer ended: they must stop using the data."""
    disclosure = Disclosure.objects.get(pk=run.arguments["disclosure_id"])
    untold = DisclosedPerson.objects.filter(
        disclosure=disclosure, ended_at__isnull=False, recipient_told_at__isnull=True
    )
    people = sorted(untold.values_list("person_id", flat=True))
    if not people:
        return
    policy = policy_get()
    recipient = policy.recipients.get(disclosure.recipient)
    address = recipient_address(disclosure)
    if recipient is None or not address:
        # The DPO tells them by other means; `rekisteri check` counts the untold.
        logger.warning("transfer %s ended; its recipient has no contact", disclosure.pk)
        return
    # The controller's own language: the recipient is a company of its country.
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        text = render_to_string(
            "consent/email/transfer_ended.txt",
            {
                "controller": policy.controller,
                "recipient": recipient.name(language),
                "disclosure": disclosure,
                "people": people,
            },
        )
    subject, _, body = text.strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [address])
    untold.filter(person_id__in=people).update(recipient_told_at=clock.now())
    run.save(told=len(people))


def transfers_untold() -> int:
    """Ended transfers whose recipient has not been told yet."""
    return DisclosedPerson.objects.filter(
        ended_at__isnull=False, recipient_told_at__isnull=True
    ).count()
