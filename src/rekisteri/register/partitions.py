"""Monthly partitions of the large event tables on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from rekisteri.core import clock

# Table and the column it is partitioned by (migration 0002 of this app).
PARTITIONED = {
    "register_usageevent": "occurred_at",
    "register_webvisit": "occurred_at",
    "register_delivery": "sent_at",
}


def _month_start(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def event_partitions_ensure(*, months_ahead: int = 3) -> list[str]:
    """Create the partitions of this month and the next ones; return those made.

    A month whose rows already went to the DEFAULT partition keeps them there:
    moving rows under a live table is work for a maintenance window, not for setup.
    """
    if connection.vendor != "postgresql":
        return []
    created: list[str] = []
    this_month = _month_start(clock.today(), 0)
    with connection.cursor() as cursor:
        for table, column in PARTITIONED.items():
            for ahead in range(months_ahead + 1):
                start, end = _month_start(this_month, ahead), _month_start(this_month, ahead + 1)
                name = f"{table}_p{start:%Y_%m}"
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
                if cursor.fetchone()[0]:
                    continue
                cursor.execute(
                    f'SELECT EXISTS (SELECT 1 FROM "{table}_default" '  # noqa: S608 - our names
                    f'WHERE "{column}" >= %s AND "{column}" < %s)',
                    [start, end],
                )
                if cursor.fetchone()[0]:
                    continue
                cursor.execute(
                    f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES FROM (%s) TO (%s)',
                    [start.isoformat(), end.isoformat()],
                )
                created.append(name)
    return created
