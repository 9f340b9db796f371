"""The seal file beside the database: bound to its register, and hard to satisfy by removal.

Each test is one way an operator or an attacker could make `rekisteri audit verify`
say "intact" about a trail that lost or hid entries (or cry tampering about a
trail that is fine), and what verify says instead.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from rekisteri.audit.models import AuditEntry, AuditEvent, AuditSeal
from rekisteri.audit.selectors import Finding, audit_history, audit_verify, audit_verify_report
from rekisteri.audit.services import audit_record, audit_seal
from rekisteri.core import clock
from rekisteri.core.errors import Conflict
from rekisteri.core.identity import register_identity
from rekisteri.core.models import RegisterIdentity
from tests.audit.conftest import CLERK
from tests.conftest import rekisteri_command, rekisteri_env

pytestmark = pytest.mark.django_db(transaction=True)

TWO_HASHES = (
    "the seal file holds two hashes for this seal: seals were rolled back "
    "and sealed again, or the database was restored from an older backup"
)


def _read(person_id: int) -> None:
    audit_record(actor=CLERK, event=AuditEvent.PERSON_READ, person_id=person_id)


def _problems() -> list[str]:
    return [finding.problem for finding in audit_verify()]


def _insert_raw_entry(
    *, person_id: int, txid: int | None = None, entry_id: int | None = None
) -> None:
    """A row written past the application, as the database's owner could."""
    columns = (
        "occurred_at, actor_kind, actor_id, event, person_id, categories, purpose, origin, data"
    )
    values = [clock.now(), "staff", "7", "person.read", person_id, "[]", "", "", "{}"]
    if connection.vendor == "postgresql":
        columns += ", txid"
        values.append(txid)
    if entry_id is not None:
        columns += ", id"
        values.append(entry_id)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO audit_auditentry ({columns}) VALUES ({marks})", values)  # noqa: S608


# Item 9: entries outside the chain.


def test_an_entry_no_seal_can_ever_cover_is_a_finding(trail: Callable[[], None]) -> None:
    # Given a sealed trail
    trail()

    # When rows are written where the sealer never looks: on PostgreSQL with no
    # transaction id or one far in the future; on SQLite, below the first seal
    if connection.vendor == "postgresql":
        _insert_raw_entry(person_id=4242, txid=None)
        _insert_raw_entry(person_id=4242, txid=2**62)
        hidden = 2
    else:
        _insert_raw_entry(person_id=4242, entry_id=0)
        hidden = 1
    audit_seal()

    # Then the person's history shows them, and verify says they are outside the chain
    assert len(audit_history(person_id=4242)) == hidden
    assert (
        f"{hidden} entries stand outside the chain, where no seal covers them and none will: "
        "rows were inserted or their position was altered"
    ) in _problems()


# Items 10 and 15: a restored database, rolled-back seals.


def test_a_restored_older_database_sealed_again_is_a_finding(
    owner_sql: None, trail: Callable[[], None]
) -> None:
    # Given seals 1 and 2 in the database and the file
    trail()
    second = AuditSeal.objects.get(number=2)

    # When the database goes back to a backup taken before seal 2 (its entries and
    # the seal are gone), the register goes on, and the worker seals again
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE number = 2")
        field = "txid" if connection.vendor == "postgresql" else "id"
        cursor.execute(f"DELETE FROM audit_auditentry WHERE {field} >= %s", [second.start])  # noqa: S608
    _read(300)
    assert audit_seal().seal is not None

    # Then verify no longer calls the chain intact: seal 2 has two hashes outside
    findings = audit_verify()
    assert Finding(TWO_HASHES, 2) in findings
    assert any("or the database is older than its seal file" in f.problem for f in findings)


def test_rolling_back_the_newest_seal_and_sealing_again_is_a_finding(
    owner_sql: None, trail: Callable[[], None]
) -> None:
    # Given a sealed trail
    trail()

    # When an entry of the newest seal is edited, the seal deleted, and the worker seals again
    victim = AuditEntry.objects.order_by("id")[4]
    AuditEntry.objects.filter(pk=victim.pk).update(purpose="forged")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE number = 2")
    assert audit_seal().seal is not None

    # Then the chain in the database is whole again, but the file remembers the first hash
    assert audit_verify() == [Finding(TWO_HASHES, 2)]


# Item 15: entries deleted before they were sealed.


def test_entries_deleted_before_they_were_sealed_are_a_finding(
    owner_sql: None, trail: Callable[[], None], seal_file: Path
) -> None:
    # Given a sealed trail, two newer entries, and a sealer round that saw them
    # but did not seal them yet (cut off right after writing its mark)
    trail()
    _read(201)
    _read(202)
    newest = AuditEntry.objects.order_by("-id").first()
    assert newest is not None
    _mark_only()

    # When the newest entry is deleted before the next round seals it
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [newest.pk])
    audit_seal()

    # Then verify says entries went missing below the sealer's mark
    problems = _problems()
    assert any(
        p.startswith("the sealer saw 8 entries up to entry ")
        and "now 7 stand: entries were deleted before they were sealed" in p
        for p in problems
    ), problems


# SQLite has one writer: nothing holds a seal back there.
@pytest.mark.postgresql
def test_entries_an_open_transaction_held_back_and_then_deleted_are_a_finding(
    owner_sql: None, trail: Callable[[], None]
) -> None:
    import psycopg

    # Given a sealed trail, and a writing transaction elsewhere that stays open
    trail()
    db = connection.settings_dict
    other = psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        other.execute("SELECT txid_current()")
        # When two entries come after it, and the sealer's round may not seal them yet
        _read(201)
        _read(202)
        assert audit_seal().seal is None
    finally:
        other.rollback()
        other.close()
    newest = AuditEntry.objects.order_by("-id").first()
    assert newest is not None

    # And the newest is deleted before the next round
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [newest.pk])
    audit_seal()

    # Then verify says entries went missing below the sealer's mark
    assert any(
        "now 7 stand: entries were deleted before they were sealed" in p for p in _problems()
    )


def _mark_only() -> None:
    """One sealer round, a real process, killed after it wrote its mark and before it sealed."""
    result = subprocess.run(
        rekisteri_command("audit", "seal"),
        env=rekisteri_env(REKISTERI_CRASH_AT="audit.seal.after_mark"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


# Item 15: a wiped register.


def test_an_emptied_register_and_seal_file_are_a_finding(
    owner_sql: None, trail: Callable[[], None], seal_file: Path
) -> None:
    # Given a register sealed for a while
    trail()

    # When both audit tables and the seal file are emptied together
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")
        cursor.execute("DELETE FROM audit_auditentry")
    seal_file.write_text("")

    # Then, once the register is older than a sealer's few rounds, verify says so
    with time_machine.travel(clock.now() + dt.timedelta(minutes=5)):
        problems = _problems()
    assert len(problems) == 1
    assert problems[0].startswith("the seal file holds nothing of this register, made ")


def test_a_wiped_identity_beside_a_seal_file_is_a_finding_and_nothing_is_sealed(
    owner_sql: None, trail: Callable[[], None], seal_file: Path
) -> None:
    # Given a sealed register
    trail()

    # When its trail and its identity are deleted (a new identity would pass it off as new)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")
        cursor.execute("DELETE FROM audit_auditentry")
    RegisterIdentity.objects.all().delete()
    _read(400)

    # Then verify says so, and the sealer refuses to make up a new identity
    assert (
        "the database has no register identity, yet a seal file exists beside it: "
        "the identity was deleted with the register, or `rekisteri setup` has not run"
    ) in _problems()
    with pytest.raises(Conflict, match="no register identity"):
        audit_seal()
    assert not RegisterIdentity.objects.exists()


def test_a_seal_file_kept_for_an_empty_database_is_a_finding(
    owner_sql: None, trail: Callable[[], None]
) -> None:
    trail()

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")
        cursor.execute("DELETE FROM audit_auditentry")

    problems = _problems()
    assert "a seal recorded outside the database is gone from it" in problems
    assert any("now 0 stand" in p for p in problems)


# Item 12: the file is bound to its register.


def test_a_new_database_in_the_same_installation_starts_clean(
    owner_sql: None, trail: Callable[[], None], seal_file: Path
) -> None:
    # Given an installation whose seal file holds a sealed register's lines
    trail()
    old = register_identity()

    # When DATABASE_URL points at a new database (no trail, an identity of its own)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")
        cursor.execute("DELETE FROM audit_auditentry")
    RegisterIdentity.objects.all().delete()
    call_command("setup")
    new = register_identity()

    # Then verify passes, naming the old lines as another register's file
    report = audit_verify_report()
    assert report.findings == []
    assert any(old in note and "a file of another register" in note for note in report.notes)

    # And the new register seals into the same file and stays intact
    _read(500)
    assert audit_seal().seal is not None
    assert audit_verify() == []
    registers = {json.loads(line)["register"] for line in seal_file.read_text().splitlines()}
    assert registers == {old, new}


def test_verify_command_names_a_file_of_another_register(
    owner_sql: None, trail: Callable[[], None], capsys: pytest.CaptureFixture[str]
) -> None:
    trail()
    old = register_identity()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")
        cursor.execute("DELETE FROM audit_auditentry")
    RegisterIdentity.objects.all().delete()
    register_identity()

    call_command("audit", "verify")

    out = capsys.readouterr().out
    assert f"note: the seal file also holds lines of {old}: a file of another register" in out
    assert "The audit chain is intact." in out


def test_a_seal_file_of_the_first_format_still_witnesses_its_seals(
    trail: Callable[[], None], seal_file: Path
) -> None:
    # Given a trail whose file was written before lines named their register
    trail()
    seal_file.write_text(
        "".join(f"{seal.number} {seal.seal_hash}\n" for seal in AuditSeal.objects.all())
    )

    # Then its seals are still witnessed
    assert audit_verify() == []
