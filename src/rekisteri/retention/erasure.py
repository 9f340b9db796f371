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
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record_many
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import NotFound
from rekisteri.core.faults import fault_point
from rekisteri.core.identity import register_identity
from rekisteri.core.mail import mail_copies_forget
from rekisteri.policy.schema import (
    AnonymiseMode,
    Category,
    ErasureAction,
    Policy,
    RetentionEvent,
    RetentionRule,
)
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.catalogue import (
    FREE_TEXT_FIELDS,
    PROVENANCE_FIELDS,
    model_categories,
    model_key,
    personal_data_models,
)
from rekisteri.register.services import people_lock
from rekisteri.retention.ledger import COMMITTED, LedgerEntry, LedgerOutcome, ledger_append
from rekisteri.retention.models import AnonymousContent, ErasureMark, SuppressedIdentifier
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


def _identifiers_of(people: list[m.Person]) -> dict[int, Identifiers]:
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


def person_tables(policy: Policy) -> list[tuple[type[models.Model], str, Category]]:
    """Every table of a person's rows, with the category whose rule decides it.

    A table's data fields belong to one category; a table of keys and provenance
    only falls under the category that declares provenance (``*.source``).
    """
    provenance = policy.categories_of("*.source")
    found = []
    for model in personal_data_models():
        if model in (m.Person, m.Organisation):
            continue
        key = (model_categories(model, policy) or provenance)[0]
        found.append((model, key, policy.categories[key]))
    return found


def _category_fields(model: type[models.Model], category: Category) -> list[str]:
    key = model_key(model)
    return [f.split(".", 1)[1] for f in category.fields if f.startswith(f"{key}.")]


def date_field_of(model: type[models.Model]) -> str | None:
    for f in model._meta.concrete_fields:
        if isinstance(f, models.DateField) and f.name not in PROVENANCE_FIELDS:
            return f.name
    return None


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.zone()).date()
    return value if isinstance(value, dt.date) else None


def _month(value: Any) -> dt.date | None:
    day = _day(value)
    return day.replace(day=1) if day else None


def hold_until(rule: RetentionRule, latest: dt.date) -> dt.date:
    """The last day a legal hold keeps data whose latest date is ``latest``."""
    if rule.after == RetentionEvent.FINANCIAL_YEAR_END:
        # Accounting Act 2:10: from the end of the financial year (the calendar year here).
        return clock.add_months(dt.date(latest.year, 12, 31), rule.total_months)
    return clock.add_months(latest, rule.total_months)


@dataclass(frozen=True)
class ErasureJob:
    """One table's rows of a batch of people, and what the policy's category says of them."""

    model: type[models.Model]
    category_key: str
    category: Category
    rows: models.QuerySet[Any]
    # Keyed by every person of the batch.
    who: dict[int, Identifiers]
    policy: Policy
    certificates: dict[int, ErasureCertificate]

    def count(self, bucket: str, counts: dict[int, int]) -> None:
        for pid, n in counts.items():
            tally = getattr(self.certificates[pid], bucket)
            tally[self.category_key] = tally.get(self.category_key, 0) + n


ErasureStrategy = Callable[[ErasureJob], None]
_STRATEGIES: dict[ErasureAction, ErasureStrategy] = {}


def strategy(action: ErasureAction) -> Callable[[ErasureStrategy], ErasureStrategy]:
    def register(function: ErasureStrategy) -> ErasureStrategy:
        _STRATEGIES[action] = function
        return function

    return register


def rows_delete(rows: models.QuerySet[Any]) -> int:
    # The rows of a person's table refer to nothing else that must go with them;
    # a raw delete also suits the composite keys of partitioned tables.
    return int(rows._raw_delete(rows.db) or 0)


def _per_person(rows: models.QuerySet[Any], **extra: Any) -> list[dict[str, Any]]:
    return list(rows.values("person_id").annotate(n=models.Count("*"), **extra).order_by())


def _delete_counting(model: type[models.Model], person_ids: list[int]) -> dict[int, int]:
    """Delete the people's rows of ``model`` in one statement; count them per person."""
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(person_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            # The table is the model's own name; the ids are parameters.
            f'DELETE FROM {table} WHERE "person_id" IN ({marks}) RETURNING "person_id"',  # noqa: S608
            person_ids,
        )
        return dict(Counter(row[0] for row in cursor.fetchall()))


@strategy(ErasureAction.DELETE)
def _erase_delete(job: ErasureJob) -> None:
    # RETURNING counts what went in the same statement: one round trip per table.
    counts = _delete_counting(job.model, list(job.who))
    if counts:
        job.count("erased", counts)


@strategy(ErasureAction.ANONYMISE)
def _erase_anonymise(job: ErasureJob) -> None:
    """Keep the content with no link to the person (notice §6), then delete the rows."""
    names = _category_fields(job.model, job.category)
    date_field = date_field_of(job.model)
    structured_only = job.category.anonymise == AnonymiseMode.STRUCTURED_ONLY
    read = {"person_id", *names, *([date_field] if date_field else [])}
    kept = []
    counts: dict[int, int] = {}
    for row in job.rows.values(*read):
        who = job.who[row["person_id"]]
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
                    texts[name] = scrub(str(value), who)
            else:
                values[name] = value if isinstance(value, int) else scrub(str(value), who)
        kept.append(
            AnonymousContent(
                category=job.category_key,
                kind=model_key(job.model),
                month=_month(row[date_field]) if date_field else None,
                texts=texts,
                values=values,
                created_on=clock.today(),
            )
        )
        counts[row["person_id"]] = counts.get(row["person_id"], 0) + 1
    # Shuffled, so that the order of the kept rows says nothing of whose they were.
    random.shuffle(kept)
    AnonymousContent.objects.bulk_create(kept, batch_size=500)
    rows_delete(job.rows)
    job.count("anonymised", counts)


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
    rule = job.policy.retention[job.category.hold] if job.category.hold else None
    date_field = date_field_of(job.model)
    latest = {"latest": models.Max(date_field)} if date_field else {}
    for row in _per_person(job.rows, **latest):
        day = _day(row.get("latest"))
        until = hold_until(rule, day) if rule is not None and day is not None else None
        job.certificates[row["person_id"]].kept.append(
            {
                "category": job.category_key,
                "table": key,
                "rows": row["n"],
                "fields": sorted(keep),
                "hold": job.category.hold,
                "until": until.isoformat() if until else None,
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


def _digests(who: Identifiers) -> list[tuple[str, str]]:
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


@transaction.atomic
def people_erase(
    *,
    actor: Actor,
    person_ids: list[int],
    reason: str,
    forgotten: bool,
    record: bool = True,
) -> dict[int, ErasureCertificate]:
    """Erase a batch of people in one transaction, set-based: one statement per table.

    ``forgotten`` is the Art. 17 request: the person's identifiers are also
    replaced in others' free text and enter the suppression list. The retention
    sweep erases without either; a returning customer is welcome. ``record``
    writes the erasure ledger (off when the ledger itself is being replayed).
    People already erased or gone are skipped; the certificates say who was erased.
    """
    policy = policy_get()
    # The same lock, in the same order, as every write for a person: no write
    # for these people can commit after this erasure does.
    people = people_lock(person_ids)
    if not people:
        return {}
    ids = [p.pk for p in people]
    pseudonyms = {p.pk: pseudonym_digest(p.pseudonym) for p in people}
    who = _identifiers_of(people)
    now = clock.now()
    certificates = {
        pid: ErasureCertificate(person_id=pid, erased_at=now.isoformat()) for pid in ids
    }
    digests = {pid: _digests(who[pid]) for pid in ids}
    if forgotten:
        for pid in ids:
            certificates[pid].scrubbed_elsewhere = _scrub_elsewhere(who[pid], pid, policy)
            certificates[pid].suppressed_identifiers = identifiers_suppress(digests[pid])
    represented = set(
        m.OrganisationRole.objects.filter(person_id__in=ids).values_list(
            "organisation_id", flat=True
        )
    )
    for model, category_key, category in person_tables(policy):
        rows = model.objects.filter(person_id__in=ids)  # type: ignore[attr-defined]
        _STRATEGIES[category.erasure](
            ErasureJob(model, category_key, category, rows, who, policy, certificates)
        )
    _erase_lonely_organisations(represented, certificates)
    held = [pid for pid in ids if certificates[pid].kept]
    if held:
        # A minimised husk links the held vouchers until their hold ends; nothing
        # else of the person remains, and the pseudonym no longer matches anything.
        # One statement for the batch; each husk gets a fresh random pseudonym from
        # the database (a per-row bulk_update cost 2.4 s per 1,000 people).
        fresh = (
            "gen_random_uuid()"
            if connection.vendor == "postgresql"
            else "lower(hex(randomblob(16)))"
        )
        m.Person.objects.filter(pk__in=held).update(
            first_name="",
            last_name="",
            gender="",
            job_title="",
            personal_identity_code=None,
            birth_year=None,
            pseudonym=RawSQL(fresh, []),  # noqa: S611 - a constant expression
            restricted_since=now,
            erased_at=now,
        )
    rows_delete(m.Person.objects.filter(pk__in=[pid for pid in ids if pid not in set(held)]))
    for key in model_categories(m.Person, policy):
        for certificate in certificates.values():
            certificate.erased[key] = certificate.erased.get(key, 0) + 1
    audit_record_many(
        actor=actor,
        event=AuditEvent.PERSON_ERASED,
        person_ids=ids,
        categories=sorted({k for c in certificates.values() for k in c.erased}),
        data={"reason": reason},
    )
    # Outside production the mail files are a mailbox's stand-in: no copy of an
    # erased person's address stays there either.
    addresses = [a for pid in ids for a in who[pid].emails]
    transaction.on_commit(lambda: mail_copies_forget(addresses), robust=True)
    if record:
        _ledger_record(
            [
                LedgerEntry(
                    person_id=pid,
                    at=now.isoformat(),
                    reason=reason,
                    suppress=forgotten,
                    pseudonym=pseudonyms[pid],
                    identifiers=tuple(digests[pid]),
                )
                for pid in ids
            ]
        )
    return certificates


def _ledger_record(entries: list[LedgerEntry]) -> None:
    """Write the erasure's intent now, its outcome once it has committed (see ledger.py)."""
    erasure = uuid.uuid4()
    register = register_identity()
    # The database's witness of the commit: it commits with the erasure or not at all.
    ErasureMark.objects.create(id=erasure, at=clock.now())
    fault_point("erasure.before-intent")
    ledger_append(replace(e, erasure=str(erasure), register=register) for e in entries)
    fault_point("erasure.after-intent")

    def committed() -> None:
        fault_point("erasure.after-commit")
        ledger_append(
            [
                LedgerOutcome(
                    erasure=str(erasure),
                    register=register,
                    outcome=COMMITTED,
                    at=clock.now().isoformat(),
                    settled_by="commit",
                )
            ]
        )

    # Robust: the erasure stands even if the file cannot be written now; the
    # intent stays open and the reconciliation settles it from the mark.
    transaction.on_commit(committed, robust=True)


def _erase_lonely_organisations(
    represented: set[int], certificates: dict[int, ErasureCertificate]
) -> None:
    """An organisation no one represents any more goes with its last person (logo, site)."""
    # NOT EXISTS, an anti-join by index: NOT IN over every role scanned them per row.
    lonely = m.Organisation.objects.filter(pk__in=represented).exclude(
        models.Exists(m.OrganisationRole.objects.filter(organisation_id=models.OuterRef("pk")))
    )
    logos = [o.logo for o in lonely.only("pk", "logo") if o.logo]
    gone = rows_delete(lonely)
    if logos:
        # Files are not transactional: they go only once the rows are surely gone.
        transaction.on_commit(lambda: [logo.delete(save=False) for logo in logos])
    if gone and len(certificates) == 1:
        only = next(iter(certificates.values()))
        # Counted under the category that holds the organisations' data.
        for category in policy_get().categories_of("organisation.name"):
            only.erased[category] = only.erased.get(category, 0) + gone


def person_erase(*, actor: Actor, person_id: int, reason: str) -> ErasureCertificate:
    """Erase the person at once and for good, except what a legal hold keeps (Art. 17)."""
    certificates = people_erase(actor=actor, person_ids=[person_id], reason=reason, forgotten=True)
    if person_id not in certificates:
        raise NotFound(f"there is no person {person_id} to erase", data={"person_id": person_id})
    return certificates[person_id]
