"""Reports stay readable: the largest rows and a count, distinct labels, no blank chart."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.register.models import Delivery
from tests import policy_keys as keys
from tests.console.conftest import said, signed_in, visible

APRIL = dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC)


def smallest() -> int:
    """The fewest people a released count may describe (the description's min_cell_size)."""
    return keys.policy().anonymisation.min_cell_size


@pytest.fixture(autouse=True)
def exact(settings: Any) -> Iterator[None]:
    settings.REKISTERI_ANALYTICS_NOISE = 0
    with time_machine.travel(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC), tick=False):
        yield


def _customers(n: int) -> list[int]:
    """Customers whom the company's own marketing may count: where it rests on consent
    alone (Norrsken), they gave it."""
    ids = []
    for i in range(n):
        person = s.person_register(
            actor=SYSTEM,
            source=keys.subject_source(),
            person=s.PersonIn(first_name="Raportti", last_name=f"R{i}", email=f"r{i}@example.fi"),
        )
        s.customership_start(
            actor=SYSTEM,
            person_id=person.pk,
            source=keys.service_source(),
            started_on=dt.date(2025, 1, 1),
        )
        if keys.consent_marketing_purpose() == keys.marketing_purpose():
            consent_record(
                actor=SYSTEM,
                person_id=person.pk,
                scope=keys.marketing_purpose(),
                action="granted",
                channel="portal",
                text="Jag vill få nyhetsbrev.",
            )
        ids.append(person.pk)
    return ids


def test_many_campaigns_show_the_largest_and_a_count_and_the_csv_has_them_all(
    enrolled: Callable[[str, str], User],
) -> None:
    people = _customers(smallest() + 1)
    Delivery.objects.bulk_create(
        Delivery(
            person_id=pid,
            channel="email",
            campaign=f"Kampanja {c:02d}",
            sent_at=APRIL,
            stored_at=APRIL,
            source=keys.marketing_source(),
        )
        for c in range(40)
        # Campaign 07 reached everyone; the rest fewer than the smallest cell each.
        for pid in (people if c == 7 else people[:2])
    )
    marketer = signed_in(enrolled("mikko", keys.marketing_role()))

    html = marketer.get("/console/reports").content.decode()
    page = visible(html)
    csv = marketer.get("/console/reports/campaigns.csv").content.decode()

    cut = "The %(shown)s largest of %(n)s rows are shown; the CSV file has every row."
    assert said(cut) % {"shown": 15, "n": 40} in page
    email = said("e-mail")
    assert page.index(f"Kampanja 07 ({email})") < page.index(f"Kampanja 00 ({email})")
    assert html.count('<th scope="row">Kampanja ') == 15
    assert csv.count("Kampanja ") == 40


def test_bar_labels_stay_distinct_and_a_chart_with_nothing_to_draw_is_not_drawn(
    enrolled: Callable[[str, str], User],
) -> None:
    people = _customers(3 * smallest())
    # Three campaigns whose names differ only at their end, each reaching a third.
    campaigns = (
        "Mainio Analyysipalvelu Yritys Perus",
        "Mainio Analyysipalvelu Yritys Plus",
        "Mainio Analyysipalvelu Yritys Premium",
    )
    Delivery.objects.bulk_create(
        Delivery(
            person_id=pid,
            channel="email",
            campaign=campaigns[i % 3],
            sent_at=APRIL,
            stored_at=APRIL,
            source=keys.marketing_source(),
        )
        for i, pid in enumerate(people)
    )
    marketer = signed_in(enrolled("mikko", keys.marketing_role()))
    analyst = signed_in(enrolled("anna", keys.analyst_role()))

    html = marketer.get("/console/reports").content.decode()
    analysed = analyst.get("/console/reports").content.decode()

    labels = re.findall(r'<text x="0" y="\d+" font-size="12">([^<]*)</text>', html)
    drawn = [label for label in labels if label.startswith("Mainio")]
    assert len(drawn) == 3
    assert len(set(drawn)) == 3
    # Every month's new customerships count fewer than the smallest cell or none: no
    # empty frame, but a sentence.
    empty = "Every figure counts fewer than %(n)s people or none: nothing to chart."
    assert said(empty) % {"n": smallest()} in visible(analysed)
    if keys.language() != "en":
        assert "nothing to chart" not in analysed
