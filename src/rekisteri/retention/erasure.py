"""The erasure engine: forget a person, driven by the policy's categories.

For each table of personal data the policy's category says what erasure does:
``delete`` the rows, ``anonymise`` them (content kept without any link to the
person, identifiers scrubbed), or ``hold`` them for a law's period, minimised
to the fields the law needs. The engine never lists tables by hand: a table the
policy declares is erased by the same rule (DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import NotFound
from rekisteri.policy.schema import AnonymiseMode, Category, ErasureAction, Policy
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.catalogue import (
    PROVENANCE_FIELDS,
    model_categories,
    model_key,
    personal_data_models,
)
from rekisteri.retention.models import AnonymousContent, SuppressedIdentifier
from rekisteri.retention.scrub import Identifiers, scrub, scrub_person


@dataclass
class ErasureCertificate:
    """What was erased and what was kept, and why; counts and rules, no personal data."""

    person_id: int
    erased_at: str
    erased: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    kept: list[dict[str, Any]] = field(default_factory=list)
    scrubbed_elsewhere: int = 0
    suppressed_identifiers: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "erased_at": self.erased_at,
            "erased": dict(sorted(self.erased.items())),
            "anonymised": dict(sorted(self.anonymised.items())),
            "kept": self.kept,
            "scrubbed_elsewhere": self.scrubbed_elsewhere,
            "suppressed_identifiers": self.suppressed_identifiers,
        }


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


def _identifiers(person: m.Person) -> Identifiers:
    pid = person.pk
    organisations = tuple(
        m.Organisation.objects.filter(
            pk__in=m.OrganisationRole.objects.filter(person_id=pid).values("organisation_id")
        ).values_list("name", flat=True)
    )
    names = tuple(n for n in (person.first_name, person.last_name) if n)
    return Identifiers(
        names=names,
        full_names=(f"{person.first_name} {person.last_name}",) if len(names) == 2 else (),
        emails=tuple(
            m.EmailAddress.objects.filter(person_id=pid).values_list("address", flat=True)
        ),
        phones=tuple(m.PhoneNumber.objects.filter(person_id=pid).values_list("number", flat=True)),
        organisations=organisations,
    )


def _category_fields(model: type[models.Model], category: Category) -> list[str]:
    key = model_key(model)
    return [f.split(".", 1)[1] for f in category.fields if f.startswith(f"{key}.")]


def _date_field(model: type[models.Model]) -> str | None:
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField) and f.name not in PROVENANCE_FIELDS:
            return f.name
    return None


def _month(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.astimezone(clock.HELSINKI).date()
    return value.replace(day=1) if isinstance(value, dt.date) else None


@dataclass(frozen=True)
class ErasureJob:
    model: type[models.Model]
    category_key: str
    category: Category
    rows: models.QuerySet[Any]
    who: Identifiers
    policy: Policy
    certificate: ErasureCertificate


ErasureStrategy = Callable[[ErasureJob], None]
_STRATEGIES: dict[ErasureAction, ErasureStrategy] = {}


def strategy(action: ErasureAction) -> Callable[[ErasureStrategy], ErasureStrategy]:
    def register(function: ErasureStrategy) -> ErasureStrategy:
        _STRATEGIES[action] = function
        return function

    return register


def _delete(rows: models.QuerySet[Any]) -> int:
    # The rows of a person's table refer to nothing else that must go with them;
    # a raw delete also suits the composite keys of partitioned tables.
    return int(rows._raw_delete(rows.db))


@strategy(ErasureAction.DELETE)
def _erase_delete(job: ErasureJob) -> None:
    count = _delete(job.rows)
    if count:
        job.certificate.erased[job.category_key] = (
            job.certificate.erased.get(job.category_key, 0) + count
        )


@strategy(ErasureAction.ANONYMISE)
def _erase_anonymise(job: ErasureJob) -> None:
    """Keep the content with no link to the person (notice §6), then delete the rows."""
    names = _category_fields(job.model, job.category)
    date_field = _date_field(job.model)
    structured_only = job.category.anonymise == AnonymiseMode.STRUCTURED_ONLY
    kept = []
    for row in job.rows.values(*names):
        texts: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name in names:
            model_field = job.model._meta.get_field(name)
            value = row[name]
            if value in (None, "") or isinstance(model_field, models.DateField):
                continue
            if isinstance(model_field, models.TextField) or (
                isinstance(model_field, models.CharField) and (model_field.max_length or 0) > 100
            ):
                if not structured_only:
                    texts[name] = scrub(str(value), job.who)
            else:
                values[name] = value if isinstance(value, int) else scrub(str(value), job.who)
        kept.append(
            AnonymousContent(
                category=job.category_key,
                kind=model_key(job.model),
                month=_month(row[date_field]) if date_field and date_field in row else None,
                texts=texts,
                values=values,
                created_on=clock.today(),
            )
        )
    AnonymousContent.objects.bulk_create(kept)
    _delete(job.rows)
    if kept:
        job.certificate.anonymised[job.category_key] = job.certificate.anonymised.get(
            job.category_key, 0
        ) + len(kept)


@strategy(ErasureAction.HOLD)
def _erase_hold(job: ErasureJob) -> None:
    """Keep what the law's hold needs, blank the rest; rows the hold does not need go."""
    key = model_key(job.model)
    keep = {f.split(".", 1)[1] for f in job.category.keep_fields if f.startswith(f"{key}.")}
    if not keep:
        _erase_delete(job)
        return
    blank: dict[str, Any] = {}
    for name in _category_fields(job.model, job.category):
        if name in keep:
            continue
        model_field = job.model._meta.get_field(name)
        blank[name] = None if getattr(model_field, "null", False) else ""
    if blank:
        job.rows.update(**blank)
    count = job.rows.count()
    if not count:
        return
    rule = job.policy.retention[job.category.hold] if job.category.hold else None
    date_field = _date_field(job.model)
    latest = job.rows.aggregate(latest=models.Max(date_field))["latest"] if date_field else None
    until = None
    latest_month = _month(latest)
    if rule is not None and latest_month is not None:
        # Accounting Act 2:10: from the end of the financial year (calendar year here).
        until = dt.date(latest_month.year + rule.total_months // 12, 12, 31).isoformat()
    job.certificate.kept.append(
        {
            "category": job.category_key,
            "table": key,
            "rows": count,
            "fields": sorted(keep),
            "hold": job.category.hold,
            "until": until,
        }
    )


def _scrub_elsewhere(who: Identifiers, person_id: int, policy: Policy) -> int:
    """Replace the person's identifiers in other people's free text; count the rows changed."""
    needles = [*who.emails, *who.phones, *who.full_names]
    if not needles:
        return 0
    # In others' records only the whole identifiers: a first name alone is too common.
    whole = Identifiers(emails=who.emails, phones=who.phones, full_names=who.full_names)
    changed = 0
    for model in personal_data_models():
        if model in (m.Person, m.Organisation):
            continue
        held = any(
            policy.categories[c].erasure == ErasureAction.HOLD
            for c in model_categories(model, policy)
        )
        if held:
            # Accounting vouchers are not rewritten; the hold keeps them as they are.
            continue
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if (
                isinstance(f, models.TextField)
                or (isinstance(f, models.CharField) and (f.max_length or 0) >= 200)
            )
            and not f.choices
        ]
        for name in text_fields:
            query = models.Q()
            for needle in needles:
                query |= models.Q(**{f"{name}__icontains": needle})
            rows = model._default_manager.filter(query).exclude(person_id=person_id)
            for row in rows.only("pk", name):
                before = getattr(row, name)
                after = scrub_person(before, whole)
                if after != before:
                    model._default_manager.filter(pk=row.pk).update(**{name: after})
                    changed += 1
    return changed


def _suppress(who: Identifiers) -> int:
    today = clock.today()
    digests = [("email", identifier_digest("email", e)) for e in who.emails] + [
        ("phone", identifier_digest("phone", p)) for p in who.phones
    ]
    SuppressedIdentifier.objects.bulk_create(
        [SuppressedIdentifier(kind=k, digest=d, created_on=today) for k, d in digests],
        ignore_conflicts=True,
    )
    return len(digests)


@transaction.atomic
def person_erase(*, actor: Actor, person_id: int, reason: str) -> ErasureCertificate:
    """Erase the person at once and for good, except what a legal hold keeps (Art. 17)."""
    policy = policy_get()
    person = m.Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None or person.erased_at is not None:
        raise NotFound(f"there is no person {person_id} to erase", data={"person_id": person_id})
    who = _identifiers(person)
    certificate = ErasureCertificate(person_id=person_id, erased_at=clock.now().isoformat())
    certificate.scrubbed_elsewhere = _scrub_elsewhere(who, person_id, policy)
    certificate.suppressed_identifiers = _suppress(who)
    represented = list(
        m.OrganisationRole.objects.filter(person_id=person_id).values_list(
            "organisation_id", flat=True
        )
    )
    for model in personal_data_models():
        if model in (m.Person, m.Organisation):
            continue
        categories = model_categories(model, policy) or ["provenance"]
        # A table's data fields belong to one category; that category's rule decides.
        category_key = categories[0]
        category = policy.categories[category_key]
        rows = model.objects.filter(person_id=person_id)  # type: ignore[attr-defined]
        _STRATEGIES[category.erasure](
            ErasureJob(model, category_key, category, rows, who, policy, certificate)
        )
    # An organisation only this person represented goes with them (its logo, video, site).
    lonely = m.Organisation.objects.filter(pk__in=represented).exclude(
        pk__in=m.OrganisationRole.objects.values("organisation_id")
    )
    gone = lonely.count()
    for organisation in lonely:
        if organisation.logo:
            organisation.logo.delete(save=False)
    lonely.delete()
    if gone:
        certificate.erased["self_provided"] = certificate.erased.get("self_provided", 0) + gone
    person_categories = model_categories(m.Person, policy)
    if certificate.kept:
        # A minimised husk links the held vouchers until their hold ends; nothing
        # else of the person remains, and the pseudonym no longer matches anything.
        m.Person.objects.filter(pk=person_id).update(
            first_name="",
            last_name="",
            personal_identity_code=None,
            birth_year=None,
            gender="",
            job_title="",
            pseudonym=uuid.uuid4(),
            restricted_since=clock.now(),
            erased_at=clock.now(),
        )
    else:
        m.Person.objects.filter(pk=person_id).delete()
    for key in person_categories:
        certificate.erased[key] = certificate.erased.get(key, 0) + 1
    audit_record(
        actor=actor,
        event=AuditEvent.PERSON_ERASED,
        person_id=person_id,
        categories=sorted(certificate.erased),
        data={
            "reason": reason,
            "kept": [k["table"] for k in certificate.kept],
            "scrubbed_elsewhere": certificate.scrubbed_elsewhere,
        },
    )
    return certificate
