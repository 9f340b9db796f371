"""Reports stay readable: the largest rows and a count, distinct labels, no blank chart."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.register.models import Delivery
from tests import policy_keys as keys
from tests.console.conftest import signed_in, visible

APRIL = dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def exact(settings: Any) -> Iterator[None]:
    settings.REKISTERI_ANALYTICS_NOISE = 0
    with time_machine.travel(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC), tick=False):
        yield


def _customers(n: int) -> list[int]:
    ids = []
    for i in range(n):
        person = s.person_register(
            actor=SYSTEM,
            source="subject",
            person=s.PersonIn(first_name="Raportti", last_name=f"R{i}", email=f"r{i}@example.fi"),
        )
        s.customership_start(
            actor=SYSTEM,
            person_id=person.pk,
            source="analysis_service",
            started_on=dt.date(2025, 1, 1),
        )
        ids.append(person.pk)
    return ids


def test_many_campaigns_show_the_largest_and_a_count_and_the_csv_has_them_all(
    enrolled: Callable[[str, str], User],
) -> None:
    people = _customers(6)
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
        # Campaign 07 reached everyone; the rest fewer than five each.
        for pid in (people if c == 7 else people[:2])
    )
    marketer = signed_in(enrolled("mikko", keys.marketing_role()))

    html = marketer.get("/console/reports").content.decode()
    page = visible(html)
    csv = marketer.get("/console/reports/campaigns.csv").content.decode()

    assert "15 suurinta 40 rivistä näytetään; CSV-tiedostossa ovat kaikki rivit." in page
    assert page.index("Kampanja 07 (sähköposti)") < page.index("Kampanja 00 (sähköposti)")
    assert html.count('<th scope="row">Kampanja ') == 15
    assert csv.count("Kampanja ") == 40


def test_bar_labels_stay_distinct_and_a_chart_with_nothing_to_draw_is_not_drawn(
    enrolled: Callable[[str, str], User],
) -> None:
    people = _customers(15)
    for i, pid in enumerate(people):
        service = (
            "Mainio Analyysipalvelu Yritys Perus",
            "Mainio Analyysipalvelu Yritys Plus",
            "Mainio Analyysipalvelu Yritys Premium",
        )[i % 3]
        s.service_subscription_start(
            actor=SYSTEM, person_id=pid, source="analysis_service", service=service
        )
    analyst = signed_in(enrolled("anna", "analyst"))

    html = analyst.get("/console/reports").content.decode()

    labels = re.findall(r'<text x="0" y="\d+" font-size="12">([^<]*)</text>', html)
    services = [label for label in labels if label.startswith("Mainio")]
    assert len(services) == 3
    assert len(set(services)) == 3
    # Every month's new customerships count fewer than five or none: no empty frame.
    assert "nothing to chart" not in html
    assert "Jokainen luku koskee alle 5 henkilöä tai ei ketään: ei piirrettävää." in visible(html)
