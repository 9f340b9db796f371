"""The retention sweep: the policy's periods, applied by themselves every day (notice §6).

Three kinds of rule, all read from the policy, none listed here by name:

- a person's rule runs from the end of their last customership (``customership_end``),
  or, for a person who never had one, from when they were registered (its ``fallback``);
  when it has run, the person is erased as their categories say (delete, anonymise, hold);
- an ``event_time`` rule deletes a table's rows by their own time (web usage);
- a legal hold keeps an erased person's vouchers minimised until the hold ends;
  then the vouchers and the husk that linked them go too.

Work is set-based and batched: the due people are listed once, then erased a
batch per transaction (each person whole or not at all, so a sweep killed at
any point leaves no half-erased person, and the next run finishes the work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models.functions import ExtractMonth, ExtractYear

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record_many
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.jobs import JobRun, job
from rekisteri.core.routing import may_be_stale, read_connection
from rekisteri.policy.schema import ErasureAction, Policy, RetentionEvent, RetentionRule
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.partitions import event_partition_drop, event_partitions_before
from rekisteri.retention.erasure import people_erase
from rekisteri.retention.strategies import date_field_of, hold_until, person_tables, rows_delete

SWEEPER = Actor(ActorKind.SYSTEM, "retention", origin="retention sweep")
BATCH = 500

# Who must not be erased yet although their period has run (e.g. a person whose
# request is still being answered). Higher apps register a query of person ids.
Deferral = Callable[[], "models.QuerySet[Any]"]
_DEFERRALS: list[Deferral] = []


def retention_deferral(query: Deferral) -> Deferral:
    _DEFERRALS.append(query)
    return query


def _deferred() -> models.Q:
    found = models.Q(pk__in=[])
    for query in _DEFERRALS:
        found |= models.Q(pk__in=query())
    return found


# ---------------------------------------------------------------- the rules


@dataclass(frozen=True)
class PersonRule:
    key: str
    rule: RetentionRule


def person_rules(policy: Policy) -> list[PersonRule]:
    """The rules that erase whole people: from the customership's end, and their fallbacks."""
    used = {policy.categories[c].retention for c in policy.categories}
    found: list[PersonRule] = []
    for key in sorted(used):
        rule = policy.retention[key]
        if rule.after == RetentionEvent.CUSTOMERSHIP_END:
            found.append(PersonRule(key, rule))
            if rule.fallback:
                found.append(PersonRule(rule.fallback, policy.retention[rule.fallback]))
        elif rule.after == RetentionEvent.REGISTERED:
            found.append(PersonRule(key, rule))
    return list({r.key: r for r in found}.values())


def _closed_customerships() -> models.QuerySet[Any]:
    return (
        m.Customership.objects.values("person_id")
        .annotate(open=models.Count("*") - models.Count("ended_on"), last=models.Max("ended_on"))
        .filter(open=0)
    )


def _ever_customer() -> models.Exists:
    # NOT EXISTS is an anti-join by index; NOT IN over a million customerships
    # cannot be hashed in PostgreSQL's working memory and ran as a scan per person.
    return models.Exists(m.Customership.objects.filter(person_id=models.OuterRef("pk")))


def _due_people(
    rule: RetentionRule,
    today: dt.date,
    *,
    deferring: bool = True,
    among: list[int] | None = None,
) -> models.QuerySet[m.Person]:
    """The live people whose period under ``rule`` has run by ``today`` (of ``among``)."""
    cutoff = clock.add_months(today, -rule.total_months)
    live = m.Person.objects.living()
    if among is not None:
        live = live.filter(pk__in=among)
    if rule.after == RetentionEvent.CUSTOMERSHIP_END:
        closed = _closed_customerships()
        if among is not None:
            # Before the grouping, or a batch's re-check would group every customership.
            closed = closed.filter(person_id__in=among)
        ended = closed.filter(last__lt=cutoff).values("person_id")
        due = live.filter(pk__in=ended)
    else:
        due = live.filter(stored_at__lt=clock.start_of(cutoff)).exclude(_ever_customer())
    return due.exclude(_deferred()) if deferring else due


def _event_time_tables(
    policy: Policy,
) -> Iterator[tuple[type[models.Model], str, str, RetentionRule]]:
    for model, _key, category in person_tables(policy):
        rule = policy.retention[category.retention]
        date_field = date_field_of(model)
        if rule.after == RetentionEvent.EVENT_TIME and date_field:
            yield model, date_field, category.retention, rule


def _held_tables(policy: Policy) -> Iterator[tuple[type[models.Model], str, RetentionRule]]:
    for model, _key, category in person_tables(policy):
        date_field = date_field_of(model)
        if category.erasure == ErasureAction.HOLD and category.hold and date_field:
            yield model, date_field, policy.retention[category.hold]


@dataclass
class Held:
    # The last day of the longest hold; None when nothing is held any more.
    until: dt.date | None = None
    rows: int = 0


def _holds_end(policy: Policy) -> dict[int, Held]:
    """Each erased person's husk: when its last hold ends, and how many rows it holds."""
    ends = {
        pid: Held()
        for pid in m.Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)
    }
    for model, date_field, rule in _held_tables(policy):
        latest = (
            model.objects.filter(person__erased_at__isnull=False)  # type: ignore[attr-defined]
            .values("person_id")
            .annotate(latest=models.Max(date_field), n=models.Count("*"))
            .order_by()
        )
        for row in latest:
            day = row["latest"]
            if isinstance(day, dt.datetime):
                day = day.astimezone(clock.zone()).date()
            until = hold_until(rule, day)
            held = ends.setdefault(row["person_id"], Held())
            held.until = max(until, held.until) if held.until else until
            held.rows += row["n"]
    return ends


# ---------------------------------------------------------------- running it


@dataclass
class SweepReport:
    dry_run: bool
    # People erased (or due, on a dry run) per person rule.
    people: dict[str, int] = field(default_factory=dict)
    # Rows deleted by their own time, per rule.
    rows: dict[str, int] = field(default_factory=dict)
    # Erased people whose legal hold ended: their held rows and husk went.
    holds_ended: int = 0
    held_rows: int = 0
    deferred: int = 0

    @property
    def total(self) -> int:
        return sum(self.people.values()) + sum(self.rows.values()) + self.holds_ended


Progress = Callable[[str, int, int], None]


def id_chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def retention_run(
    *, dry_run: bool = False, batch: int = BATCH, progress: Progress | None = None
) -> SweepReport:
    """Apply every retention rule that has run by today; return what was (or would be) done."""
    policy = policy_get()
    today = clock.today()
    report = SweepReport(dry_run=dry_run)
    for person_rule in person_rules(policy):
        due = _due_people(person_rule.rule, today)
        ids = list(due.order_by("pk").values_list("pk", flat=True))
        report.people[person_rule.key] = len(ids) if dry_run else 0
        if dry_run:
            continue
        for chunk in id_chunks(ids, batch):
            with transaction.atomic():
                # Checked again in the batch's transaction: a customer who came back
                # since the list was read is not erased.
                still = list(
                    _due_people(person_rule.rule, today, among=chunk).values_list("pk", flat=True)
                )
                erased = people_erase(
                    actor=SWEEPER,
                    person_ids=still,
                    reason=f"retention:{person_rule.key}",
                    forgotten=False,
                )
            report.people[person_rule.key] += len(erased)
            if progress:
                progress(person_rule.key, report.people[person_rule.key], len(ids))
    report.deferred = sum(
        _due_people(r.rule, today, deferring=False).filter(_deferred()).count()
        for r in person_rules(policy)
    )
    for model, date_field, key, rule in _event_time_tables(policy):
        cutoff = clock.start_of(clock.add_months(today, -rule.total_months))
        old = model.objects.filter(**{f"{date_field}__lt": cutoff})  # type: ignore[attr-defined]
        if dry_run:
            report.rows[key] = report.rows.get(key, 0) + old.count()
            continue
        # A month wholly past the period leaves as one: its partition is dropped.
        done = sum(
            event_partition_drop(model._meta.db_table, partition)
            for partition in event_partitions_before(model._meta.db_table, cutoff)
        )
        total = done + old.count()
        while ids := list(old.values_list("pk", flat=True)[: batch * 10]):
            done += rows_delete(old.filter(pk__in=ids))
            if progress:
                progress(key, done, total)
        report.rows[key] = report.rows.get(key, 0) + done
    ended = sorted(
        pid for pid, held in _holds_end(policy).items() if held.until is None or held.until < today
    )
    if dry_run:
        report.holds_ended = len(ended)
        return report
    for chunk in id_chunks(ended, batch):
        with transaction.atomic():
            report.held_rows += _remove_husks(chunk)
        report.holds_ended += len(chunk)
        if progress:
            progress("holds", report.holds_ended, len(ended))
    return report


def _remove_husks(ids: list[int]) -> int:
    """The hold has ended: the held rows and the husk that linked them go."""
    removed = 0
    husks = m.Person.objects.filter(pk__in=ids, erased_at__isnull=False)
    ids = list(husks.values_list("pk", flat=True))
    for model, _key, _category in person_tables(policy_get()):
        removed += rows_delete(model.objects.filter(person_id__in=ids))  # type: ignore[attr-defined]
    rows_delete(m.Person.objects.filter(pk__in=ids))
    audit_record_many(
        actor=SWEEPER,
        event=AuditEvent.PERSON_ERASED,
        person_ids=ids,
        data={"reason": "retention:hold_ended"},
    )
    return removed


@job("retention.sweep", daily=True)
def _sweep_job(run: JobRun) -> None:
    """The daily sweep; a run cut short leaves whole people, and tomorrow's run goes on."""
    report = retention_run()
    run.save(people=report.people, rows=report.rows, holds_ended=report.holds_ended)


# ---------------------------------------------------------------- looking ahead


@dataclass
class MonthDue:
    # The first day of the month; None for what is due already.
    month: dt.date | None
    people: int = 0
    records: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def _month_key(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _key_month(key: int) -> dt.date:
    return dt.date(key // 12, key % 12 + 1, 1)


def _records_by_key(keyed_people: models.QuerySet[Any]) -> dict[int, int]:
    """Rows of every personal-data table, per due month of the person they belong to.

    One joined, grouped query per table; ``keyed_people`` yields (person_id, key).
    """
    sql, params = keyed_people.query.sql_with_params()
    found: dict[int, int] = {}
    # Raw SQL bypasses the router: read where the ORM's reads of this block go.
    connection = read_connection()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, _key, _category in person_tables(policy_get()):
            table = quote(model._meta.db_table)
            cursor.execute(
                f"SELECT due.key, COUNT(*) FROM {table} t JOIN ({sql}) due "  # noqa: S608
                "ON due.person_id = t.person_id GROUP BY due.key",
                params,
            )
            for key, count in cursor.fetchall():
                found[int(key)] = found.get(int(key), 0) + int(count)
    return found


@may_be_stale
def retention_preview(*, months: int = 12) -> list[MonthDue]:
    """How many people and records fall due by the end of this month and in each coming month.

    ``by_rule`` counts people for a person's rule and for a hold's end, rows for
    a rule that runs by event time. A look ahead, read on a replica where there
    is one (it may be seconds behind); the sweep itself reads and erases on the primary.
    """
    policy = policy_get()
    today = clock.today()
    now_key = _month_key(today)
    buckets = {k: MonthDue(_key_month(k)) for k in range(now_key + 1, now_key + months + 1)}
    overdue = MonthDue(None)

    def add(key: int, rule: str | None, *, people: int = 0, records: int = 0) -> None:
        target = overdue if key <= now_key else buckets.get(key)
        if target is not None:
            target.people += people
            target.records += records
            if rule is not None:
                target.by_rule[rule] = target.by_rule.get(rule, 0) + (people or records)

    horizon = clock.add_months(today.replace(day=1), months + 1)
    live = m.Person.objects.living().exclude(_deferred())
    for person_rule in person_rules(policy):
        shift = person_rule.rule.total_months
        before = clock.add_months(horizon, -shift)
        if person_rule.rule.after == RetentionEvent.CUSTOMERSHIP_END:
            keyed = (
                _closed_customerships()
                .filter(last__lt=before, person_id__in=live.values("pk"))
                .annotate(key=ExtractYear("last") * 12 + ExtractMonth("last") - 1 + shift)
                .values("person_id", "key")
            )
        else:
            keyed = (
                live.filter(stored_at__lt=clock.start_of(before))
                .exclude(_ever_customer())
                .annotate(
                    person_id=models.F("pk"),
                    key=ExtractYear("stored_at") * 12 + ExtractMonth("stored_at") - 1 + shift,
                )
                .values("person_id", "key")
            )
        people: dict[int, int] = {}
        for row in keyed.order_by():
            people[row["key"]] = people.get(row["key"], 0) + 1
        for key, count in people.items():
            add(key, person_rule.key, people=count)
        for key, count in _records_by_key(keyed.order_by()).items():
            add(key, None, records=count)
    for model, date_field, rule_key, rule in _event_time_tables(policy):
        shift = rule.total_months
        grouped = (
            model.objects.filter(  # type: ignore[attr-defined]
                **{f"{date_field}__lt": clock.start_of(clock.add_months(horizon, -shift))}
            )
            .annotate(key=ExtractYear(date_field) * 12 + ExtractMonth(date_field) - 1 + shift)
            .values("key")
            .annotate(n=models.Count("*"))
            .order_by()
        )
        for row in grouped:
            add(row["key"], rule_key, records=row["n"])
    for held in _holds_end(policy).values():
        # The husk and its rows go the day after the hold's last day.
        due = now_key if held.until is None else _month_key(held.until + dt.timedelta(days=1))
        add(due, "holds", people=1)
        add(due, None, records=held.rows)
    return [overdue, *buckets.values()]
