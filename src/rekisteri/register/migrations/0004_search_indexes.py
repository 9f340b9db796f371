"""On PostgreSQL, prefix indexes for staff search by name.

Search asks UPPER(last_name) LIKE 'VIRT%'; a text_pattern_ops index answers
that without a scan whatever the database's collation. SQLite's LIKE cannot
use an index for this, and its registers are small.
"""

from django.db import migrations

INDEXES = {
    "register_person_last_name_prefix": "last_name",
    "register_person_first_name_prefix": "first_name",
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON register_person '
            f'(UPPER("{column}") text_pattern_ops)'
        )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("register", "0003_rectification")]

    operations = [migrations.RunPython(forward, backward)]
