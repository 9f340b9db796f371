"""Segments: groups of people defined by declared fields, seen only as released counts.

A segment is a set of filters over the register's declared fields. Its size
and make-up are computed set-based in the database over the people its
purpose may count, and released through disclosure control (threshold and
cell-key perturbation): an analyst learns how many, never who. The figures
may be a few seconds stale (they are read on a replica where there is one);
saved segments are read and written on the primary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from django.db import IntegrityError, models
from django.db.models import Avg, Count, Exists, Q, Sum

from rekisteri.analytics.disclosure import min_cell_size, released
from rekisteri.analytics.error_codes import AnalyticsCode
from rekisteri.analytics.models import Segment
from rekisteri.consent.marketing import MarketingChannel, marketing_audience, own_marketing_purpose
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PolicyRefusal
from rekisteri.core.routing import may_be_stale
from rekisteri.core.text import storable
from rekisteri.policy.schema import LegalBasis, PurposeUse
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.gate import PeopleRead, ReadKind, people_closed_for, people_gate
from rekisteri.register.selectors import services_subscribed

CUSTOMERSHIP_STATES = ("active", "ended", "never")


def segment_purposes() -> list[str]:
    """The purposes the policy lets segments serve."""
    return policy_get().purposes_serving(PurposeUse.SEGMENTS)


@dataclass(frozen=True)
class SegmentDefinition:
    """Filters, each optional; together they narrow the segment (AND)."""

    customership: str = ""  # active | ended | never
    customer_months_min: int | None = None
    service: str = ""  # an active subscription to this service
    city: str = ""
    active_within_days: int | None = None  # used the service within this many days
    rating_min: float | None = None  # average feedback rating
    rating_max: float | None = None
    # May be marketed to on this channel now (the marketing rules decide).
    marketable_by: str = ""
    # Has consented to this purpose (one that rests on consent).
    consented_to: str = ""

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> SegmentDefinition:
        """From a form or saved JSON; every value checked, nothing else accepted."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(f"segment: unknown filters {unknown}")
        values: dict[str, Any] = {}
        for name in known:
            raw = data.get(name)
            if raw in (None, ""):
                continue
            values[name] = _clean(name, str(raw).strip())
        return cls(**values)


def _clean(name: str, raw: str) -> Any:
    policy = policy_get()
    if not storable(raw):
        raise InvalidInput(f"{name}: contains characters that cannot be stored")
    numbers = {
        "customer_months_min": (int, 0, 600),
        "active_within_days": (int, 1, 3660),
        "rating_min": (float, 1, 5),
        "rating_max": (float, 1, 5),
    }
    if name in numbers:
        kind, low, high = numbers[name]
        try:
            value = kind(raw)
        except ValueError:
            raise InvalidInput(f"{name}: give a number from {low} to {high}") from None
        if not low <= value <= high:
            raise InvalidInput(f"{name}: give a number from {low} to {high}")
        return value
    if name == "customership" and raw not in CUSTOMERSHIP_STATES:
        raise InvalidInput(f"customership: one of {', '.join(CUSTOMERSHIP_STATES)}")
    if name == "marketable_by" and raw not in set(MarketingChannel):
        raise InvalidInput(f"marketable_by: {', '.join(MarketingChannel)}")
    if name == "consented_to" and (
        raw not in policy.purposes or policy.purposes[raw].legal_basis != LegalBasis.CONSENT
    ):
        raise InvalidInput("consented_to: a purpose that rests on consent")
    if len(raw) > 100:
        raise InvalidInput(f"{name}: at most 100 characters")
    return raw


# The field of the data model each filter reads: a segment may use a filter only where
# the policy's category of that field serves the segment's purpose (Art. 5(1)(b)).
FILTER_FIELDS = {
    "customership": "customership.started_on",
    "customer_months_min": "customership.started_on",
    "service": "service_subscription.service",
    "city": "postal_address.city",
    "active_within_days": "usage_event.occurred_at",
    "rating_min": "feedback.rating",
    "rating_max": "feedback.rating",
    "marketable_by": "consent_event.scope",
    "consented_to": "consent_event.scope",
}


def _opens(purpose: str, field: str) -> bool:
    """Whether the category that holds ``field`` serves ``purpose``."""
    policy = policy_get()
    category = policy.category_of_field(field)
    return category is not None and purpose in policy.categories[category].purposes


def filters_for(purpose: str) -> list[str]:
    """The filters a segment of ``purpose`` may use."""
    return [name for name, field in FILTER_FIELDS.items() if _opens(purpose, field)]


def definition_require(definition: SegmentDefinition, purpose: str) -> None:
    allowed = set(filters_for(purpose))
    used = [f.name for f in fields(definition) if _set(definition, f.name)]
    if not used:
        raise InvalidInput(
            "choose at least one filter",
            code=AnalyticsCode.SEGMENT_NO_FILTER,
            data={"field": "filters"},
        )
    refused = [name for name in used if name not in allowed]
    if refused:
        raise Forbidden(
            f"the purpose {purpose!r} does not open the data of the filters {refused}; "
            f"it allows {', '.join(sorted(allowed)) or 'none'}",
            data={"filters": refused},
        )
    if (
        definition.rating_min is not None
        and definition.rating_max is not None
        and definition.rating_min > definition.rating_max
    ):
        raise InvalidInput("rating_min: must not be above rating_max", data={"field": "rating_min"})


def members_of(definition: SegmentDefinition, read: PeopleRead) -> models.QuerySet[m.Person]:
    """The people the gate let through whom the definition's filters select."""
    people = read.people
    today = clock.today()
    customerships = read.about(m.Customership)
    if definition.customership == "active":
        people = people.filter(Exists(customerships.filter(ended_on__isnull=True)))
    elif definition.customership == "ended":
        people = people.filter(Exists(customerships.filter(ended_on__isnull=False))).exclude(
            Exists(customerships.filter(ended_on__isnull=True))
        )
    elif definition.customership == "never":
        people = people.exclude(Exists(customerships))
    if definition.customer_months_min is not None:
        since = clock.add_months(today, -definition.customer_months_min)
        people = people.filter(Exists(customerships.filter(started_on__lte=since)))
    if definition.service:
        people = people.filter(
            Exists(
                read.about(m.ServiceSubscription)
                .filter(service=definition.service, started_on__lte=today)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
            )
        )
    if definition.city:
        people = people.filter(
            Exists(read.about(m.PostalAddress).filter(city__iexact=definition.city))
        )
    if definition.active_within_days is not None:
        since_moment = clock.now() - dt.timedelta(days=definition.active_within_days)
        people = people.filter(
            Exists(read.about(m.UsageEvent).filter(occurred_at__gte=since_moment))
        )
    if definition.rating_min is not None or definition.rating_max is not None:
        ratings = (
            read.rows(m.Feedback)
            .filter(rating__isnull=False)
            .values("person_id")
            .annotate(average=Avg("rating"))
        )
        if definition.rating_min is not None:
            ratings = ratings.filter(average__gte=definition.rating_min)
        if definition.rating_max is not None:
            ratings = ratings.filter(average__lte=definition.rating_max)
        people = people.filter(pk__in=ratings.values("person_id"))
    marketing = own_marketing_purpose()
    if definition.marketable_by and marketing is None:
        # A register that markets nothing may market to no one.
        people = people.none()
    elif definition.marketable_by and marketing is not None:
        people = people.filter(
            pk__in=marketing_audience(purpose=marketing, channel=definition.marketable_by).values(
                "pk"
            )
        )
    if definition.consented_to:
        # The register's gate closes a consent purpose to those without a consent.
        people = people.exclude(people_closed_for(definition.consented_to))
    return people


def _set(definition: SegmentDefinition, name: str) -> bool:
    return getattr(definition, name) not in (None, "")


def _without(definition: SegmentDefinition, name: str) -> SegmentDefinition:
    reset: dict[str, Any] = {name: "" if isinstance(getattr(definition, name), str) else None}
    return replace(definition, **reset)


def effective_definition(definition: SegmentDefinition, read: PeopleRead) -> SegmentDefinition:
    """The minimum-difference rule: a filter that sets apart fewer than the threshold is
    not applied.

    Refusing such a filter would answer "does this one person match?" by the
    refusal itself; leaving it out gives the very figures that a filter setting
    apart no one gives, so the two cases look the same. Filters are tried in a
    fixed order until none changes.
    """
    threshold = min_cell_size()
    current = definition
    changed = True
    while changed:
        changed = False
        size = members_of(current, read).count()
        for f in fields(current):
            if not _set(current, f.name):
                continue
            wider = _without(current, f.name)
            if 0 < members_of(wider, read).count() - size < threshold:
                current, changed = wider, True
                break
    return current


@dataclass(frozen=True)
class Part:
    label: str
    size: int | None  # None: suppressed


@dataclass(frozen=True)
class SegmentFigures:
    size: int | None
    by_customership: list[Part]
    by_service: list[Part]
    by_city: list[Part]


def _released(rows: Any, label: str) -> list[Part]:
    return [Part(str(row[label]), released(row["n"], row["k"] or 0)) for row in rows]


@may_be_stale
def segment_figures(*, actor: Actor, definition: SegmentDefinition, purpose: str) -> SegmentFigures:
    """Size and make-up of a segment, released through disclosure control; audited."""
    if purpose not in segment_purposes() or purpose not in actor.purposes:
        raise Forbidden(
            "segments need a purpose this role holds, one of "
            + (", ".join(segment_purposes()) or "none: no purpose of the policy serves segments"),
            data={"purpose": purpose[:64]},
        )
    definition_require(definition, purpose)
    read = people_gate(actor=actor, purpose=purpose, kind=ReadKind.AGGREGATE)
    members = members_of(effective_definition(definition, read), read)
    total = members.aggregate(n=Count("pk"), k=Sum("pk"))
    size = released(total["n"], total["k"] or 0)
    if size is None or size == 0:
        # Too few (or no one) to describe: nothing about them is shown, not even a make-up.
        raise PolicyRefusal(
            f"the segment has fewer than {min_cell_size()} people; widen it",
            data={"size": f"<{min_cell_size()}"},
        )
    ids = members.values("pk")
    state = (
        members.annotate(
            state=models.Case(
                models.When(
                    Exists(read.about(m.Customership).filter(ended_on=None)),
                    then=models.Value("active"),
                ),
                models.When(Exists(read.about(m.Customership)), then=models.Value("ended")),
                default=models.Value("never"),
            )
        )
        .values("state")
        .annotate(n=Count("pk"), k=Sum("pk"))
        .order_by("state")
    )
    today = clock.today()
    services = (
        read.rows(m.ServiceSubscription)
        .filter(person_id__in=ids, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values("service")
        .annotate(n=Count("person_id", distinct=True), k=Sum("person_id", distinct=True))
        .order_by("service")
    )
    cities = (
        read.rows(m.PostalAddress)
        .filter(person_id__in=ids)
        .values("city")
        .annotate(n=Count("person_id", distinct=True), k=Sum("person_id", distinct=True))
        .order_by("city")
    )
    read.record([], data={"segment": asdict(definition)})
    return SegmentFigures(
        size=size,
        by_customership=(
            _released(state, "state") if _opens(purpose, FILTER_FIELDS["customership"]) else []
        ),
        by_service=(
            _released(services, "service") if _opens(purpose, FILTER_FIELDS["service"]) else []
        ),
        by_city=(
            [p for p in _released(cities, "city") if p.size]
            if _opens(purpose, FILTER_FIELDS["city"])
            else []
        ),
    )


def segment_save(
    *, actor: Actor, name: str, purpose: str, definition: SegmentDefinition
) -> tuple[Segment, SegmentFigures]:
    """Keep a segment's definition; with the figures it showed, which are what it passed."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput("name: 1 to 100 characters", data={"field": "name"})
    # The same checks and release as showing it: a segment too small to show is not kept.
    figures = segment_figures(actor=actor, definition=definition, purpose=purpose)
    try:
        segment = Segment.objects.create(
            name=name,
            purpose=purpose,
            definition={k: v for k, v in asdict(definition).items() if v not in (None, "")},
            created_by=actor.id,
            created_at=clock.now(),
        )
    except IntegrityError:
        raise Conflict(
            "a segment of that name exists",
            code=AnalyticsCode.SEGMENT_NAME_TAKEN,
            data={"field": "name"},
        ) from None
    return segment, figures


def segments_of(actor: Actor) -> list[Segment]:
    return list(Segment.objects.filter(purpose__in=actor.purposes).order_by("name"))


def segment_get(*, actor: Actor, segment_id: int) -> Segment:
    found = Segment.objects.filter(pk=segment_id, purpose__in=actor.purposes).first()
    if found is None:
        raise NotFound(
            "there is no such segment",
            code=AnalyticsCode.SEGMENT_NOT_FOUND,
            data={"segment_id": segment_id},
        )
    return found


def segment_services() -> list[str]:
    """The services people subscribe to, by name: the choices of the service filter.

    Product names, no one's data; offering them keeps a typo from reading as a
    segment too small to show.
    """
    return services_subscribed()
