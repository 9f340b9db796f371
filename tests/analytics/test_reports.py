"""Reports against a hand count on a small fixed register, with small cells suppressed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils.text import capfirst

from rekisteri.analytics.reports import (
    campaigns_report,
    customerships_report,
    feedback_report,
    report_get,
    services_report,
)
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.core.errors import Forbidden
from rekisteri.policy.schema import LegalBasis, PurposeUse
from rekisteri.register import services as s
from rekisteri.register.models import Delivery
from tests import policy_keys as keys
from tests.analytics.people import counting
from tests.console.conftest import said, signed_in

pytestmark = pytest.mark.django_db
# After the text date of every shipped description: no request arrives before it.
TODAY = dt.datetime(2027, 6, 15, 9, tzinfo=dt.UTC)
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen(settings: Any) -> Iterator[None]:
    # Exact hand counts: the perturbation that guards against differencing is off here
    # (tests/analytics/test_disclosure.py has it on).
    settings.REKISTERI_ANALYTICS_NOISE = 0
    with time_machine.travel(TODAY, tick=False):
        yield


def customer(started: dt.date, ended: dt.date | None = None) -> int:
    n = next(_n)
    person = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(first_name="Raportti", last_name=f"H{n}", email=f"r{n}@example.fi"),
    )
    c = s.customership_start(
        actor=SYSTEM, person_id=person.pk, source=keys.service_source(), started_on=started
    )
    if ended:
        s.customership_end(actor=SYSTEM, person_id=person.pk, customership_id=c.pk, ended_on=ended)
    return person.pk


def values(report: object) -> dict[str, list[object]]:
    return {row.label: [c.value for c in row.cells] for row in report.rows}  # type: ignore[attr-defined]


def asked_for_what_rests_on_consent(pid: int, *uses: PurposeUse) -> None:
    """The person consented to each purpose serving ``uses`` that rests on consent: only
    then does a report made for it count them (Norrsken's surveys and newsletter)."""
    for use in uses:
        purpose = keys.serving(use)
        if keys.policy().purposes[purpose].legal_basis == LegalBasis.CONSENT:
            consent_record(
                actor=SYSTEM,
                person_id=pid,
                scope=purpose,
                action="granted",
                channel="portal",
                text="Jag vill svara på kundundersökningar och få nyhetsbrev.",
            )


def smallest() -> int:
    """The fewest people a released count may describe (the description's min_cell_size)."""
    return keys.policy().anonymisation.min_cell_size


def test_customerships_by_month_match_a_hand_count_and_hide_small_cells() -> None:
    march = [customer(dt.date(2027, 3, 1 + i)) for i in range(smallest() + 1)]
    for i in range(2):
        customer(dt.date(2027, 4, 10 + i))
    for i in range(smallest()):
        customer(dt.date(2026, 1, 1), ended=dt.date(2027, 5, 15 + i))
    # Not counted: a restricted person, and one who objected to analytics (Art. 21(1)).
    s.person_restrict(actor=SYSTEM, person_id=customer(dt.date(2027, 3, 20)))
    objector = customer(dt.date(2027, 3, 21))
    consent_record(
        actor=SYSTEM,
        person_id=objector,
        scope=keys.statistics_purpose(),
        action="objected",
        channel="letter",
    )

    got = values(customerships_report(counting(PurposeUse.STATISTICS), months=4))

    assert got == {
        "03/2027": [len(march), 0],
        "04/2027": [None, 0],  # two people: fewer than the smallest cell
        "05/2027": [0, smallest()],
        "06/2027": [0, 0],
    }


def test_services_feedback_and_campaigns_match_a_hand_count() -> None:
    k = smallest()
    people = [customer(dt.date(2026, 1, 1)) for _ in range(k + 3)]
    for pid in people:
        asked_for_what_rests_on_consent(pid, PurposeUse.FEEDBACK, PurposeUse.CAMPAIGNS)
    for pid in people[:k]:
        s.service_subscription_start(
            actor=SYSTEM, person_id=pid, source=keys.service_source(), service="Pro"
        )
    for pid in people[k : k + 2]:
        s.service_subscription_start(
            actor=SYSTEM, person_id=pid, source=keys.service_source(), service="API"
        )
    may = dt.datetime(2027, 5, 10, 12, tzinfo=dt.UTC)
    # Ratings whose average is 4.0 by hand: one 5 and one 3 among fours.
    ratings = [4] * (k - 2) + [5, 3]
    for pid, rating in zip(people[:k], ratings, strict=True):
        s.feedback_record(
            actor=SYSTEM, person_id=pid, source=keys.subject_source(), rating=rating, given_at=may
        )
    april = dt.datetime(2027, 4, 10, 12, tzinfo=dt.UTC)
    for pid in people[k : k + 3]:
        s.feedback_record(
            actor=SYSTEM, person_id=pid, source=keys.subject_source(), rating=1, given_at=april
        )
    for i, pid in enumerate(people[: k + 1]):
        Delivery.objects.create(
            person_id=pid,
            channel="email",
            campaign="Kevät",
            sent_at=april,
            opened_at=april if i < k else None,
            clicked_at=april if i == 0 else None,
            stored_at=april,
            source=keys.marketing_source(),
        )

    if keys.statistics_purpose() in keys.purposes_of("service_subscription.service"):
        assert values(services_report(counting(PurposeUse.STATISTICS))) == {
            "API": [None],
            "Pro": [k],
        }
    else:
        # Norrsken's statistics do not read what its customers subscribe to.
        analyst = Actor(ActorKind.STAFF, "analyst", purposes=frozenset({keys.statistics_purpose()}))
        with pytest.raises(Forbidden):
            report_get(actor=analyst, key="services")
    feedback = values(feedback_report(counting(PurposeUse.FEEDBACK), months=3))
    assert feedback["05/2027"] == [k, 4.0]
    # Three people: neither their number nor their average rating is shown.
    assert feedback["04/2027"] == [None, None]
    assert values(campaigns_report(counting(PurposeUse.CAMPAIGNS))) == {
        f"Kevät ({said('e-mail')})": [k + 1, k, None]
    }


def test_the_console_shows_each_role_its_purposes_reports_and_the_csv_hides_small_cells(
    enrolled: Callable[[str, str], User],
) -> None:
    for i in range(2):
        customer(dt.date(2027, 4, 10 + i))
    analyst = signed_in(enrolled("anna", keys.analyst_role()))
    page = analyst.get("/console/reports").content.decode()
    assert said("New and ended customerships by month") in page
    assert f"&lt;{smallest()}" in page
    # Marketing's purpose, not the analyst's.
    assert said("Campaign deliveries and results") not in page
    download = analyst.get("/console/reports/customerships.csv")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert ["04/2027", f"<{smallest()}", "0"] in rows
    assert analyst.get("/console/reports/campaigns.csv").status_code == 403
    # A report on subscriptions only where the analyst's purposes may read them.
    services = keys.purposes_of("service_subscription.service")
    reads_services = bool(keys.role_purposes(keys.analyst_role()) & set(services))
    assert analyst.get("/console/reports/services.csv").status_code == (
        200 if reads_services else 403
    )
    assert (said("Active customers by service") in page) == reads_services
    assert analyst.get("/console/reports/nothing.csv").status_code == 404
    marketer = signed_in(enrolled("maija", keys.marketing_role()))
    assert marketer.get("/console/reports/campaigns.csv").status_code == 200
    assert marketer.get("/console/reports/customerships.csv").status_code == 403


def test_request_volumes_by_right_are_the_request_handlers_report(
    enrolled: Callable[[str, str], User],
) -> None:
    from rekisteri.rights.services import request_create

    for _ in range(smallest()):
        request_create(
            actor=SYSTEM, person_id=customer(dt.date(2027, 1, 1)), kind="access", channel="letter"
        )
    request_create(
        actor=SYSTEM, person_id=customer(dt.date(2027, 1, 1)), kind="erasure", channel="letter"
    )
    dpo = signed_in(enrolled("tove", keys.request_role()))
    rows = list(csv.reader(io.StringIO(dpo.get("/console/reports/requests.csv").content.decode())))
    assert rows[1:] == [
        [capfirst(said("access to own data")), str(smallest())],
        [capfirst(said("erasure (right to be forgotten)")), f"<{smallest()}"],
    ]
    analyst = signed_in(enrolled("anna", keys.analyst_role()))
    assert analyst.get("/console/reports/requests.csv").status_code == 403


def test_usage_by_month_counts_people_and_their_events_by_hand() -> None:
    from rekisteri.analytics.reports import usage_report

    may = dt.datetime(2027, 5, 3, 12, tzinfo=dt.UTC)
    june = dt.datetime(2027, 6, 2, 12, tzinfo=dt.UTC)
    busy = [customer(dt.date(2026, 1, 1)) for _ in range(smallest())]
    for pid in busy:
        for _ in range(3):
            s.usage_event_record(
                actor=SYSTEM, person_id=pid, source=keys.service_source(), action="report.open",
                occurred_at=may,
            )  # fmt: skip
    for pid in busy[:2]:
        s.usage_event_record(
            actor=SYSTEM,
            person_id=pid,
            source=keys.service_source(),
            action="login",
            occurred_at=june,
        )
    got = values(usage_report(counting(PurposeUse.STATISTICS), months=3))
    assert got["05/2027"] == [smallest(), 3 * smallest()]
    # Two people in June: neither they nor their events are shown.
    assert got["06/2027"] == [None, None]
    assert got["04/2027"] == [0, 0]
