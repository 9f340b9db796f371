"""The gate for a set of people: search, audiences, surveys, reports, segments."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import connection, models
from django.db.models import F, OuterRef, Window
from django.db.models.functions import RowNumber

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record, audit_record_many
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Forbidden, RekisteriError
from rekisteri.policy.selectors import policy_get
from rekisteri.register import facts
from rekisteri.register import models as m
from rekisteri.register.gate.rules import (
    ReadRefusal,
    people_closed_for,
    purpose_require,
    refused_read,
)


class ReadKind(StrEnum):
    """What a read of a set of people is for; it decides who the gate lets through."""

    # Staff or a system looking people up: the data protection officer also finds
    # restricted people, to answer for them (Art. 18(2)).
    LOOKUP = "lookup"
    # Data processed for the purpose (an audience, a survey): a restricted person's
    # data is only stored, never processed (Art. 18(2)).
    PROCESSING = "processing"
    # Counted into aggregates that single no one out: the analysts' roles, which see
    # no person, may count; restricted people are not counted.
    AGGREGATE = "aggregate"


def people_readable(purpose: str, *, restricted_too: bool = False) -> models.QuerySet[m.Person]:
    """Who may be read for ``purpose`` (the purpose already checked): the living, not
    restricted unless ``restricted_too``, and not closed for it by the ledger."""
    people = m.Person.objects.living().exclude(people_closed_for(purpose))
    return people if restricted_too else people.filter(restricted_since__isnull=True)


@dataclass(frozen=True)
class PeopleRead:
    """What the gate let through for a set of people: who may be read, for which
    purpose, and which categories of their data."""

    actor: Actor
    purpose: str
    kind: ReadKind
    categories: frozenset[str]
    people: models.QuerySet[m.Person]

    def rows(self, model: type[m.PersonData]) -> models.QuerySet[Any]:
        """Rows of a personal table that belong to the people let through."""
        return model._default_manager.filter(person__in=self.people)

    def about(self, model: type[m.PersonData]) -> models.QuerySet[Any]:
        """Rows of a personal table of the outer person, for a filter on ``people``."""
        return model._default_manager.filter(person_id=OuterRef("pk"))

    def addresses(
        self,
        field: str,
        *,
        people: models.QuerySet[m.Person] | None = None,
        bounds: tuple[int, int] | None = None,
    ) -> models.QuerySet[Any]:
        """The newest address of the kind ``field`` names of each person let through (or
        of ``people``, narrowed from them), as rows of (person_id, value), one pass over
        the table. ``bounds`` (lo, hi] cut it to a range of person ids."""
        if policy_get().category_of_field(field) not in self.categories:
            raise Forbidden(f"this read was not opened for {field}")
        rows = facts.address_model(field)._default_manager.filter(person__in=self.people)
        if people is not None:
            rows = rows.filter(person__in=people)
        if bounds is not None:
            rows = rows.filter(person_id__gt=bounds[0], person_id__lte=bounds[1])
        rows = rows.annotate(value=facts.address_value(field))
        if connection.vendor == "postgresql":
            # DISTINCT ON reads the newest row per person in one ordered pass.
            return (
                rows.order_by("person_id", "-stored_at", "-id")
                .distinct("person_id")
                .values("person_id", "value")
            )
        newest = Window(
            RowNumber(),
            partition_by=[F("person_id")],
            order_by=[F("stored_at").desc(), F("id").desc()],
        )
        return rows.annotate(n=newest).filter(n=1).values("person_id", "value")

    def record(self, person_ids: Sequence[int], *, data: dict[str, Any]) -> None:
        """The read's audit entry for each person handed out (an aggregate names no one)."""
        if self.kind == ReadKind.AGGREGATE:
            audit_record(
                actor=self.actor, event=AuditEvent.REPORT_VIEWED, purpose=self.purpose, data=data
            )
        elif person_ids:
            audit_record_many(
                actor=self.actor,
                event=AuditEvent.PERSON_READ,
                person_ids=list(person_ids),
                categories=self.categories,
                purpose=self.purpose,
                data=data,
            )


def people_gate(
    *,
    actor: Actor,
    purpose: str,
    kind: ReadKind,
    fields: Iterable[str] = (),
    refused: Callable[[str], RekisteriError] | None = None,
) -> PeopleRead:
    """The gate for a set of people: check the purpose, open the categories it serves.

    ``fields`` are what the read shows or looks at, named in its audit entry; for a
    lookup or an aggregate, a purpose that does not open all their categories is
    refused (with ``refused(purpose)``, if given). Each
    refusal is audited; the caller records the read itself (``PeopleRead.record``)
    once it knows whom it handed out.
    """
    policy = policy_get()

    def refuse(error: RekisteriError) -> RekisteriError:
        return refused_read(
            error,
            actor=actor,
            purposes=[purpose],
            person_id=None,
            why=ReadRefusal.PURPOSE,
            data={"read": str(kind)},
        )

    try:
        if kind == ReadKind.AGGREGATE:
            # Counting is not reading a person: the aggregates-only roles may count.
            purpose_require(actor=_counting(actor), purpose=purpose)
        else:
            purpose_require(actor=actor, purpose=purpose)
    except RekisteriError as error:
        raise refuse(error) from None
    opened = frozenset(
        key for key, category in policy.categories.items() if purpose in category.purposes
    )
    fields = tuple(fields)
    wanted = frozenset(policy.categories_of(*fields))
    # A message for the purpose (an audience, a survey) needs the person's name and
    # address even where the purpose's categories do not list them (a consent-based
    # purpose often does not): they are named in its audit entry, not refused.
    if kind != ReadKind.PROCESSING and fields and (not wanted or not wanted <= opened):
        raise refuse(
            refused(purpose)
            if refused is not None
            else Forbidden(
                f"the purpose {purpose!r} does not open the data this read needs",
                data={"purpose": purpose},
            )
        )
    categories = wanted if fields else opened
    return PeopleRead(
        actor=actor,
        purpose=purpose,
        kind=kind,
        categories=categories,
        people=people_readable(
            purpose, restricted_too=kind == ReadKind.LOOKUP and actor.sees_restricted
        ),
    )


def people_decide(*, person_ids: Iterable[int], decision: Any) -> dict[int, Any]:
    """What a rule laid on top of the gate (``decision``, an expression over the person,
    built from ``facts``) decides for each of these living people, restricted or not.
    Only the decision leaves, none of their data."""
    rows = (
        m.Person.objects.living()
        .filter(pk__in=list(person_ids))
        .annotate(decision=decision)
        .values_list("pk", "decision")
    )
    return dict(rows)


def _counting(actor: Actor) -> Actor:
    if not actor.aggregates_only:
        return actor
    return Actor(actor.kind, actor.id, purposes=actor.purposes, origin=actor.origin)
