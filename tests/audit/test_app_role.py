"""The application's own PostgreSQL role: the register works, the trail cannot be rewritten.

The owner of a table can switch its append-only trigger off; `rekisteri setup
--app-role NAME` makes a role that owns nothing and may only read and add to
the audit tables (review item 15).
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.audit.selectors import audit_verify
from rekisteri.audit.services import audit_record, audit_seal
from tests.audit.conftest import CLERK
from tests.conftest import rekisteri_command, rekisteri_env

# Database roles exist on PostgreSQL only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


@pytest.fixture
def app_role() -> Iterator[str]:
    """A role made by `rekisteri setup --app-role`; roles are the cluster's, so it goes after."""
    name = f"rekisteri_app_{uuid.uuid4().hex[:10]}"
    call_command("setup", "--app-role", name)
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def _as(role: str) -> str:
    db = connection.settings_dict
    return f"postgres://{role}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run_as(role: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        rekisteri_command(*args),
        env=rekisteri_env(DATABASE_URL=_as(role)),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_app_role_cannot_switch_the_trigger_off_nor_remove_the_trail(app_role: str) -> None:
    import psycopg

    # Given a sealed trail
    audit_record(actor=CLERK, event=AuditEvent.LOGIN_SUCCEEDED)
    assert audit_seal().seal is not None

    # When the application's role tries what the owner could
    refused = []
    with psycopg.connect(_as(app_role), autocommit=True) as app:
        for sql in (
            "ALTER TABLE audit_auditentry DISABLE TRIGGER USER",
            "ALTER TABLE audit_auditseal DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_entry_append_only ON audit_auditentry",
            "DELETE FROM audit_auditentry",
            "UPDATE audit_auditentry SET purpose = 'x'",
            "TRUNCATE audit_auditseal",
            "DELETE FROM core_registeridentity",
            "UPDATE core_registeridentity SET identity = gen_random_uuid()",
            "SET ROLE postgres",
        ):
            try:
                app.execute(sql)
            except psycopg.errors.InsufficientPrivilege:
                refused.append(sql)

    # Then every attempt is refused for want of privilege, and nothing changed
    assert len(refused) == 9
    assert AuditEntry.objects.count() == 1
    assert audit_verify() == []


def test_the_register_runs_under_the_app_role(app_role: str, tmp_path: Path) -> None:
    # Given a file of people to import
    people = tmp_path / "people.csv"
    people.write_text("first_name,last_name\nAino,V\nEero,K\n", encoding="utf-8")

    # When the register imports them, its worker runs and the chain is checked, all as the role
    imported = _run_as(app_role, "import", "people", str(people), "--source", "subject")
    worker = _run_as(app_role, "worker", "--batch")
    verified = _run_as(app_role, "audit", "verify")

    # Then all of it works
    assert imported.returncode == 0, imported.stderr
    assert worker.returncode == 0, worker.stderr
    assert verified.returncode == 0, verified.stderr
    assert "The audit chain is intact." in verified.stdout
    assert AuditEntry.objects.filter(event=AuditEvent.PEOPLE_IMPORTED).count() == 2


def test_setup_refuses_an_app_role_that_could_act_as_the_owner() -> None:
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL only"):
            call_command("setup", "--app-role", "rekisteri_app")
        return
    owner = connection.settings_dict["USER"] or "postgres"

    with pytest.raises(CommandError, match="must not be the role that owns the tables"):
        call_command("setup", "--app-role", owner)
