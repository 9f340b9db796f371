"""Set-based inserts for bulk work (imports, demo data): COPY on PostgreSQL.

Django's bulk_create prepares every value of every row in Python, which made
an import of 100,000 people take 82 s on SQLite; here only the values whose
database form differs from the Python one are prepared, by their own field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

# Fields whose Python values the database driver would store differently from Django.
_PREPARED = (
    models.DateTimeField,
    models.DateField,
    models.UUIDField,
    models.DecimalField,
    models.JSONField,
    models.GenericIPAddressField,
)


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (values in ``columns`` order, by attname) into ``model``'s table."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    fields = [model._meta.get_field(column) for column in columns]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _copy(cursor.cursor, table, names, fields, rows)
        prepare = [field if isinstance(field, _PREPARED) else None for field in fields]
        # Bulk rows share their times (a batch's "now"): prepare each distinct one once.
        seen: dict[tuple[int, Any], Any] = {}

        def prepared_value(index: int, field: Any, value: Any) -> Any:
            if not isinstance(field, models.DateField | models.DateTimeField):
                return field.get_db_prep_save(value, connection)
            key = (index, value)
            if key not in seen:
                seen[key] = field.get_db_prep_save(value, connection)
            return seen[key]

        prepared = [
            tuple(
                value if field is None or value is None else prepared_value(i, field, value)
                for i, (field, value) in enumerate(zip(prepare, row, strict=True))
            )
            for row in rows
        ]
        if prepared:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - the model's names
                prepared,
            )
        return len(prepared)


def _copy(
    cursor: Any, table: str, names: str, fields: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> int:
    """PostgreSQL's COPY: it adapts plain values itself; JSON has to be said."""
    from psycopg.types.json import Jsonb

    json_at = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    count = 0
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            if json_at:
                values = list(row)
                for i in json_at:
                    values[i] = Jsonb(values[i])
                copy.write_row(values)
            else:
                copy.write_row(row)
            count += 1
    return count


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """Draw ``count`` primary keys for rows the caller inserts itself.

    On SQLite the caller's transaction holds the database's write lock, so no one
    else can take these ids between this read and the insert.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))
