"""Heavy reads on a real streaming replica; writes, the audit and fresh reads on the primary.

Each test freezes the replica (``pg_wal_replay_pause()``) and writes on the
primary: what a heavy read shows then is what the replica holds, so a stale
figure proves the read went there, and a fresh one that it did not.

PostgreSQL only (tests/core/conftest.py leaves this module out on SQLite); the
clusters are made by tests/core/replica.py and removed after the module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections, transaction
from django.test import override_settings

from rekisteri.analytics.reports import Report, customerships_report
from rekisteri.analytics.segments import SegmentDefinition, segment_figures
from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.consent.marketing import (
    audience_page,
    marketing_audience,
    marketing_audience_count,
    own_marketing_purpose,
)
from rekisteri.consent.services import consent_record
from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.core.routing import stale_reads
from rekisteri.policy.schema import PurposeUse
from rekisteri.register import services as s
from rekisteri.register.models import Person
from rekisteri.retention.sweep import retention_preview
from rekisteri.rights.selectors import requests_volume
from rekisteri.rights.services import request_create
from tests import policy_keys as keys
from tests.analytics.people import counting
from tests.console.conftest import signed_in
from tests.core.replica import replay_paused, replica_caught_up, replicated_pair

REPLICA = "replica_under_test"
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
_n = itertools.count(1)


@pytest.fixture(scope="module")
def replica(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The suite's test database copied onto a primary with a streaming replica; for the
    module, ``default`` is that primary and the router's one replica is the replica."""
    test_db = connections["default"].settings_dict
    if test_db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("the replica tests run only in the suite's PostgreSQL run")
    with django_db_blocker.unblock(), replicated_pair() as pair:
        pair.copy_database(test_db["NAME"], test_db)
        primary = {**test_db, "HOST": "127.0.0.1", "PORT": pair.primary_port, "CONN_MAX_AGE": 0}
        # A mirror to Django's test machinery: never created, never flushed.
        standby = {**primary, "PORT": pair.replica_port, "TEST": {"MIRROR": "default"}}
        connections["default"].close()
        connections["default"].settings_dict = primary
        connections.settings[REPLICA] = standby
        try:
            with override_settings(REKISTERI_DATABASE_REPLICAS=[REPLICA]):
                yield REPLICA
        finally:
            connections[REPLICA].close()
            del connections[REPLICA]
            del connections.settings[REPLICA]
            connections["default"].close()
            connections["default"].settings_dict = test_db


@pytest.fixture(autouse=True)
def exact(settings: Any) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 0


def customer(*, ended_on: dt.date | None = None) -> int:
    n = next(_n)
    person = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name="Replika",
            last_name=f"H{n}",
            email=f"replika{n}@example.fi",
            address=s.AddressIn("Kauppakatu 1", "70100", "Kuopio"),
        ),
    )
    started = clock.today() if ended_on is None else ended_on - dt.timedelta(days=400)
    c = s.customership_start(
        actor=SYSTEM, person_id=person.pk, source=keys.service_source(), started_on=started
    )
    if ended_on is not None:
        s.customership_end(
            actor=SYSTEM, person_id=person.pk, customership_id=c.pk, ended_on=ended_on
        )
    return person.pk


def new_this_month(report: Report) -> object:
    return report.rows[-1].cells[0].value


def csv_new_this_month(response: Any) -> str:
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    return rows[-1][1]


def reports_viewed(alias: str) -> int:
    return (
        AuditEntry.objects.using(alias)
        .filter(event=AuditEvent.REPORT_VIEWED, data__report="customerships")
        .count()
    )


def test_a_report_shows_the_replica_while_the_persons_page_shows_the_correction(
    replica: str, enrolled: Callable[[str, str], User]
) -> None:
    analyst = signed_in(enrolled("anna", keys.analyst_role()))
    clerk = signed_in(enrolled("aino", keys.service_role()))
    first = [customer() for _ in range(6)]

    with replay_paused(replica):
        for _ in range(5):
            customer()
        s.person_rectify(
            actor=SYSTEM,
            person_id=first[0],
            reason="Uusi osoite",
            purpose=None,
            email="korjattu@example.fi",
        )
        report = analyst.get("/console/reports/customerships.csv")
        page = clerk.get(f"/console/people/{first[0]}?purpose={keys.relationship_purpose()}")
        audited_on_primary, audited_on_replica = reports_viewed("default"), reports_viewed(replica)

    # The heavy read: the six the replica holds, not the eleven on the primary.
    assert report.status_code == 200
    assert csv_new_this_month(report) == "6"
    # The person's page must see its own write: the correction is there.
    assert page.status_code == 200
    assert "korjattu@example.fi" in page.content.decode()
    # The report's audit entry was written, on the primary.
    assert (audited_on_primary, audited_on_replica) == (1, 0)

    replica_caught_up(replica)
    assert csv_new_this_month(analyst.get("/console/reports/customerships.csv")) == "11"
    replica_caught_up(replica)
    assert reports_viewed(replica) == 2


def test_segments_the_preview_and_counts_read_the_replica_the_hand_out_reads_the_primary(
    replica: str,
) -> None:
    long_ago = clock.add_months(clock.today(), -60)
    present = [customer() for _ in range(6)]
    for _ in range(5):
        customer(ended_on=long_ago)
    request_create(actor=SYSTEM, person_id=present[0], kind="access", channel="letter")
    purpose = own_marketing_purpose()
    marketer = Actor(ActorKind.STAFF, "6", purposes=frozenset({purpose}))
    kuopio = SegmentDefinition.from_form({"city": "Kuopio"})
    since = clock.today().replace(day=1)

    with replay_paused(replica):
        joined = [customer() for _ in range(6)]
        for _ in range(5):
            customer(ended_on=long_ago)
        request_create(actor=SYSTEM, person_id=present[1], kind="access", channel="letter")
        # An objection is in force at once (GDPR Art. 21(3)).
        consent_record(
            actor=SYSTEM, person_id=present[0], scope=purpose, action="objected", channel="letter"
        )
        segment = segment_figures(actor=marketer, definition=kuopio, purpose=purpose)
        preview = retention_preview(months=1)
        count = marketing_audience_count(purpose=purpose, channel="email")
        volume = requests_volume(since=since)
        fresh_count = marketing_audience(purpose=purpose, channel="email").count()
        handed_out = audience_page(actor=marketer, purpose=purpose, channel="email")

    # What the replica held: 11 people in Kuopio, 5 overdue, 6 reachable, 1 request.
    assert segment.size == 11
    assert preview[0].people == 5
    assert count == 6
    assert [(row["kind"], row["n"]) for row in volume] == [("access", 1)]
    # Who may be marketed to is read on the primary: the new customers in, the objector out.
    assert fresh_count == 11
    assert [r.person_id for r in handed_out] == present[1:] + joined

    replica_caught_up(replica)
    # 22 people, less the one who objected.
    assert segment_figures(actor=marketer, definition=kuopio, purpose=purpose).size == 21
    assert retention_preview(months=1)[0].people == 10


def test_writes_go_to_the_primary_and_a_transaction_reads_its_own_writes(replica: str) -> None:
    with replay_paused(replica):
        with stale_reads():
            # A write inside a stale block: on the primary (a replica refuses writes).
            written = customer()
            stale = new_this_month(customerships_report(counting(PurposeUse.STATISTICS)))
            with transaction.atomic():
                for _ in range(5):
                    customer()
                inside = new_this_month(customerships_report(counting(PurposeUse.STATISTICS)))
        on_primary = Person.objects.using("default").filter(pk=written).exists()
        on_replica = Person.objects.using(replica).filter(pk=written).exists()

    assert (on_primary, on_replica) == (True, False)
    # Outside a transaction the report is the replica's; inside, the primary's own.
    assert stale == 0
    assert inside == 6


def test_a_replica_is_never_migrated(replica: str) -> None:
    from django.db import router

    assert not router.allow_migrate(replica, "register")
    assert router.allow_migrate("default", "register")
