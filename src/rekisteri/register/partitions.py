"""Monthly partitions of the large event tables on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

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


def event_partitions_before(table: str, cutoff: dt.datetime) -> list[str]:
    """The month partitions of ``table`` whose every possible row is older than ``cutoff``.

    Read from PostgreSQL's catalogue (the bounds the partitions were made with),
    oldest first; none on other databases or for a table not partitioned.
    """
    if connection.vendor != "postgresql" or table not in PARTITIONED:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), "
            "$$TO \\('([^']+)'\\)$$) AS upper_bound "
            "WHERE i.inhparent = %s::regclass AND upper_bound[1]::timestamptz <= %s "
            "ORDER BY upper_bound[1]::timestamptz",
            [table, cutoff],
        )
        return [str(row[0]) for row in cursor.fetchall()]


def event_partition_drop(table: str, partition: str) -> int:
    """Drop one whole month of ``table``; return how many rows it held.

    Dropping a month is one catalogue change where deleting it is a write per row
    (and a vacuum after). The caller decides that the month is wholly due.
    """
    if partition not in event_partitions_before(table, dt.datetime.max.replace(tzinfo=dt.UTC)):
        raise ValueError(f"{partition} is not a month partition of {table}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{partition}"')  # noqa: S608 - a catalogue name
        rows = int(cursor.fetchone()[0])
        # A table with foreign-key checks still pending in this transaction cannot
        # be dropped: check them now, then defer again as Django's keys are.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{partition}"')
        cursor.execute(f'DROP TABLE "{partition}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return rows
