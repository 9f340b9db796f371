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
