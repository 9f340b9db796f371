"""The current state of a person's choices, derived from the ledger, and its proof."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.consent.marketing import direct_marketing_purposes
from rekisteri.consent.models import ConsentAction, ConsentEvent, ConsentText
from rekisteri.consent.scopes import scope_problem
from rekisteri.core.actors import Actor
from rekisteri.core.errors import NotFound
from rekisteri.policy.selectors import policy_get
from rekisteri.register.gate import person_living
from rekisteri.register.models import Delivery
from rekisteri.register.selectors import people_count


def consent_latest(*, person_id: int, scopes: list[str]) -> ConsentEvent | None:
    """The person's latest event on any of these scopes."""
    return (
        ConsentEvent.objects.filter(person_id=person_id, scope__in=scopes)
        .order_by("-occurred_at", "-pk")
        .first()
    )


def consent_state(*, person_id: int) -> dict[str, ConsentEvent]:
    """The latest event of each scope the person has chosen on: their choices now."""
    state: dict[str, ConsentEvent] = {}
    for event in ConsentEvent.objects.filter(person_id=person_id).order_by("occurred_at", "pk"):
        state[event.scope] = event
    return state


def direct_marketing_objections(
    *, person_id: int, state: dict[str, ConsentEvent] | None = None
) -> list[str]:
    """The scopes on which the person's prohibition of direct marketing is in force
    (from ``state`` when the caller has read it already)."""
    direct = set(direct_marketing_purposes())
    found = consent_state(person_id=person_id) if state is None else state
    return [
        scope
        for scope, event in found.items()
        if event.action == ConsentAction.OBJECTED and scope.partition(":")[0] in direct
    ]


def consent_history(*, person_id: int) -> list[ConsentEvent]:
    return list(ConsentEvent.objects.filter(person_id=person_id).order_by("-occurred_at", "-pk"))


def consent_proof(*, actor: Actor, person_id: int) -> dict[str, Any]:
    """What the person agreed to, refused and objected to, when, how, and the words shown.

    The events are the ledger's as they were appended; each text is the one
    stored under the hash the event names (Art. 7(1)). The export is audited.
    """
    if not person_living(person_id):
        raise NotFound(f"there is no person {person_id}", data={"person_id": person_id})
    audit_record(
        actor=actor,
        event=AuditEvent.DATA_EXPORTED,
        person_id=person_id,
        categories=policy_get().categories_of("consent_event.scope"),
        data={"export": "consent proof"},
    )
    events = list(ConsentEvent.objects.filter(person_id=person_id).order_by("occurred_at", "pk"))
    texts = {
        t.text_hash: t
        for t in ConsentText.objects.filter(text_hash__in={e.text_hash for e in events})
    }
    state = {e.scope: str(e.action) for e in events}
    return {
        "person_id": person_id,
        "current": dict(sorted(state.items())),
        "events": [
            {
                "scope": e.scope,
                "action": str(e.action),
                "occurred_at": e.occurred_at.isoformat(),
                "channel": e.channel,
                "notice_version": e.notice_version,
                "text_hash": e.text_hash or None,
                "text": texts[e.text_hash].text if e.text_hash in texts else None,
                "text_language": texts[e.text_hash].language if e.text_hash in texts else None,
            }
            for e in events
        ],
    }


def deliveries_despite_objection() -> int:
    """Direct marketing sent while an objection to it was in force (Art. 21(3)): never allowed."""
    purposes = direct_marketing_purposes()
    if not purposes:
        return 0
    on_channel = reduce(
        or_, (Q(scope=Concat(Value(f"{p}:"), OuterRef("channel"))) for p in purposes)
    )
    lifted_before_sending = ConsentEvent.objects.filter(
        person_id=OuterRef("person_id"),
        scope=OuterRef("scope"),
        action=ConsentAction.LIFTED,
        occurred_at__gt=OuterRef("occurred_at"),
        occurred_at__lte=OuterRef(OuterRef("sent_at")),
    )
    objected = ConsentEvent.objects.filter(
        Q(scope__in=purposes) | on_channel,
        person_id=OuterRef("person_id"),
        action=ConsentAction.OBJECTED,
        occurred_at__lte=OuterRef("sent_at"),
    ).exclude(Exists(lifted_before_sending))
    return Delivery.objects.filter(Exists(objected)).count()


def deliveries_while_restricted() -> int:
    """Marketing sent to a person while their processing is restricted (Art. 18)."""
    return Delivery.objects.filter(person__restricted_since__lte=F("sent_at")).count()


@dataclass(frozen=True)
class ConsentRate:
    """How the people of the register stand on one scope: counts by their latest choice."""

    scope: str
    granted: int
    withdrawn: int
    objected: int
    people: int

    @property
    def rate(self) -> float:
        """The share of the register's people whose consent on the scope stands."""
        return self.granted / self.people if self.people else 0.0


def consent_rates() -> list[ConsentRate]:
    """Per scope chosen on, how many people's latest choice grants, withdraws or objects.

    Counts only: the data protection officer's overview, no one's data. The
    latest event per person and scope comes from the (person, scope, time) index.
    """
    latest = ConsentEvent.objects.filter(
        person_id=OuterRef("person_id"), scope=OuterRef("scope")
    ).order_by("-occurred_at", "-pk")
    rows = (
        ConsentEvent.objects.filter(person__erased_at__isnull=True)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .values("scope", "action")
        .annotate(n=Count("pk"))
    )
    by_scope: dict[str, dict[str, int]] = {}
    for row in rows:
        by_scope.setdefault(row["scope"], {})[row["action"]] = row["n"]
    people = people_count()
    return [
        ConsentRate(
            scope,
            counts.get(ConsentAction.GRANTED, 0),
            counts.get(ConsentAction.WITHDRAWN, 0),
            counts.get(ConsentAction.OBJECTED, 0),
            people,
        )
        for scope, counts in sorted(by_scope.items())
    ]


def consent_events_unlisted_scope() -> int:
    """Events on a scope the policy does not list for their choice (after the policy
    changed, or written past the services): the rule is applied to each distinct
    scope and choice of the ledger, not to each event."""
    policy = policy_get()
    distinct = ConsentEvent.objects.values("scope", "action").annotate(n=Count("pk")).order_by()
    return sum(
        row["n"]
        for row in distinct
        if scope_problem(policy, row["scope"], row["action"]) is not None
    )
