"""Who a forgotten person was, as far as others' records and the suppression list need.

Their identifiers are read once for the batch; in other people's free text the
whole identifiers are replaced (a first name alone is too common), and salted
digests of e-mail addresses and phone numbers enter the suppression list, so
that a re-import of the same person is flagged.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models

from rekisteri.core import clock
from rekisteri.policy.schema import ErasureAction, Policy
from rekisteri.register import models as m
from rekisteri.register.catalogue import (
    FREE_TEXT_FIELDS,
    model_categories,
    model_key,
    personal_data_models,
)
from rekisteri.retention.models import SuppressedIdentifier
from rekisteri.retention.scrub import Identifiers, scrub_person


def identifier_digest(kind: str, value: str) -> str:
    """A salted hash of an e-mail address or phone number, for the suppression list."""
    normal = value.strip().lower() if kind == "email" else value.strip()
    key = settings.REKISTERI_SUPPRESSION_SALT.encode()
    return hmac.new(key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def identifier_suppressed(kind: str, value: str) -> bool:
    """Whether a person with this identifier was forgotten (a re-import is flagged)."""
    return SuppressedIdentifier.objects.filter(
        kind=kind, digest=identifier_digest(kind, value)
    ).exists()


def identifiers_of(people: list[m.Person]) -> dict[int, Identifiers]:
    """Each person's identifiers, read with one query per table for the whole batch."""
    ids = [p.pk for p in people]
    emails: dict[int, list[str]] = {pid: [] for pid in ids}
    phones: dict[int, list[str]] = {pid: [] for pid in ids}
    organisations: dict[int, list[str]] = {pid: [] for pid in ids}
    addresses: dict[int, list[tuple[str, str]]] = {pid: [] for pid in ids}
    for pid, street, code in m.PostalAddress.objects.filter(person_id__in=ids).values_list(
        "person_id", "street_address", "postal_code"
    ):
        addresses[pid].append((street, code))
    for pid, address in m.EmailAddress.objects.filter(person_id__in=ids).values_list(
        "person_id", "address"
    ):
        emails[pid].append(address)
    for pid, number in m.PhoneNumber.objects.filter(person_id__in=ids).values_list(
        "person_id", "number"
    ):
        phones[pid].append(number)
    for pid, name in m.OrganisationRole.objects.filter(person_id__in=ids).values_list(
        "person_id", "organisation__name"
    ):
        organisations[pid].append(name)
    found = {}
    for person in people:
        names = tuple(n for n in (person.first_name, person.last_name) if n)
        found[person.pk] = Identifiers(
            names=names,
            full_names=(f"{person.first_name} {person.last_name}",) if len(names) == 2 else (),
            emails=tuple(emails[person.pk]),
            phones=tuple(phones[person.pk]),
            organisations=tuple(organisations[person.pk]),
            addresses=tuple(addresses[person.pk]),
        )
    return found


def scrub_elsewhere(who: Identifiers, person_id: int, policy: Policy) -> int:
    """Replace the person's identifiers in other people's free text; count the rows changed."""
    needles = [*who.emails, *who.phones, *who.full_names]
    if not needles:
        return 0
    # In others' records only the whole identifiers: a first name alone is too common.
    whole = Identifiers(emails=who.emails, phones=who.phones, full_names=who.full_names)
    changed = 0
    for model in personal_data_models():
        key = model_key(model)
        text_fields = [
            f.name for f in model._meta.concrete_fields if f"{key}.{f.name}" in FREE_TEXT_FIELDS
        ]
        held = any(
            policy.categories[c].erasure == ErasureAction.HOLD
            for c in model_categories(model, policy)
        )
        if not text_fields or held:
            # Accounting vouchers are not rewritten; the hold keeps them as they are.
            continue
        query = models.Q()
        for name in text_fields:
            for needle in needles:
                query |= models.Q(**{f"{name}__icontains": needle})
        rows = model._default_manager.filter(query).exclude(person_id=person_id)
        for row in rows.only("pk", *text_fields):
            before = {name: getattr(row, name) for name in text_fields}
            after = {name: scrub_person(v, whole) if v else v for name, v in before.items()}
            if after != before:
                model._default_manager.filter(pk=row.pk).update(**after)
                changed += 1
    return changed


def digests_of(who: Identifiers) -> list[tuple[str, str]]:
    return [("email", identifier_digest("email", e)) for e in who.emails] + [
        ("phone", identifier_digest("phone", p)) for p in who.phones
    ]


def identifiers_suppress(digests: list[tuple[str, str]]) -> int:
    today = clock.today()
    SuppressedIdentifier.objects.bulk_create(
        [SuppressedIdentifier(kind=k, digest=d, created_on=today) for k, d in digests],
        ignore_conflicts=True,
    )
    return len(digests)


def pseudonym_digest(pseudonym: uuid.UUID) -> str:
    """A salted hash of a person's random pseudonym: it names them in the ledger."""
    return identifier_digest("pseudonym", str(pseudonym))
