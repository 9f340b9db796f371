"""Files the register creates (database, ledger, seal file, mail, key) are its user's alone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.mail import send_mail

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record, audit_seal
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.retention.erasure import person_erase
from rekisteri.retention.ledger import ledger_read
from tests.rights.conftest import Subject, aino

__all__ = ["aino"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def careless_umask() -> Iterator[None]:
    """The umask many systems start a process with: files readable by every local user."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _clean_env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKISTERI_")}
    env.pop("DATABASE_URL", None)
    env.update({"REKISTERI_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "rekisteri.settings"})
    return env


def test_the_erasure_ledger_is_made_private(
    aino: Subject, tmp_path: Path, settings: Any, careless_umask: None
) -> None:
    settings.REKISTERI_ERASURE_LEDGER = tmp_path / "witness" / "erasure-ledger.jsonl"

    person_erase(actor=SYSTEM, person_id=aino.pk, reason="test")

    assert [entry.person_id for entry in ledger_read()] == [aino.pk]
    assert mode(tmp_path / "witness" / "erasure-ledger.jsonl") == 0o600
    assert mode(tmp_path / "witness") == 0o700


def test_a_ledger_left_readable_by_others_is_tightened_on_the_next_erasure(
    aino: Subject, tmp_path: Path, settings: Any, careless_umask: None
) -> None:
    ledger = tmp_path / "erasure-ledger.jsonl"
    ledger.touch(mode=0o644)
    ledger.chmod(0o644)
    settings.REKISTERI_ERASURE_LEDGER = ledger

    person_erase(actor=SYSTEM, person_id=aino.pk, reason="test")

    assert mode(ledger) == 0o600


@pytest.mark.django_db(transaction=True)
def test_the_audit_seal_file_is_made_private(
    tmp_path: Path, settings: Any, careless_umask: None
) -> None:
    seal_file = tmp_path / "seals" / "audit-seals.log"
    settings.REKISTERI_AUDIT_SEAL_FILE = seal_file
    audit_record(
        actor=Actor(ActorKind.STAFF, "7", purposes=frozenset(), origin="test"),
        event=AuditEvent.LOGIN_FAILED,
    )

    assert audit_seal().seal is not None

    assert seal_file.read_text().strip()
    assert mode(seal_file) == 0o600
    assert mode(seal_file.parent) == 0o700


def test_mail_written_to_disk_is_private(
    tmp_path: Path, settings: Any, careless_umask: None
) -> None:
    from rekisteri import settings as configured

    # Outside production without an SMTP host, mail goes to files (the test runner swaps it).
    assert configured.EMAIL_BACKEND == "rekisteri.core.mail.PrivateFileEmailBackend"
    settings.EMAIL_BACKEND = configured.EMAIL_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")

    send_mail("Kirjautumislinkki", "https://example.fi/oma/linkki?t=x", "a@b.fi", ["c@d.fi"])

    [message] = list((tmp_path / "mail").iterdir())
    assert "Kirjautumislinkki" in message.read_text()
    assert mode(message) == 0o600
    assert mode(tmp_path / "mail") == 0o700


def test_uploaded_files_are_private(tmp_path: Path, careless_umask: None) -> None:
    storage = FileSystemStorage(location=tmp_path / "media")

    name = storage.save("logos/logo.png", ContentFile(b"\x89PNG"))

    assert mode(tmp_path / "media" / name) == 0o600
    assert mode(tmp_path / "media" / "logos") == 0o700


def test_setup_on_the_command_line_makes_the_database_and_the_secret_key_private(
    tmp_path: Path, careless_umask: None
) -> None:
    var = tmp_path / "var"

    result = subprocess.run(
        [sys.executable, "-m", "rekisteri", "setup"],
        env=_clean_env(var),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert mode(var) == 0o700
    made = {p.name: mode(p) for p in var.iterdir() if p.is_file()}
    assert "rekisteri.sqlite3" in made
    assert "secret_key" in made
    assert {name: m for name, m in made.items() if m != 0o600} == {}


def test_the_server_entry_point_sets_a_private_umask(tmp_path: Path, careless_umask: None) -> None:
    # gunicorn imports rekisteri.wsgi in each worker; its umask is theirs.
    probe = "import os, rekisteri.wsgi; print(oct(os.umask(0)))"

    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=_clean_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0o77"


def test_an_existing_database_file_left_readable_is_tightened_when_opened(
    tmp_path: Path, careless_umask: None
) -> None:
    var = tmp_path / "var"
    var.mkdir()
    database = var / "rekisteri.sqlite3"
    database.touch()
    database.chmod(0o644)
    probe = (
        "import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection()"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=_clean_env(var),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert mode(database) == 0o600
