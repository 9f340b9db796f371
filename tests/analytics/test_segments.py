"""Segments: hand-counted sizes, who is never counted, and attempts to single someone out."""

from __future__ import annotations

from typing import Any

import pytest

from rekisteri.analytics.disclosure import released
from rekisteri.analytics.models import Segment
from rekisteri.analytics.segments import SegmentDefinition, segment_figures, segment_save
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.core.errors import Forbidden, InvalidInput, PolicyRefusal
from rekisteri.register import services as s
from rekisteri.register.models import Feedback
from tests import policy_keys as keys
from tests.analytics.people import person

pytestmark = pytest.mark.django_db
ANALYST = Actor(
    ActorKind.STAFF, "5", purposes=frozenset({keys.statistics_purpose(), keys.feedback_purpose()})
)
MARKETER = Actor(ActorKind.STAFF, "6", purposes=frozenset({keys.marketing_purpose()}))
RESEARCHER = Actor(ActorKind.STAFF, "7", purposes=frozenset({keys.survey_purpose()}))


def figures(definition: dict[str, Any], actor: Actor = ANALYST, purpose: str | None = None) -> Any:
    return segment_figures(
        actor=actor,
        definition=SegmentDefinition.from_form(definition),
        purpose=purpose or keys.statistics_purpose(),
    )


@pytest.fixture
def exact(settings: Any) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 0


def smallest() -> int:
    """The fewest people a released count may describe (the description's min_cell_size)."""
    return keys.policy().anonymisation.min_cell_size


def opens(purpose: str, field: str) -> bool:
    """Whether the description's category of ``field`` serves ``purpose``."""
    return purpose in keys.purposes_of(field)


def test_sizes_and_make_up_match_a_hand_count(exact: None) -> None:
    # Every group but the second service's at least the smallest cell shown, so that
    # each filter sets apart enough people to be applied.
    pro, ended, api = smallest() + 2, smallest() + 1, 3
    for _ in range(pro):
        person(service="Pro", marketing=True)
    for _ in range(ended):
        person(active=False, marketing=True)
    for _ in range(api):
        person(service="API", marketing=True)
    active = figures({"customership": "active"})
    assert active.size == pro + api
    assert figures({"customership": "ended"}).size == ended
    # A purpose sees the make-up its categories open: analytics, not the address.
    assert active.by_city == []
    if opens(keys.statistics_purpose(), "service_subscription.service"):
        assert {(p.label, p.size) for p in active.by_service} == {("API", None), ("Pro", pro)}
        assert figures({"service": "Pro"}).size == pro
    else:
        # Norrsken's statistics do not read what its customers subscribe to.
        assert active.by_service == []
        with pytest.raises(Forbidden, match="does not open"):
            figures({"service": "Pro"})
    by_city = figures({"city": "Kuopio"}, MARKETER, keys.marketing_purpose())
    assert [(p.label, p.size) for p in by_city.by_city] == [("Kuopio", pro + ended + api)]


def test_a_segment_too_small_to_describe_shows_nothing_about_it(exact: None) -> None:
    for _ in range(smallest() + 3):
        person()
    person(active=False)
    with pytest.raises(PolicyRefusal, match=f"fewer than {smallest()} people"):
        figures({"customership": "ended"})


def test_each_purpose_filters_only_on_what_serves_it(exact: None) -> None:
    for _ in range(smallest() + 1):
        person(rating=4, research=True, marketing=True)
    filters = {
        "rating_min": ("3", "feedback.rating"),
        "consented_to": (keys.survey_purpose(), "consent_event.scope"),
        "city": ("Kuopio", "postal_address.city"),
    }
    refused = 0
    for actor, purpose in (
        (ANALYST, keys.statistics_purpose()),
        (MARKETER, keys.marketing_purpose()),
        (RESEARCHER, keys.survey_purpose()),
    ):
        for name, (value, field) in filters.items():
            if opens(purpose, field):
                assert figures({name: value}, actor, purpose).size == smallest() + 1
            else:
                with pytest.raises(Forbidden, match="does not open"):
                    figures({name: value}, actor, purpose)
                refused += 1
    # Each description has purposes that may not filter on another's data.
    assert refused >= 2
    assert figures({"rating_min": "3"}, RESEARCHER, keys.survey_purpose()).size == smallest() + 1


def test_restricted_and_objecting_people_are_never_counted(exact: None) -> None:
    # Three over the smallest cell shown; two of them are left out of each count.
    size = keys.policy().anonymisation.min_cell_size + 3
    people = [person("Vaasa") for _ in range(size)]
    if keys.consent_marketing_purpose() == keys.marketing_purpose():
        # Marketing on consent only (Norrsken): everyone has given it, so that only the
        # restriction and the objection leave people out.
        for pid in people:
            consent_record(
                actor=SYSTEM,
                person_id=pid,
                scope=keys.marketing_purpose(),
                action="granted",
                channel="portal",
                text="Saa lähettää uutiskirjeitä.",
            )
    s.person_restrict(actor=SYSTEM, person_id=people[0])
    consent_record(
        actor=SYSTEM,
        person_id=people[1],
        scope=keys.marketing_purpose(),
        action="objected",
        channel="letter",
    )
    consent_record(
        actor=SYSTEM,
        person_id=people[2],
        scope=keys.statistics_purpose(),
        action="objected",
        channel="letter",
    )
    assert figures({"customership": "active"}).size == size - 2
    assert figures({"city": "Vaasa"}, MARKETER, keys.marketing_purpose()).size == size - 2
    assert figures({"marketable_by": "email"}, MARKETER, keys.marketing_purpose()).size == size - 2


def test_differencing_two_segments_cannot_tell_whether_one_person_matches(settings: Any) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 2
    # Twelve people who agreed to research; the analyst knows Xavier is one of them and
    # wants to learn whether he is unhappy.
    for _ in range(11):
        person(rating=5, research=True)
    xavier = person(rating=1, research=True)
    everyone = figures({"consented_to": keys.survey_purpose()}, RESEARCHER, keys.survey_purpose())
    narrowed = figures(
        {"consented_to": keys.survey_purpose(), "rating_min": "2"},
        RESEARCHER,
        keys.survey_purpose(),
    )
    # The filter sets apart one person, so it is not applied: the same figures as if
    # it set apart no one, which is what they would be had he been happy.
    assert narrowed == everyone
    Feedback.objects.filter(person_id=xavier).update(rating=5)
    happy = figures(
        {"consented_to": keys.survey_purpose(), "rating_min": "2"},
        RESEARCHER,
        keys.survey_purpose(),
    )
    assert happy == narrowed
    # The narrow segment on its own shows nothing, whichever world it is.
    Feedback.objects.filter(person_id=xavier).update(rating=1)
    with pytest.raises(PolicyRefusal):
        figures({"rating_max": "2"}, RESEARCHER, keys.survey_purpose())
    # Asking again gives the same perturbed figure, so repeating cannot average it away.
    assert (
        figures({"consented_to": keys.survey_purpose()}, RESEARCHER, keys.survey_purpose())
        == everyone
    )


def test_released_counts_hide_small_cells_and_repeat_exactly(settings: Any) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 2
    assert released(0, 0) == 0
    assert released(4, 10) is None
    shown = {released(50, key) for key in range(1, 400)}
    # Moved by at most two, in both directions, and the same cell always gives the same.
    assert shown == {48, 49, 50, 51, 52}
    assert all(released(50, key) == released(50, key) for key in range(50))


def test_a_filter_that_makes_no_sense_is_refused(exact: None) -> None:
    for bad in ({"city": "x" * 101}, {"rating_min": "9"}, {"customership": "maybe"}, {"age": "3"}):
        with pytest.raises(InvalidInput):
            SegmentDefinition.from_form(bad)
    with pytest.raises(InvalidInput, match="at least one filter"):
        figures({})
    with pytest.raises(InvalidInput, match="rating_min"):
        figures({"rating_min": "4", "rating_max": "2"}, RESEARCHER, keys.survey_purpose())


def test_a_segment_is_saved_only_when_it_can_be_shown(exact: None) -> None:
    for _ in range(smallest() + 1):
        person(marketing=True)
    person(active=False, marketing=True)
    with pytest.raises(PolicyRefusal):
        segment_save(
            actor=ANALYST,
            name="yksi",
            purpose=keys.statistics_purpose(),
            definition=SegmentDefinition.from_form({"customership": "ended"}),
        )
    assert not Segment.objects.exists()
    segment_save(
        actor=ANALYST,
        name="Aktiiviset",
        purpose=keys.statistics_purpose(),
        definition=SegmentDefinition.from_form({"customership": "active"}),
    )
    # Another purpose's names are its own.
    segment_save(
        actor=MARKETER,
        name="Aktiiviset",
        purpose=keys.marketing_purpose(),
        definition=SegmentDefinition.from_form({"city": "Kuopio"}),
    )
    assert sorted(Segment.objects.values_list("purpose", "name")) == [
        (keys.statistics_purpose(), "Aktiiviset"),
        (keys.marketing_purpose(), "Aktiiviset"),
    ]


def test_an_analyst_defines_saves_and_reopens_a_segment_in_the_console(
    exact: None, enrolled: Any
) -> None:
    from django.utils.translation import gettext_lazy

    from tests.console.conftest import signed_in

    # Cells no smaller than the policy shows, so that the filter is applied.
    active = keys.policy().anonymisation.min_cell_size + 1
    for _ in range(active):
        person()
    for _ in range(active - 1):
        person(active=False)
    analyst = signed_in(enrolled("anna", keys.analyst_role()))
    shown = analyst.get(
        f"/console/segments?purpose={keys.statistics_purpose()}&customership=active&show=1"
    )
    assert shown.status_code == 200
    shown_size = f"<strong>{keys.words(gettext_lazy('People in the segment'))}:</strong> {active}"
    assert shown_size in shown.content.decode()
    saved = analyst.post(
        "/console/segments",
        {"purpose": keys.statistics_purpose(), "customership": "active", "name": "Nyt"},
    )
    assert saved.status_code == 200
    segment = Segment.objects.get()
    assert (segment.name, segment.definition) == ("Nyt", {"customership": "active"})
    again = analyst.get(f"/console/segments?segment={segment.pk}").content.decode()
    assert "Nyt" in again
    refused = analyst.get(
        f"/console/segments?purpose={keys.marketing_purpose()}&city=Kuopio&show=1"
    )
    assert refused.status_code == 403
    bad = analyst.get(
        f"/console/segments?purpose={keys.statistics_purpose()}&customer_months_min=abc&show=1"
    )
    assert bad.status_code == 400
