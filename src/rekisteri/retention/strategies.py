"""What erasure does to one table's rows, by the policy's category: the strategies.

``delete`` the rows, ``anonymise`` them (content kept without any link to the
person, identifiers scrubbed), or ``hold`` them for a law's period, minimised to
the fields the law needs. Each is registered for its action, and a table is
found by the policy, never listed by hand (DESIGN.md).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models

from rekisteri.core import clock
from rekisteri.policy.schema import (
    AnonymiseMode,
    Category,
    ErasureAction,
    Policy,
    RetentionEvent,
    RetentionRule,
)
from rekisteri.register import models as m
from rekisteri.register.catalogue import (
    PROVENANCE_FIELDS,
    model_categories,
    model_key,
    personal_data_models,
)
from rekisteri.retention.models import AnonymousContent
from rekisteri.retention.scrub import Identifiers, scrub


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


def erasure_strategy(action: ErasureAction) -> ErasureStrategy:
    """The registered strategy for an action (every action has one; tests hold it)."""
    return _STRATEGIES[action]


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
