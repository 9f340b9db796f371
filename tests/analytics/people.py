"""A person of the analytics tests: a customer in a city, with what the test needs."""

from __future__ import annotations

import datetime as dt
import itertools

from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.policy.schema import PurposeUse
from rekisteri.register import services as s
from rekisteri.register.gate import PeopleRead, ReadKind, people_gate
from tests import policy_keys as keys

_n = itertools.count(1)


def person(
    city: str = "Kuopio",
    *,
    rating: int | None = None,
    active: bool = True,
    service: str = "",
    research: bool = False,
    marketing: bool = False,
) -> int:
    """A customer; ``research`` gives the survey consent; ``marketing`` makes them one the
    company's own marketing may count: where it rests on consent alone, they gave it."""
    n = next(_n)
    p = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name="Segmentti",
            last_name=f"H{n}",
            email=f"seg{n}@example.fi",
            address=s.AddressIn("Kauppakatu 1", "70100", city),
        ),
    )
    c = s.customership_start(
        actor=SYSTEM, person_id=p.pk, source=keys.service_source(), started_on=dt.date(2024, 1, 1)
    )
    if not active:
        s.customership_end(actor=SYSTEM, person_id=p.pk, customership_id=c.pk)
    if service:
        s.service_subscription_start(
            actor=SYSTEM,
            person_id=p.pk,
            source=keys.service_source_for("service_subscription.service"),
            service=service,
        )
    if rating is not None:
        s.feedback_record(actor=SYSTEM, person_id=p.pk, source=keys.subject_source(), rating=rating)
    if research:
        consent_record(
            actor=SYSTEM,
            person_id=p.pk,
            scope=keys.survey_purpose(),
            action="granted",
            channel="portal",
            text="Saa pyytää vastaamaan kyselyihin.",
        )
    if marketing and keys.consent_marketing_purpose() == keys.marketing_purpose():
        consent_record(
            actor=SYSTEM,
            person_id=p.pk,
            scope=keys.marketing_purpose(),
            action="granted",
            channel="portal",
            text="Saa lähettää uutiskirjeitä.",
        )
    return p.pk


def counting(use: PurposeUse) -> PeopleRead:
    """The gate as an analyst passes it to count people for the purpose serving ``use``."""
    purpose = keys.serving(use)
    analyst = Actor(ActorKind.STAFF, "analyst", purposes=frozenset({purpose}), aggregates_only=True)
    return people_gate(actor=analyst, purpose=purpose, kind=ReadKind.AGGREGATE)
