"""Storing the demo register: one transaction per batch, set-based.

People and organisations go in with ``bulk_create`` (their ids come back from
the INSERT), the rest with the bulk path the import uses (``insert_rows``: COPY
on PostgreSQL). Before anything is stored, what the plan will write passes the
services' own rules once: each table's sources are ones the policy lists for
every category the table writes, each consent scope one the consent ledger
accepts, and the consent texts are kept by the consent service. On a two-core
machine PostgreSQL takes about 500 people (23,000 rows) a second, so a million
people (the benchmarks' size) take about half an hour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.consent.services import consent_text_store, scope_require
from rekisteri.core import clock
from rekisteri.core.bulk import insert_rows
from rekisteri.core.errors import InvalidInput
from rekisteri.demo.plan import DemoBatch, demo_plan
from rekisteri.demo.rules import MODEL_NAMES, PLANNED_FIELDS, DemoRules, demo_rules, table_key
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import (
    BillingAccount,
    ConsentedDatum,
    ContactEvent,
    Customership,
    Delivery,
    EmailAddress,
    EmailChange,
    Feedback,
    IdentityVerification,
    Invoice,
    Organisation,
    OrganisationRole,
    Payment,
    PaymentCard,
    Person,
    PhoneNumber,
    PostalAddress,
    Rectification,
    ServiceAccount,
    ServiceCase,
    ServiceSubscription,
    UsageEvent,
    UserContent,
    WebVisit,
)
from rekisteri.register.services import source_require

# The password every demo account has. Argon2 takes tens of milliseconds by
# design, so hashing per account would cost hours at a million people: the demo
# hashes this once per run and every account shares the hash.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - a published demo password

# Rows per INSERT: large enough to amortise the round trip, small enough to
# keep each statement's parameters well under PostgreSQL's limit.
_INSERT_ROWS = 4000


@dataclass(frozen=True)
class DemoStats:
    """How many rows the demo stored, by model name (``MODEL_NAMES``)."""

    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def people(self) -> int:
        return self.counts.get("Person", 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _models() -> dict[str, type[models.Model]]:
    return {
        "EmailAddress": EmailAddress,
        "EmailChange": EmailChange,
        "PhoneNumber": PhoneNumber,
        "PostalAddress": PostalAddress,
        "OrganisationRole": OrganisationRole,
        "ServiceAccount": ServiceAccount,
        "IdentityVerification": IdentityVerification,
        "Customership": Customership,
        "UsageEvent": UsageEvent,
        "ContactEvent": ContactEvent,
        "PaymentCard": PaymentCard,
        "BillingAccount": BillingAccount,
        "ServiceSubscription": ServiceSubscription,
        "Payment": Payment,
        "Invoice": Invoice,
        "WebVisit": WebVisit,
        "Delivery": Delivery,
        "Feedback": Feedback,
        "ServiceCase": ServiceCase,
        "UserContent": UserContent,
        "ConsentedDatum": ConsentedDatum,
        "Rectification": Rectification,
        "ConsentEvent": ConsentEvent,
    }


def demo_rules_require(rules: DemoRules) -> None:
    """Refuse rules that would store what the policy does not allow (a bug, not input)."""
    policy = policy_get()
    for name, sources in rules.sources.items():
        key = table_key(name)
        categories = policy.categories_of(*(f"{key}.{f}" for f in PLANNED_FIELDS[name]))
        for source in sources:
            source_require(source)
            for category in categories:
                if source not in policy.categories[category].sources:
                    raise InvalidInput(
                        f"source: the policy does not list {source!r} for {category!r}",
                        data={"field": "source", "source": source, "category": category},
                    )
    for scope in rules.consent_scopes:
        scope_require(scope, ConsentAction.GRANTED)
    if rules.marketing_scope is not None:
        scope_require(rules.marketing_scope, ConsentAction.OBJECTED)


def demo_generate(
    *,
    people: int,
    seed: int = 2026,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
    notice_version: int | None = None,
    overdue: bool = False,
) -> DemoStats:
    """Fill the register with ``people`` synthetic people and their histories.

    Meant for an empty register: e-mail addresses, usernames and invoice
    numbers count from one in every run, so a second run collides with the
    first. ``progress`` is called after each committed batch with the number of
    people stored so far. Times are relative to ``today`` (default: today).
    Everything lies within the policy's retention periods unless ``overdue``.
    """
    rules = demo_rules()
    demo_rules_require(rules)
    plan = demo_plan(
        people=people,
        seed=seed,
        batch_size=batch_size,
        today=today or clock.today(),
        notice_version=notice_version,
        rules=rules,
        overdue=overdue,
    )
    password_hash = make_password(DEMO_PASSWORD)
    for text in rules.consent_texts.values():
        consent_text_store(text=text, language=rules.text_language)
    counts = dict.fromkeys(MODEL_NAMES, 0)
    # Organisation number -> id; only the last block's can be needed again.
    organisation_ids: dict[int, int] = {}
    done = 0
    for batch in plan:
        stored_counts = _store(
            batch,
            password_hash=password_hash,
            organisation_ids=organisation_ids,
            new_mark=rules.words.new_address_mark,
        )
        for name, count in stored_counts.items():
            counts[name] += count
        done += len(batch.people)
        if organisation_ids:
            latest = max(organisation_ids)
            organisation_ids = {latest: organisation_ids[latest]}
        if progress is not None:
            progress(done)
    return DemoStats(counts=counts)


@transaction.atomic
def _store(
    batch: DemoBatch, *, password_hash: str, organisation_ids: dict[int, int], new_mark: str
) -> dict[str, int]:
    people = Person.objects.bulk_create(
        [Person(**fields) for fields in batch.people], batch_size=_INSERT_ROWS
    )
    # PostgreSQL and SQLite (3.35+) return the new ids from the INSERT itself.
    person_ids = [person.pk for person in people]
    organisations = Organisation.objects.bulk_create(
        [Organisation(**fields) for fields in batch.organisations.values()],
        batch_size=_INSERT_ROWS,
    )
    organisation_ids.update(
        zip(batch.organisations, (organisation.pk for organisation in organisations), strict=True)
    )
    counts = {"Person": len(people), "Organisation": len(organisations)}
    for name, model in _models().items():
        values = [
            {**fields, "person_id": person_ids[position]}
            for position, fields in batch.rows.get(name, [])
        ]
        if name == "OrganisationRole":
            for row in values:
                row["organisation_id"] = organisation_ids[row.pop("organisation")]
        elif name == "ServiceAccount":
            for row in values:
                row["password_hash"] = password_hash
        elif name == "EmailChange":
            # The new address's row, stored just before.
            rows = dict(
                EmailAddress.objects.filter(
                    person_id__in=[row["person_id"] for row in values],
                    address__contains=new_mark,
                ).values_list("person_id", "pk")
            )
            for row in values:
                row["new_email_row"] = rows[row["person_id"]]
        _insert(model, values)
        counts[name] = len(values)
    return counts


def _insert(model: type[models.Model], values: list[dict[str, Any]]) -> None:
    """Insert the rows set-based; their ids are not needed."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    spec = [(field.attname, field.get_default()) for field in fields]
    insert_rows(
        model,
        [attname for attname, _ in spec],
        ([row.get(attname, default) for attname, default in spec] for row in values),
    )
