"""Reports for analysis and statistics (notice §4) that single no one out.

Every report is an aggregate computed set-based in the database over the
people who may be counted for its purpose: never a restricted person (Art. 18),
never one who objected to the purpose or, where it rests on consent, did not
consent (the register's purpose gate says who). A cell counting fewer people
than the policy's ``min_cell_size`` is suppressed, and so is any figure
derived from such a cell (an average of three ratings).

A report may be a few seconds stale: where the register has streaming
replicas, its queries run on one (``may_be_stale``); the audit entry of its
viewing is a write, and goes to the primary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rekisteri.analytics.disclosure import min_cell_size, released
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.channels import MarketingChannel
from rekisteri.core.errors import Forbidden, NotFound
from rekisteri.core.routing import may_be_stale
from rekisteri.policy.schema import PurposeUse
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.gate import PeopleRead, ReadKind, people_gate


@dataclass(frozen=True)
class Cell:
    """A figure; None where there is none, or where it is suppressed."""

    value: int | float | None
    # The figure exists but would count fewer people than the threshold.
    suppressed: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class Report:
    key: str
    title: str | Promise
    purpose: str
    columns: list[str | Promise]
    rows: list[Row]
    # The column the chart draws.
    chart_column: int = 0


def _opening(use: PurposeUse, field: str) -> list[str]:
    """The purposes that serve ``use`` and for which the category holding ``field`` is
    processed: a report reads only data its purpose may use (Art. 5(1)(b))."""
    policy = policy_get()
    category = policy.category_of_field(field)
    opened = policy.categories[category].purposes if category is not None else ()
    return [p for p in policy.purposes_serving(use) if p in opened]


def people_cell(count: int, key_sum: int) -> Cell:
    """A count of people (whose ids sum to ``key_sum``), as disclosure control releases it."""
    shown = released(count, key_sum)
    return Cell(None, suppressed=True) if shown is None else Cell(shown)


def _nk(row: dict[str, Any] | None) -> dict[str, int]:
    """The count and key sum of a grouped row, or an empty cell's."""
    if row is None:
        return {"count": 0, "key_sum": 0}
    return {"count": row["n"], "key_sum": row["k"] or 0}


def derived_cell(value: float | None, people: int) -> Cell:
    """A figure computed from ``people`` people: shown only when they are enough."""
    if value is None or people == 0:
        return Cell(None)
    if people < min_cell_size():
        return Cell(None, suppressed=True)
    return Cell(round(value, 2))


def _months(count: int) -> list[dt.date]:
    first = clock.today().replace(day=1)
    return [clock.add_months(first, -i) for i in range(count - 1, -1, -1)]


def _by_month(rows: Any, field: str) -> dict[dt.date, dict[str, Any]]:
    out: dict[dt.date, dict[str, Any]] = {}
    for row in rows:
        month = row[field]
        if isinstance(month, dt.datetime):
            month = month.astimezone(clock.zone()).date()
        out[month.replace(day=1)] = row
    return out


def _since(months: int) -> dt.date:
    return _months(months)[0]


def _per_month(
    rows: models.QuerySet[Any], field: str, months: int, **extra: Any
) -> dict[dt.date, dict[str, Any]]:
    """People (count ``n``, id sum ``k``) and ``extra`` aggregates per Finnish calendar month
    of ``field``, over the last ``months`` months."""
    since = _since(months)
    if isinstance(rows.model._meta.get_field(field), models.DateTimeField):
        start: dt.date | dt.datetime = clock.start_of(since)
        month = TruncMonth(field, tzinfo=clock.zone())
    else:
        start, month = since, TruncMonth(field)
    return _by_month(
        rows.filter(**{f"{field}__gte": start})
        .annotate(month=month)
        .values("month")
        .annotate(n=Count("person_id", distinct=True), k=Sum("person_id", distinct=True), **extra),
        "month",
    )


@may_be_stale
def customerships_report(read: PeopleRead, months: int = 12) -> Report:
    """New and ended customerships per month (people)."""
    purpose = read.purpose
    rows = read.rows(m.Customership)
    started = _per_month(rows, "started_on", months)
    ended = _per_month(rows, "ended_on", months)
    return Report(
        "customerships",
        _("New and ended customerships by month"),
        purpose,
        [_("new"), _("ended")],
        [
            Row(
                month.strftime("%m/%Y"),
                [
                    people_cell(**_nk(started.get(month))),
                    people_cell(**_nk(ended.get(month))),
                ],
            )
            for month in _months(months)
        ],
    )


@may_be_stale
def services_report(read: PeopleRead) -> Report:
    """Active customers by service, today."""
    purpose = read.purpose
    today = clock.today()
    rows = (
        read.rows(m.ServiceSubscription)
        .filter(started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values("service")
        .annotate(n=Count("person_id", distinct=True), k=Sum("person_id", distinct=True))
        .order_by("service")
    )
    return Report(
        "services",
        _("Active customers by service"),
        purpose,
        [_("customers")],
        [Row(row["service"], [people_cell(**_nk(row))]) for row in rows],
    )


@may_be_stale
def usage_report(read: PeopleRead, months: int = 12) -> Report:
    """Use of the service per month: events and the people behind them."""
    purpose = read.purpose
    by_month = _per_month(
        read.rows(m.UsageEvent),
        "occurred_at",
        months,
        events=Count("id"),
    )
    rows = []
    for month in _months(months):
        found = by_month.get(month, {"events": 0, "n": 0, "k": 0})
        active = people_cell(**_nk(found))
        events = Cell(None, suppressed=True) if active.suppressed else Cell(found["events"])
        rows.append(Row(month.strftime("%m/%Y"), [active, events]))
    return Report(
        "usage",
        _("Use of the service by month"),
        purpose,
        [_("active people"), _("events")],
        rows,
    )


@may_be_stale
def feedback_report(read: PeopleRead, months: int = 12) -> Report:
    """Feedback given and the average rating per month."""
    purpose = read.purpose
    by_month = _per_month(
        read.rows(m.Feedback),
        "given_at",
        months,
        rated=Count("person_id", distinct=True, filter=Q(rating__isnull=False)),
        rating=Avg("rating"),
    )
    rows = []
    for month in _months(months):
        found = by_month.get(month, {"n": 0, "k": 0, "rated": 0, "rating": None})
        people = people_cell(**_nk(found))
        # An average beside a hidden count would tell what the count hides.
        rating = (
            Cell(None, suppressed=True)
            if people.suppressed
            else derived_cell(found["rating"], found["rated"])
        )
        rows.append(Row(month.strftime("%m/%Y"), [people, rating]))
    return Report(
        "feedback",
        _("Feedback and satisfaction by month"),
        purpose,
        [_("people who gave feedback"), _("average rating (1-5)")],
        rows,
    )


# A delivery's channel in the reader's words (the report's labels are read, not parsed).
CHANNEL_WORDS: dict[str, Promise] = {c.value: c.label for c in MarketingChannel}


@may_be_stale
def campaigns_report(read: PeopleRead) -> Report:
    """Campaign deliveries and results: people reached, opened and clicked."""
    purpose = read.purpose
    rows = (
        read.rows(m.Delivery)
        .values("campaign", "channel")
        .annotate(
            sent=Count("person_id", distinct=True),
            sent_k=Sum("person_id", distinct=True),
            opened=Count("person_id", distinct=True, filter=Q(opened_at__isnull=False)),
            opened_k=Sum("person_id", distinct=True, filter=Q(opened_at__isnull=False)),
            clicked=Count("person_id", distinct=True, filter=Q(clicked_at__isnull=False)),
            clicked_k=Sum("person_id", distinct=True, filter=Q(clicked_at__isnull=False)),
        )
        .order_by("campaign", "channel")
    )
    return Report(
        "campaigns",
        _("Campaign deliveries and results"),
        purpose,
        [_("people reached"), _("opened"), _("clicked")],
        [
            Row(
                f"{row['campaign']} ({CHANNEL_WORDS.get(row['channel'], row['channel'])})",
                [people_cell(row[c], row[f"{c}_k"] or 0) for c in ("sent", "opened", "clicked")],
            )
            for row in rows
        ],
    )


# Each report with the feature of the policy it is and a field it reads: a purpose that
# serves the feature and may read the field opens it, and only a role holding such a
# purpose sees it.
REPORTS: dict[str, tuple[PurposeUse, str, Callable[..., Report]]] = {
    "customerships": (PurposeUse.STATISTICS, "customership.started_on", customerships_report),
    "services": (PurposeUse.STATISTICS, "service_subscription.service", services_report),
    "usage": (PurposeUse.STATISTICS, "usage_event.action", usage_report),
    "feedback": (PurposeUse.FEEDBACK, "feedback.rating", feedback_report),
    "campaigns": (PurposeUse.CAMPAIGNS, "delivery.campaign", campaigns_report),
}


def _report_purpose(actor: Actor, use: PurposeUse, field: str) -> str | None:
    """The first purpose serving ``use`` and reading ``field`` that the actor holds."""
    held = [p for p in _opening(use, field) if p in actor.purposes]
    return held[0] if held else None


def reports_for(actor: Actor) -> list[str]:
    """The reports that a purpose the actor holds opens."""
    return [
        key for key, (use, field, _make) in REPORTS.items() if _report_purpose(actor, use, field)
    ]


def report_get(*, actor: Actor, key: str) -> Report:
    """A report, if the actor holds a purpose it serves; the viewing is audited (no person)."""
    if key not in REPORTS:
        raise NotFound("there is no such report", data={"report": key[:50]})
    use, field, make = REPORTS[key]
    purpose = _report_purpose(actor, use, field)
    if purpose is None:
        raise Forbidden(
            "this role holds no purpose that this report serves",
            data={"purposes": _opening(use, field)},
        )
    # The gate counts only the people the purpose may count (never a restricted
    # person, nor one the purpose is closed for), and audits the viewing.
    read = people_gate(actor=actor, purpose=purpose, kind=ReadKind.AGGREGATE)
    report = make(read)
    read.record([], data={"report": key})
    return report
