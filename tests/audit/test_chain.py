"""The audit chain: every way of tampering is caught by `rekisteri audit verify`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.audit.selectors import Finding, audit_verify
from rekisteri.audit.services import audit_record, audit_seal
from tests import policy_keys as keys
from tests.audit.conftest import CLERK

# Real transactions: the chain is built from commits, and on PostgreSQL the
# sealer takes only transactions that have ended.
pytestmark = pytest.mark.django_db(transaction=True)


def _second_seal_number() -> int:
    return 2


def test_an_untouched_trail_verifies(trail: Callable[[], None]) -> None:
    trail()

    assert audit_verify() == []


def test_editing_a_field_is_caught(owner_sql: None, trail: Callable[[], None]) -> None:
    trail()
    victim = AuditEntry.objects.order_by("id")[4]

    AuditEntry.objects.filter(pk=victim.pk).update(purpose=keys.marketing_purpose())

    assert audit_verify()[0] == Finding(
        "an entry of the sealed batch was changed or moved", _second_seal_number()
    )


def test_deleting_a_row_is_caught(owner_sql: None, trail: Callable[[], None]) -> None:
    trail()

    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("id")[1].pk).delete()

    finding = audit_verify()[0]
    assert finding.seal == 1
    assert "rows were deleted or inserted" in finding.problem


def test_inserting_a_row_into_a_sealed_batch_is_caught(
    owner_sql: None, trail: Callable[[], None]
) -> None:
    trail()
    first = AuditEntry.objects.order_by("id").first()
    assert first is not None

    forged = AuditEntry.objects.create(
        occurred_at=first.occurred_at,
        actor_kind="staff",
        actor_id="7",
        event="person.read",
        person_id=999,
        categories=[],
        purpose="",
        origin="",
        data={},
    )
    if connection.vendor == "postgresql":
        # A forger gives the row a sealed transaction's position.
        AuditEntry.objects.filter(pk=forged.pk).update(txid=first.txid)
    else:
        AuditEntry.objects.filter(pk=forged.pk).update(id=first.pk + 1000)
        AuditEntry.objects.filter(pk=first.pk + 1000).update(id=0)

    finding = audit_verify()[0]
    assert "inserted" in finding.problem


def test_swapping_two_rows_is_caught(owner_sql: None, trail: Callable[[], None]) -> None:
    trail()
    a, b = AuditEntry.objects.order_by("id")[4:6]

    AuditEntry.objects.filter(pk=a.pk).update(person_id=b.person_id)
    AuditEntry.objects.filter(pk=b.pk).update(person_id=a.person_id)

    assert audit_verify()[0] == Finding(
        "an entry of the sealed batch was changed or moved", _second_seal_number()
    )


def test_rewriting_the_whole_trail_is_caught_by_the_copy_outside(
    owner_sql: None, trail: Callable[[], None]
) -> None:
    trail()

    # Everything in the database goes, seals included; the file remains.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")
        cursor.execute("DELETE FROM audit_auditentry")

    assert Finding("a seal recorded outside the database is gone from it", 1) in audit_verify()


def test_a_stopped_sealer_is_a_finding() -> None:
    with time_machine.travel(dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC)):
        audit_record(actor=CLERK, event=AuditEvent.LOGIN_SUCCEEDED)

    with time_machine.travel(dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)):
        findings = audit_verify()

    assert len(findings) == 1
    assert "not sealed: is the sealer (rekisteri worker) running?" in findings[0].problem


def test_the_application_cannot_change_or_delete_audit_rows() -> None:
    entry = audit_record(actor=CLERK, event=AuditEvent.LOGIN_SUCCEEDED)

    if connection.vendor != "postgresql":
        # SQLite has no roles; the chain and the copy outside it catch any change.
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
        return
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).purpose == ""


def test_verify_command_names_the_first_broken_seal(
    owner_sql: None, trail: Callable[[], None], capsys: pytest.CaptureFixture[str]
) -> None:
    trail()
    AuditEntry.objects.filter(pk=AuditEntry.objects.order_by("id")[0].pk).update(actor_id="8")

    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify")

    assert exit_.value.code == 1
    assert "seal 1: an entry of the sealed batch was changed or moved" in capsys.readouterr().err


def test_an_entry_committed_after_a_seal_is_sealed_next_not_lost() -> None:
    if connection.vendor != "postgresql":
        # SQLite has one writer: a seal can never be passed by a later commit.
        audit_record(actor=CLERK, event=AuditEvent.LOGIN_SUCCEEDED)
        assert audit_seal().sealed_entries == 1
        assert audit_verify() == []
        return
    import psycopg

    settings_dict = connection.settings_dict
    slow = psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or "postgres",
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
    )
    try:
        # A request's transaction takes an entry id first, then commits late.
        slow.execute(
            "INSERT INTO audit_auditentry (occurred_at, actor_kind, actor_id, event, "
            "categories, purpose, origin, data) VALUES (now(), 'staff', '7', 'person.read', "
            "'[]', '', '', '{}')"
        )
        audit_record(actor=CLERK, event=AuditEvent.LOGIN_SUCCEEDED)

        first = audit_seal()
        slow.commit()
        second = audit_seal()
    finally:
        slow.close()

    assert first.sealed_entries == 0  # the open transaction holds the line
    assert second.sealed_entries == 2
    assert audit_verify() == []


def test_a_long_transaction_in_another_database_does_not_stall_the_sealer() -> None:
    if connection.vendor != "postgresql":
        # One database, one writer: nothing else can hold the sealer back.
        audit_record(actor=CLERK, event=AuditEvent.LOGIN_SUCCEEDED)
        assert audit_seal().sealed_entries == 1
        return
    import psycopg

    settings_dict = connection.settings_dict
    elsewhere = psycopg.connect(
        dbname="postgres",
        user=settings_dict["USER"] or "postgres",
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
    )
    try:
        # Another application's write transaction, left open on the same cluster.
        elsewhere.execute("SELECT txid_current()")
        audit_record(actor=CLERK, event=AuditEvent.LOGIN_SUCCEEDED)

        sealed = audit_seal()
    finally:
        elsewhere.rollback()
        elsewhere.close()

    assert sealed.sealed_entries == 1
