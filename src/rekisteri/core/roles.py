"""The database role the application runs as on PostgreSQL: it works, but cannot rewrite history.

The owner of a table can switch its triggers off, so the application must not
own the audit tables nor be able to act as their owner: with the owner's
hand, the append-only trigger is one ALTER TABLE away. ``rekisteri setup``
(run as the owner) makes the tables, then grants this role what the register
needs: reading and writing its own tables, only reading and adding to the
append-only ones (those the trigger guards), and only reading the register's
identity. It never grants ownership, TRUNCATE or TRIGGER.
"""

from __future__ import annotations

import re
from enum import StrEnum

from django.db import connection, transaction

from rekisteri.core.errors import Conflict, InvalidInput

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# The function of the append-only trigger (audit migration 0002): the tables it
# guards are the ones the role may only read and add to.
APPEND_ONLY_FUNCTION = "audit_refuse_change"
READ_ONLY_TABLES = ("core_registeridentity",)


class RoleCode(StrEnum):
    NOT_POSTGRESQL = "role_not_postgresql"
    BAD_NAME = "role_bad_name"
    TOO_STRONG = "role_too_strong"


def database_app_role_check(*, name: str) -> None:
    """Refuse, before anything changes, a role that cannot be made here."""
    if connection.vendor != "postgresql":
        raise Conflict(
            "database roles exist on PostgreSQL only; SQLite has none",
            code=RoleCode.NOT_POSTGRESQL,
        )
    if not ROLE_NAME.match(name):
        raise InvalidInput(
            "a role name is lower-case letters, digits and underscores, at most 63",
            code=RoleCode.BAD_NAME,
        )


@transaction.atomic
def database_app_role_grant(*, name: str) -> list[str]:
    """Make (if missing) the application's login role and grant it what the register needs.

    Return the append-only tables, which it may only read and add to. Safe to
    repeat; run it after each migration (``rekisteri setup`` does).
    """
    database_app_role_check(name=name)
    role = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if name == owner:
            raise Conflict(
                "the application's role must not be the role that owns the tables",
                code=RoleCode.TOO_STRONG,
            )
        cursor.execute(
            "SELECT rolsuper OR rolbypassrls OR rolcreaterole, pg_has_role(%s, %s, 'MEMBER')"
            " FROM pg_roles WHERE rolname = %s",
            [name, owner, name],
        )
        found = cursor.fetchone()
        if found is None:
            cursor.execute(f"CREATE ROLE {role} LOGIN NOINHERIT")
        elif found[0] or found[1]:
            raise Conflict(
                "the role is a superuser, may create roles or acts as the owner of the "
                "tables: it could switch the audit trail's trigger off",
                code=RoleCode.TOO_STRONG,
                data={"role": name},
            )
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_proc p ON p.oid = t.tgfoid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE p.proname = %s AND n.nspname = %s ORDER BY 1",
            [APPEND_ONLY_FUNCTION, schema],
        )
        append_only = [row[0] for row in cursor.fetchall()]
        quoted_schema = connection.ops.quote_name(schema)
        for statement in (
            f"GRANT CONNECT ON DATABASE {connection.ops.quote_name(database)} TO {role}",
            f"GRANT USAGE ON SCHEMA {quoted_schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quoted_schema}"
            f" TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {role}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {quoted_schema}"
            f" FROM {role}",
        ):
            cursor.execute(statement)
        for table in append_only:
            cursor.execute(
                f"REVOKE UPDATE, DELETE ON {connection.ops.quote_name(table)} FROM {role}"
            )
        for table in READ_ONLY_TABLES:
            cursor.execute(
                f"REVOKE INSERT, UPDATE, DELETE ON {connection.ops.quote_name(table)} FROM {role}"
            )
    return append_only
