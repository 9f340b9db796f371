"""Segments: hand-counted sizes, who is never counted, and an attempt to single someone out."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from rekisteri.analytics.disclosure import released
from rekisteri.analytics.segments import SegmentDefinition, segment_figures
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.core.errors import InvalidInput, PolicyRefusal
from rekisteri.register import services as s

pytestmark = pytest.mark.django_db
ANALYST = Actor(ActorKind.STAFF, "5", purposes=frozenset({"analytics", "feedback"}))
MARKETER = Actor(ActorKind.STAFF, "6", purposes=frozenset({"marketing"}))
_n = itertools.count(1)


def person(city: str, *, rating: int | None = None, active: bool = True) -> int:
    n = next(_n)
    p = s.person_register(
        actor=SYSTEM,
        source="subject",
        person=s.PersonIn(
            first_name="Segmentti",
            last_name=f"H{n}",
            email=f"seg{n}@example.fi",
            address=s.AddressIn("Kauppakatu 1", "70100", city),
        ),
    )
    c = s.customership_start(
        actor=SYSTEM, person_id=p.pk, source="subject", started_on=dt.date(2024, 1, 1)
    )
    if not active:
        s.customership_end(actor=SYSTEM, person_id=p.pk, customership_id=c.pk)
    if rating is not None:
        s.feedback_record(actor=SYSTEM, person_id=p.pk, source="subject", rating=rating)
    return p.pk


def size(definition: dict[str, Any], actor: Actor = ANALYST, purpose: str = "analytics") -> Any:
    return segment_figures(
        actor=actor, definition=SegmentDefinition.from_form(definition), purpose=purpose
    ).size


@pytest.fixture
def exact(settings: Any) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 0


def test_sizes_match_a_hand_count_and_small_segments_are_suppressed(exact: None) -> None:
    for _ in range(7):
        person("Kuopio", rating=5)
    for _ in range(6):
        person("Kuopio", rating=2, active=False)
    for _ in range(3):
        person("Oulu", rating=4)
    for _ in range(6):
        person("Tampere", rating=4)
    assert size({"city": "kuopio"}) == 13
    assert size({"city": "Kuopio", "customership": "active"}) == 7
    assert size({"city": "Kuopio", "customership": "ended", "rating_max": "3"}) == 6
    assert size({"city": "Oulu"}) is None  # three people
    figures = segment_figures(
        actor=ANALYST,
        definition=SegmentDefinition.from_form({"city": "Kuopio"}),
        purpose="analytics",
    )
    assert {(p.label, p.size) for p in figures.by_customership} == {("active", 7), ("ended", 6)}
    assert [(p.label, p.size) for p in figures.by_city] == [("Kuopio", 13)]


def test_restricted_and_objecting_people_are_never_counted(exact: None) -> None:
    people = [person("Vaasa") for _ in range(7)]
    s.person_restrict(actor=SYSTEM, person_id=people[0])
    consent_record(
        actor=SYSTEM, person_id=people[1], scope="marketing", action="objected", channel="letter"
    )
    consent_record(
        actor=SYSTEM, person_id=people[2], scope="analytics", action="objected", channel="letter"
    )
    assert size({"city": "Vaasa"}) == 5
    assert size({"city": "Vaasa"}, MARKETER, "marketing") == 5
    # Marketing segments leave out whoever objected to direct marketing.
    assert size({"city": "Vaasa", "marketable_by": "email"}, MARKETER, "marketing") == 5


def test_an_attempt_to_single_out_one_person_by_differencing_fails(settings: Any) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 2
    # Twelve customers in Kuopio; the analyst knows Xavier is one and wants his rating.
    for _ in range(11):
        person("Kuopio", rating=5)
    person("Kuopio", rating=1)  # Xavier, the only unhappy one

    # Difference of two segments: the narrowing filter sets apart one person: refused.
    everyone = size({"city": "Kuopio"})
    with pytest.raises(PolicyRefusal, match="rating_min sets apart fewer than 5"):
        size({"city": "Kuopio", "rating_min": "2"})
    # The narrow segment itself, and the make-up that would show him, are suppressed.
    assert size({"city": "Kuopio", "rating_max": "2"}) is None
    # Asking again gives the same perturbed figure, so repeating cannot average it away.
    assert size({"city": "Kuopio"}) == everyone
    assert everyone is not None


def test_released_counts_hide_small_cells_and_repeat_exactly(settings: Any) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 2
    assert released(0, 0) == 0
    assert released(4, 10) is None
    shown = {released(50, key) for key in range(1, 400)}
    # Moved by at most two, in both directions, and the same cell always gives the same.
    assert shown == {48, 49, 50, 51, 52}
    assert all(released(50, key) == released(50, key) for key in range(50))


def test_a_filter_that_makes_no_sense_is_refused() -> None:
    for bad in ({"city": "x" * 101}, {"rating_min": "9"}, {"customership": "maybe"}, {"age": "3"}):
        with pytest.raises(InvalidInput):
            SegmentDefinition.from_form(bad)


def test_an_analyst_defines_saves_and_reopens_a_segment_in_the_console(
    exact: None, enrolled: Any
) -> None:
    from tests.console.conftest import signed_in

    for _ in range(6):
        person("Kuopio")
    for _ in range(5):
        person("Oulu")
    analyst = signed_in(enrolled("anna", "analyst"))
    shown = analyst.get("/console/segments?purpose=analytics&city=Kuopio&show=1")
    assert shown.status_code == 200
    assert "<strong>Henkilöitä segmentissä:</strong> 6" in shown.content.decode()
    saved = analyst.post(
        "/console/segments", {"purpose": "analytics", "city": "Kuopio", "name": "Kuopiolaiset"}
    )
    assert saved.status_code == 200
    from rekisteri.analytics.models import Segment

    segment = Segment.objects.get()
    assert (segment.name, segment.definition) == ("Kuopiolaiset", {"city": "Kuopio"})
    again = analyst.get(f"/console/segments?segment={segment.pk}").content.decode()
    assert "Kuopiolaiset" in again
    refused = analyst.get("/console/segments?purpose=marketing&city=Kuopio&show=1")
    assert refused.status_code == 403
    bad = analyst.get("/console/segments?purpose=analytics&rating_min=abc&show=1")
    assert bad.status_code == 400
