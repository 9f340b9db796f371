"""On PostgreSQL, make the large event tables partitioned by time.

Usage events, web visits and deliveries grow with every day a customer is one;
partitioned by month, old months can be swept by dropping a partition and
queries by time touch only the months they need. PostgreSQL requires the
primary key of a partitioned table to include the partition key, and (before
version 17) allows no identity column there, so each table is rebuilt with
PRIMARY KEY (id, <time>) and ids drawn from a plain sequence. Index and
foreign-key names stay as Django made them. A DEFAULT partition takes any row
whose month has no partition yet; `rekisteri setup` creates months ahead.

On other databases this migration does nothing.
"""

from django.db import migrations

TABLES = {
    "register_usageevent": "occurred_at",
    "register_webvisit": "occurred_at",
    "register_delivery": "sent_at",
}


def partition(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, column in TABLES.items():
            old = f"{table}_unpartitioned"
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = %s AND indexname <> %s",
                [table, f"{table}_pkey"],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            foreign_keys = cursor.fetchall()
            # The identity's own sequence goes with it; ids continue from a plain one.
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN id DROP IDENTITY IF EXISTS')
            cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
            for name, _ in indexes:
                cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}_old"')
            cursor.execute(
                f'CREATE TABLE "{table}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
                f'PARTITION BY RANGE ("{column}")'
            )
            sequence = f"{table}_id_seq"
            cursor.execute(f'CREATE SEQUENCE "{sequence}" OWNED BY "{table}".id')
            cursor.execute(
                f'SELECT setval(%s, COALESCE((SELECT max(id) FROM "{old}"), 0) + 1, false)',
                [sequence],
            )
            cursor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN id SET DEFAULT nextval(\'"{sequence}"\')'
            )
            cursor.execute(f'ALTER TABLE "{table}" ADD PRIMARY KEY (id, "{column}")')
            for name, definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{table}" DEFAULT')
            cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{old}"')
            cursor.execute(f'DROP TABLE "{old}"')


class Migration(migrations.Migration):
    dependencies = [("register", "0001_initial")]

    operations = [
        # Forward only: a partitioned table serves the earlier schema just as well.
        migrations.RunPython(partition, migrations.RunPython.noop),
    ]
