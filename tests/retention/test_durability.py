"""Erasure that survives a kill -9 of the sweep and a restore of the database from a backup.

Both run real processes against the test database (PostgreSQL in CI's second
leg): `rekisteri retention run` killed mid-sweep, and `rekisteri restore-replay`
on a database restored with pg_dump / pg_restore (SQLite: its backup API).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections

from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.catalogue import model_categories, personal_data_models
from rekisteri.retention.ledger import ledger_read
from rekisteri.retention.models import AnonymousContent
from rekisteri.retention.sweep import retention_run
from rekisteri.rights import services as rs
from rekisteri.rights.models import VerificationMethod
from tests.conftest import database_url_of_test_db, rekisteri_command, rekisteri_env
from tests.retention.rules import customer_rule, never_customer_rule
from tests.rights.conftest import DPO, SUBJECT_EMAIL, register_aino


def _record_notice() -> None:
    from rekisteri.core.identity import register_identity
    from rekisteri.policy.selectors import policy_loaded
    from rekisteri.policy.services import notice_version_record

    # What `rekisteri setup` does: the notice version and the register's identity.
    notice_version_record(loaded=policy_loaded())
    register_identity()


PERSON_TABLES = [t for t in personal_data_models() if t not in (m.Person, m.Organisation)]


def _rows_of(person_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each person's row count in every table of personal data."""
    counts: dict[int, dict[str, int]] = {pid: {} for pid in person_ids}
    for model in PERSON_TABLES:
        grouped = (
            model.objects.filter(person_id__in=person_ids)  # type: ignore[attr-defined]
            .values_list("person_id")
            .annotate(n=m.models.Count("*"))
            .order_by()
        )
        for pid, n in grouped:
            counts[pid][model.__name__] = n
    return counts


def _anonymised_tables() -> list[str]:
    policy = policy_get()
    return [
        model.__name__
        for model in PERSON_TABLES
        if (cats := model_categories(model, policy))
        and policy.categories[cats[0]].erasure == "anonymise"
    ]


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_mid_run_leaves_no_half_erased_person_and_the_next_run_finishes() -> None:
    _record_notice()
    call_command("demo", people=1200, seed=7, overdue=True)
    due = sorted(pid for rule in (customer_rule(), never_customer_rule()) for pid in _due_ids(rule))
    before = _rows_of(due)
    assert len(due) > 200

    process = subprocess.Popen(
        rekisteri_command("retention", "run", "--batch", "10"),
        env=rekisteri_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith(f"{customer_rule()}: ".encode()):
            break
    # Mid-batch: the next batch's transaction is under way.
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    live = set(
        m.Person.objects.filter(pk__in=due, erased_at__isnull=True).values_list("pk", flat=True)
    )
    after = _rows_of(due)
    erased = [pid for pid in due if pid not in live]
    assert 0 < len(erased) < len(due), "the kill should land mid-sweep"
    for pid in due:
        if pid in live:
            assert after[pid] == before[pid], f"person {pid} was half-erased"
        else:
            assert set(after[pid]) <= {"Invoice", "Payment"}, f"person {pid} kept {after[pid]}"
    anonymised = _anonymised_tables()
    assert AnonymousContent.objects.count() == sum(
        before[pid].get(t, 0) for pid in erased for t in anonymised
    )
    assert set(erased) <= {e.person_id for e in ledger_read()}

    report = retention_run()

    assert sum(report.people.values()) == len(live)
    assert not m.Person.objects.filter(pk__in=due, erased_at__isnull=True).exists()
    assert AnonymousContent.objects.count() == sum(
        before[pid].get(t, 0) for pid in due for t in anonymised
    )


def _due_ids(rule_key: str) -> list[int]:
    from rekisteri.core import clock
    from rekisteri.retention.sweep import _due_people

    rule = policy_get().retention[rule_key]
    return list(_due_people(rule, clock.today()).values_list("pk", flat=True))


# ---------------------------------------------------------------- restore and replay


def _backup(target: Path) -> None:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        with sqlite3.connect(settings_dict["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(target), database_url_of_test_db()],
        check=True,
    )


@pytest.fixture
def restored_db(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A place to restore the backup to, and the URL the register reaches it by."""
    if connection.vendor == "sqlite":
        yield tmp_path / "backup.sqlite3", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"rekisteri_restored_{uuid.uuid4().hex[:8]}"
    base = database_url_of_test_db().rsplit("/", 1)[0]
    yield tmp_path / "backup.dump", f"{base}/{name}"
    connections.close_all()
    # --force: a process the test started may still hold a connection to it.
    subprocess.run(
        ["dropdb", "--if-exists", "--force", "--maintenance-db", f"{base}/postgres", name],
        check=True,
    )


def _restore(backup: Path, url: str) -> None:
    if url.startswith("sqlite:///"):
        shutil.copyfile(backup, url.removeprefix("sqlite:///"))
        return
    base, name = url.rsplit("/", 1)
    subprocess.run(["createdb", "--maintenance-db", f"{base}/postgres", name], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", url, str(backup)], check=True
    )


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return list(db.execute(sql).fetchall())
    import psycopg

    with psycopg.connect(url) as db:
        return list(db.execute(sql).fetchall())  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_a_person_forgotten_after_a_backup_is_forgotten_again_after_restore_and_replay(
    restored_db: tuple[Path, str],
) -> None:
    backup, url = restored_db
    _record_notice()
    aino = register_aino()
    _backup(backup)
    request = rs.request_create(actor=DPO, person_id=aino.pk, kind="erasure", channel="letter")
    rs.request_verify(
        actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK, note="signature"
    )
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    assert not m.EmailAddress.objects.filter(person_id=aino.pk).exists()

    _restore(backup, url)
    person = f"SELECT first_name FROM register_person WHERE id = {aino.pk}"  # noqa: S608
    emails = f"SELECT address FROM register_emailaddress WHERE person_id = {aino.pk}"  # noqa: S608
    assert _query(url, person) == [("Aino",)]
    assert _query(url, emails) == [(SUBJECT_EMAIL,)]
    assert _query(url, "SELECT COUNT(*) FROM retention_suppressedidentifier") == [(0,)]

    replay = subprocess.run(
        rekisteri_command("restore-replay"),
        env=rekisteri_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        check=False,
    )

    assert replay.returncode == 0, replay.stderr
    assert "erased again: 1" in replay.stdout
    # The invoices' legal hold keeps a minimised husk; nothing of her otherwise.
    assert _query(url, person) == [("",)]
    assert _query(url, emails) == []
    assert _query(url, "SELECT COUNT(*) FROM retention_suppressedidentifier") == [(2,)]
    again = subprocess.run(
        rekisteri_command("restore-replay"),
        env=rekisteri_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "erased again: 0" in again.stdout
    assert "already erased: 1" in again.stdout
