"""The erasure ledger stays true to its own database: through a crash, a restore and a
new database in the same installation.

The crashes are real: `rekisteri retention run` in a subprocess kills itself
(SIGKILL) at a named point of the erasure (``REKISTERI_FAULT_POINT``).
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.core.identity import register_identity
from rekisteri.register import services as s
from rekisteri.register.models import Customership, EmailAddress, Person
from rekisteri.retention.erasure import person_erase, pseudonym_digest
from rekisteri.retention.ledger import COMMITTED, LedgerEntry, LedgerOutcome, ledger_append
from tests import policy_keys as keys
from tests.conftest import rekisteri_command, rekisteri_env
from tests.retention.test_durability import _backup, _query, _restore, restored_db
from tests.rights.conftest import SUBJECT_EMAIL, Subject, register_aino

__all__ = ["restored_db"]

BACK = "Erased people in the database again (a restore without `rekisteri restore-replay`)"
FOREIGN = "Erasures in the ledger that belong to another register's database (left alone)"


def _setup() -> None:
    from rekisteri.policy.selectors import policy_loaded
    from rekisteri.policy.services import notice_version_record

    # What `rekisteri setup` does: the notice version and the register's identity.
    notice_version_record(loaded=policy_loaded())
    register_identity()


def _aino_due() -> Subject:
    """Aino, whose customership ended long enough ago for the sweep to erase her today."""
    aino = register_aino()
    s.customership_end(
        actor=SYSTEM,
        person_id=aino.pk,
        customership_id=Customership.objects.get(person_id=aino.pk).pk,
        ended_on=clock.today() - dt.timedelta(days=800),
    )
    return aino


def _check(**env: str) -> dict[str, tuple[str, int]]:
    """Run `rekisteri check`: each line's label and count, by its text."""
    run = subprocess.run(
        rekisteri_command("check"),
        env=rekisteri_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = {}
    for line in run.stdout.splitlines():
        label, _, rest = line.partition(" ")
        if label in ("ok", "FINDING", "note"):
            count, text = rest.strip().split("  ", 1)
            lines[text] = (label, int(count))
    return lines


def _replay(**env: str) -> str:
    run = subprocess.run(
        rekisteri_command("restore-replay"),
        env=rekisteri_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _execute(url: str, sql: str) -> None:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(sql)
        return
    import psycopg

    with psycopg.connect(url) as db:
        db.execute(sql)  # type: ignore[arg-type]


def _ledger_kinds(path: Path) -> list[str]:
    return [json.loads(line).get("kind", "") for line in path.read_text().splitlines()]


def _sweep_killed_at(point: str) -> None:
    process = subprocess.run(
        rekisteri_command("retention", "run"),
        env=rekisteri_env(REKISTERI_FAULT_POINT=point),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert process.returncode == -signal.SIGKILL, process.stderr


# ---------------------------------------------------------------- a crash at each instant


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_before_its_intent_leaves_no_trace_in_the_ledger(
    erasure_ledger: Path,
) -> None:
    _setup()
    aino = _aino_due()

    _sweep_killed_at("erasure.before-intent")

    assert Person.objects.get(pk=aino.pk).erased_at is None
    assert not erasure_ledger.exists() or _ledger_kinds(erasure_ledger) == []
    lines = _check()
    assert lines[BACK] == ("ok", 0)


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_between_its_intent_and_commit_erases_no_one_later(
    erasure_ledger: Path,
) -> None:
    # given Aino, due for erasure, and a sweep killed after the ledger's intent
    # was on disk but before the erasure committed
    _setup()
    aino = _aino_due()
    _sweep_killed_at("erasure.after-intent")
    assert Person.objects.get(pk=aino.pk).erased_at is None
    assert _ledger_kinds(erasure_ledger) == ["intent"]

    # when the DPO checks, and someone runs restore-replay
    lines = _check()
    replay = _replay()

    # then no restore is reported and Aino, whose erasure never happened, is untouched
    assert lines[BACK] == ("ok", 0)
    assert "erased again: 0" in replay
    assert "erasures that never committed, left alone: 1" in replay
    assert Person.objects.get(pk=aino.pk).erased_at is None
    assert EmailAddress.objects.filter(person_id=aino.pk, address=SUBJECT_EMAIL).exists()
    assert _ledger_kinds(erasure_ledger) == ["intent", "aborted"]


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_after_commit_is_settled_as_committed_and_replayed_after_a_restore(
    erasure_ledger: Path, restored_db: tuple[Path, str]
) -> None:
    # given a backup with Aino in it, then a sweep that erased her and was killed
    # before the ledger heard of the commit
    backup, url = restored_db
    _setup()
    aino = _aino_due()
    _backup(backup)
    _sweep_killed_at("erasure.after-commit")
    assert Person.objects.get(pk=aino.pk).erased_at is not None
    assert _ledger_kinds(erasure_ledger) == ["intent"]

    # when the worker starts (it settles the ledger), and later the backup is restored
    subprocess.run(rekisteri_command("worker", "--batch"), env=rekisteri_env(), check=True)
    assert _ledger_kinds(erasure_ledger) == ["intent", "committed"]
    _restore(backup, url)

    # then the restored database knows her erasure: check flags her until she is replayed
    assert _query(url, f"SELECT erased_at FROM register_person WHERE id = {aino.pk}") == [  # noqa: S608
        (None,)
    ]
    lines = _check(DATABASE_URL=url)
    assert lines[BACK] == ("FINDING", 1)
    assert "erased again: 1" in _replay(DATABASE_URL=url)
    lines = _check(DATABASE_URL=url)
    assert lines[BACK] == ("ok", 0)


# ---------------------------------------------------------------- one ledger, two databases


@pytest.mark.django_db(transaction=True)
def test_another_registers_erasures_are_named_never_replayed_nor_reported_as_people_back() -> None:
    # given Aino here, and the installation's ledger holding an erasure of a person
    # with her id and pseudonym made by another database (a copy of this one)
    _setup()
    aino = register_aino()
    other = str(uuid.uuid4())
    erasure = str(uuid.uuid4())
    ledger_append(
        [
            LedgerEntry(
                person_id=aino.pk,
                at="2026-11-30T10:00:00+00:00",
                reason="request 1",
                suppress=True,
                pseudonym=pseudonym_digest(Person.objects.get(pk=aino.pk).pseudonym),
                identifiers=(),
                erasure=erasure,
                register=other,
            ),
            LedgerOutcome(
                erasure=erasure,
                register=other,
                outcome=COMMITTED,
                at="2026-11-30T10:00:01+00:00",
                settled_by="commit",
            ),
        ]
    )

    # when this register is checked and replayed
    lines = _check()
    replay = _replay()

    # then the other register's line is named, and Aino is neither reported nor erased
    assert lines[BACK] == ("ok", 0)
    assert lines[FOREIGN] == ("note", 1)
    assert "erased again: 0" in replay
    assert "erasures of another register's database, left alone: 1" in replay
    assert Person.objects.get(pk=aino.pk).erased_at is None


@pytest.mark.django_db(transaction=True)
def test_a_new_database_in_the_same_installation_starts_clean(
    erasure_ledger: Path, tmp_path: Path, restored_db: tuple[Path, str]
) -> None:
    # given a register that erased Aino (its ledger says so), and a backup of it
    backup, url = restored_db
    _setup()
    aino = register_aino()
    _backup(backup)
    person_erase(actor=SYSTEM, person_id=aino.pk, reason="request 1")
    # when the installation points at a new database made from that backup, as a
    # second register: it gets an identity of its own
    _restore(backup, url)
    _execute(url, "DELETE FROM core_registeridentity")
    setup = subprocess.run(
        rekisteri_command("setup"), env=rekisteri_env(DATABASE_URL=url), capture_output=True
    )
    assert setup.returncode == 0, setup.stderr

    # then its check finds nothing: the ledger's lines are another register's
    lines = _check(DATABASE_URL=url)
    assert lines[BACK] == ("ok", 0)
    assert lines[FOREIGN] == ("note", 1)
    assert "erased again: 0" in _replay(DATABASE_URL=url)
    assert _query(url, f"SELECT erased_at FROM register_person WHERE id = {aino.pk}") == [  # noqa: S608
        (None,)
    ]


# ---------------------------------------------------------------- the worker repairs a restore


@pytest.mark.django_db(transaction=True)
def test_the_worker_erases_again_whoever_a_restore_brought_back_and_says_so(
    restored_db: tuple[Path, str],
) -> None:
    # given a backup with Aino and Eino in it, then both forgotten
    backup, url = restored_db
    _setup()
    aino = register_aino()
    eino = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(first_name="Eino", last_name="Leino"),
    )
    _backup(backup)
    for pid in (aino.pk, eino.pk):
        person_erase(actor=SYSTEM, person_id=pid, reason="request")

    # when the backup is restored and the worker runs its jobs on it
    _restore(backup, url)
    worker = subprocess.run(
        rekisteri_command("worker", "--batch"),
        env=rekisteri_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        check=True,
    )

    # then both are erased again, the audit trail and the log say so (by id only)
    person = (
        "SELECT id, first_name, erased_at IS NOT NULL FROM register_person "  # noqa: S608
        f"WHERE id IN ({aino.pk}, {eino.pk}) ORDER BY id"
    )
    assert _query(url, person) == [(aino.pk, "", True)]
    audit: list[tuple[Any, ...]] = _query(
        url,
        "SELECT person_id, origin FROM audit_auditentry "
        "WHERE event = 'person.erased' AND actor_id = 'restore-replay' ORDER BY person_id",
    )
    assert audit == [(aino.pk, "worker"), (eino.pk, "worker")]
    assert f"erased again 2, ids [{aino.pk}, {eino.pk}]" in worker.stderr
    assert "Aino" not in worker.stderr
    assert "Leino" not in worker.stderr
    lines = _check(DATABASE_URL=url)
    assert lines[BACK] == ("ok", 0)
