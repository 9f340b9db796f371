"""Recording what was given to whom (notice §8), as the policy allows it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F

from rekisteri.audit.models import AuditEvent, DisclosedPerson, Disclosure
from rekisteri.audit.services import audit_record_many
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.countries import EEA
from rekisteri.core.errors import InvalidInput, NotFound, PolicyRefusal
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import Person
from rekisteri.register.validation import clean_note


@transaction.atomic
def disclosure_record(
    *,
    actor: Actor,
    recipient: str,
    categories: Sequence[str],
    person_ids: Sequence[int],
    disclosed_on: dt.date | None = None,
    country: str = "",
    safeguard: str = "",
    reference: str = "",
    ends_on: dt.date | None = None,
    recipient_email: str = "",
    consent_checked: bool = False,
) -> Disclosure:
    """Record a disclosure the policy allows; refuse one it does not.

    A disclosure to a recipient that rests on the person's consent is a
    temporary transfer (notice §8): it has an end, and the consent app checks
    each person's consent before it calls this (``consent_checked``).
    """
    policy = policy_get()
    if recipient not in policy.recipients:
        raise PolicyRefusal(
            f"recipient: {recipient!r} is not a recipient of the policy "
            f"({', '.join(policy.recipients)}); the notice promises no other disclosures"
        )
    on_consent = policy.recipients[recipient].legal_basis == LegalBasis.CONSENT
    if on_consent and not consent_checked:
        raise PolicyRefusal(
            f"recipient {recipient!r} receives data only with each person's consent: "
            "record the transfer through the consent check"
        )
    if on_consent and ends_on is None:
        raise InvalidInput("ends_on: a transfer with consent is temporary; give its last day")
    if not on_consent and ends_on is not None:
        raise InvalidInput("ends_on: only a transfer with consent has an end")
    unknown = sorted(set(categories) - set(policy.categories))
    if unknown or not categories:
        raise InvalidInput(f"categories: give the policy's categories (unknown: {unknown})")
    allowed = policy.recipients[recipient].categories
    if allowed and set(categories) - set(allowed):
        raise PolicyRefusal(
            f"recipient {recipient!r} may receive only {', '.join(allowed)} under the policy"
        )
    people = sorted(set(person_ids))
    if not people:
        raise InvalidInput("persons: give at least one person id")
    found = set(Person.objects.filter(pk__in=people).values_list("pk", flat=True))
    missing = [pid for pid in people if pid not in found]
    if missing:
        raise NotFound(f"there are no persons {missing}", data={"person_ids": missing})
    country = country.strip().upper()
    if country and country not in EEA:
        safeguards = {
            str(s)
            for transfer in policy.transfers.values()
            if not transfer.recipients or recipient in transfer.recipients
            for s in transfer.safeguards
        }
        if safeguard not in safeguards:
            raise PolicyRefusal(
                f"a transfer to {country} needs one of the policy's safeguards "
                f"for this recipient: {', '.join(sorted(safeguards)) or 'none declared'}"
            )
    elif safeguard:
        raise InvalidInput("safeguard: only a transfer outside the EU/EEA names one")
    when = disclosed_on or clock.today()
    if when > clock.today():
        raise InvalidInput("disclosed_on: a disclosure is recorded after it happened")
    if ends_on is not None and ends_on < when:
        raise InvalidInput("ends_on: a transfer cannot end before it starts")
    disclosure = Disclosure.objects.create(
        recipient=recipient,
        legal_basis=str(policy.recipients[recipient].legal_basis),
        categories=sorted(set(categories)),
        disclosed_on=when,
        country=country,
        safeguard=safeguard,
        reference=clean_note(reference, field="reference", max_length=200) if reference else "",
        recorded_at=clock.now(),
        recorded_by=actor.id,
        ends_on=ends_on,
        recipient_email=recipient_email,
    )
    DisclosedPerson.objects.bulk_create(
        [DisclosedPerson(disclosure=disclosure, person_id=pid) for pid in people]
    )
    audit_record_many(
        actor=actor,
        event=AuditEvent.DISCLOSURE,
        person_ids=people,
        categories=disclosure.categories,
        data={"disclosure": disclosure.pk, "recipient": recipient},
    )
    return disclosure


def disclosures_of(*, person_id: int) -> list[Disclosure]:
    """Every disclosure of the person's data, newest first: the actual recipients.

    Each carries ``ended_at`` and ``end_reason``: when a temporary transfer
    ended for this person, and why.
    """
    return list(
        Disclosure.objects.filter(people__person_id=person_id)
        .annotate(ended_at=F("people__ended_at"), end_reason=F("people__end_reason"))
        .order_by("-disclosed_on", "-id")
    )


def recipient_address(disclosure: Disclosure) -> str:
    """Where the recipient of a disclosure is told of what follows it (an end, Art. 19):
    the address the disclosure named, else the recipient's contact in the policy."""
    if disclosure.recipient_email:
        return disclosure.recipient_email
    recipient = policy_get().recipients.get(disclosure.recipient)
    return str(recipient.contact.email) if recipient and recipient.contact else ""
