"""On PostgreSQL, trigram indexes on the free text people write about others.

Forgetting a person replaces their name, e-mail and phone in other people's
free text (retention/erasure.py), which asks UPPER(col) LIKE '%NEEDLE%'. Without
an index that is a scan of every such row per erasure: 2.2 s at 100,000 people.
A GIN trigram index on the same expression answers it in milliseconds.

pg_trgm is a trusted extension: a database owner may create it. Where the role
may not, the register still works and erasure scans; the migration says so.
The fields are the catalogue's FREE_TEXT_FIELDS as of this migration.
"""

import sys

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "register_customership_free_text": ("register_customership", ["end_reason"]),
    "register_contactevent_free_text": ("register_contactevent", ["summary"]),
    "register_feedback_free_text": ("register_feedback", ["text"]),
    "register_servicecase_free_text": (
        "register_servicecase",
        ["subject", "description", "resolution"],
    ),
    "register_usercontent_free_text": ("register_usercontent", ["title", "body", "url"]),
    "register_rectification_free_text": ("register_rectification", ["reason"]),
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        sys.stderr.write(
            "pg_trgm could not be created (the role needs CREATE on the database); "
            "erasure will scan free text without an index.\n"
        )
        return
    for name, (table, columns) in INDEXES.items():
        expressions = ", ".join(f'UPPER("{c}") gin_trgm_ops' for c in columns)
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ({expressions})'
        )


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("register", "0005_person_erased_at")]

    operations = [migrations.RunPython(forward, backward)]
