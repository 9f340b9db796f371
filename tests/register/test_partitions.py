"""The large event tables are partitioned by month on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from rekisteri.core.actors import SYSTEM
from rekisteri.register import services
from rekisteri.register.models import Delivery, UsageEvent, WebVisit
from rekisteri.register.partitions import PARTITIONED, event_partitions_ensure
from tests import policy_keys as keys

pytestmark = pytest.mark.django_db


def _partitioned_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT partrelid::regclass::text FROM pg_partitioned_table")
        return {row[0] for row in cursor.fetchall()}


def _partition_of(table: str, row_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT tableoid::regclass::text FROM "{table}" WHERE id = %s', [row_id])  # noqa: S608
        return str(cursor.fetchone()[0])


@time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False)
def test_events_land_in_their_months_partition_and_read_back() -> None:
    created = event_partitions_ensure(months_ahead=2)
    person = services.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=services.PersonIn(first_name="Aino", last_name="V"),
    )

    december = services.usage_event_record(
        actor=SYSTEM,
        person_id=person.pk,
        source=keys.service_source(),
        action="login",
        occurred_at=dt.datetime(2026, 12, 3, 8, tzinfo=dt.UTC),
    )
    long_ago = services.usage_event_record(
        actor=SYSTEM,
        person_id=person.pk,
        source=keys.service_source(),
        action="login",
        occurred_at=dt.datetime(2020, 1, 1, 8, tzinfo=dt.UTC),
    )

    assert UsageEvent.objects.filter(person=person).count() == 2
    if connection.vendor == "postgresql":
        assert set(PARTITIONED) <= _partitioned_tables()
        assert "register_usageevent_p2026_12" in created
        assert _partition_of("register_usageevent", december.pk) == "register_usageevent_p2026_12"
        assert _partition_of("register_usageevent", long_ago.pk) == "register_usageevent_default"
        assert event_partitions_ensure(months_ahead=2) == []  # nothing twice
    else:
        # SQLite has no partitions; the same tables serve unpartitioned.
        assert created == []


def test_every_partitioned_table_is_one_the_register_writes() -> None:
    tables = {model._meta.db_table for model in (UsageEvent, WebVisit, Delivery)}

    assert set(PARTITIONED) == tables


def _month_partitions(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgresql
def test_a_month_of_web_visits_wholly_past_its_period_leaves_as_a_partition() -> None:
    from rekisteri.core import clock
    from rekisteri.retention.sweep import retention_run
    from tests.retention.rules import months, web_rule
    from tests.rights.conftest import register_aino

    # given partitions for April to July 2025 and visits in three of the months
    with time_machine.travel(dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC), tick=False):
        event_partitions_ensure(months_ahead=3)
        # A customer still: only her web usage is past its period.
        person = register_aino()
    visited = {
        (month, day): services.web_visit_record(
            actor=SYSTEM,
            person_id=person.pk,
            source=keys.web_source(),
            ip_address="192.0.2.1",
            page="/",
            occurred_at=dt.datetime(2025, month, day, 8, tzinfo=dt.UTC),
        ).pk
        for month, day in ((4, 20), (5, 20), (6, 2), (6, 20))
    }

    # when the sweep runs on the day the period has run for everything before 5 June
    # (her registration brought a visit of March too, in the DEFAULT partition)
    due = WebVisit.objects.exclude(pk=visited[(6, 20)]).count()
    day = clock.add_months(dt.date(2025, 6, 5), months(web_rule()))
    with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False):
        report = retention_run()

    # then April and May went as whole partitions, 2 June by its row,
    # and the visit of 20 June, still within its period, stays
    assert due == 4
    assert report.rows[web_rule()] == due
    left = _month_partitions("register_webvisit")
    assert "register_webvisit_p2025_04" not in left
    assert "register_webvisit_p2025_05" not in left
    assert "register_webvisit_p2025_06" in left
    assert list(WebVisit.objects.values_list("pk", flat=True)) == [visited[(6, 20)]]
