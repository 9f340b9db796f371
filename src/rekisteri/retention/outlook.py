"""When one person's data are due to go, by the policy's rules: for telling the person.

The sweep decides for everyone in sets; this answers for one person, so that
the portal can say "your data go on 4.12.2028; the invoices are kept until
31.12.2031 under the Accounting Act" before and after a right is used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models

from rekisteri.core import clock
from rekisteri.policy.schema import ErasureAction, RetentionEvent
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.retention.strategies import date_field_of, hold_until, person_tables


@dataclass(frozen=True)
class Hold:
    """Rows a legal hold keeps, minimised, after the rest of the person's data go."""

    category: str
    rule: str
    until: dt.date


@dataclass(frozen=True)
class Outlook:
    # The day the person's data are erased by the customership rule (or its
    # fallback); None while a customership is still open.
    erased_on: dt.date | None
    # The rule that sets ``erased_on``.
    rule: str
    holds: list[Hold] = field(default_factory=list)
    # Whether a customership is still in force (ending it is then possible).
    customer: bool = False


def person_retention_outlook(*, person_id: int, ending_on: dt.date | None = None) -> Outlook:
    """When this person's data go and what a hold keeps longer.

    ``ending_on`` asks "what if the customership ended on that day" (the portal's
    confirmation step) without changing anything.
    """
    policy = policy_get()
    customerships = m.Customership.objects.filter(person_id=person_id)
    person_rule = next(
        (
            (key, rule)
            for key, rule in policy.retention.items()
            if rule.after == RetentionEvent.CUSTOMERSHIP_END
        ),
        None,
    )
    erased_on: dt.date | None = None
    rule_key = person_rule[0] if person_rule else ""
    still_open = customerships.filter(ended_on__isnull=True).exists()
    if person_rule is not None:
        key, rule = person_rule
        if customerships.exists():
            last = customerships.aggregate(last=models.Max("ended_on"))["last"]
            end = ending_on if ending_on is not None and still_open else last
            if end is not None and (ending_on is not None or not still_open):
                erased_on = clock.add_months(end, rule.total_months)
        elif rule.fallback:
            # Never a customer: the fallback rule counts from when the person was stored.
            rule_key = rule.fallback
            fallback = policy.retention[rule.fallback]
            stored = (
                m.Person.objects.filter(pk=person_id).values_list("stored_at", flat=True).first()
            )
            if stored is not None:
                day = stored.astimezone(clock.zone()).date()
                erased_on = clock.add_months(day, fallback.total_months)
    holds = []
    for model, key, category in person_tables(policy):
        date_field = date_field_of(model)
        if category.erasure != ErasureAction.HOLD or not category.hold or not date_field:
            continue
        latest = model.objects.filter(person_id=person_id).aggregate(  # type: ignore[attr-defined]
            latest=models.Max(date_field)
        )["latest"]
        if latest is None:
            continue
        if isinstance(latest, dt.datetime):
            latest = latest.astimezone(clock.zone()).date()
        holds.append(
            Hold(
                category=key,
                rule=category.hold,
                until=hold_until(policy.retention[category.hold], latest),
            )
        )
    # One line per hold and category: the longest of its tables.
    merged: dict[tuple[str, str], Hold] = {}
    for hold in holds:
        known = merged.get((hold.category, hold.rule))
        if known is None or hold.until > known.until:
            merged[(hold.category, hold.rule)] = hold
    return Outlook(
        erased_on=erased_on, rule=rule_key, holds=list(merged.values()), customer=still_open
    )
