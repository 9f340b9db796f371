"""A sealer killed at any instant never leaves `rekisteri audit verify` failing.

Each test kills a real `rekisteri audit seal` process (SIGKILL, no clean-up of
any kind) at one instant of a seal, through the test-only crash hook
``REKISTERI_CRASH_AT``, and then looks at what an operator sees.
"""

from __future__ import annotations

import io
import signal
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from rekisteri.audit.models import AuditEntry, AuditEvent, AuditSeal
from rekisteri.audit.sealfile import seal_file_read
from rekisteri.audit.services import audit_record, audit_seal, open_intents
from rekisteri.core.identity import register_identity
from tests.audit.conftest import CLERK
from tests.conftest import rekisteri_command, rekisteri_env

pytestmark = pytest.mark.django_db(transaction=True)

# Every instant of a seal where the file and the database could part: after the
# high-water mark, after the intent is synced (before the commit), after the commit
# (before the outcome line).
INSTANTS = ["audit.seal.after_mark", "audit.seal.after_intent", "audit.seal.after_commit"]


def _run(*args: str, crash_at: str = "") -> subprocess.CompletedProcess[str]:
    extra = {"REKISTERI_CRASH_AT": crash_at} if crash_at else {}
    return subprocess.run(
        rekisteri_command(*args),
        env=rekisteri_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _entries(count: int) -> None:
    register_identity()  # what `rekisteri setup` made
    for n in range(count):
        audit_record(actor=CLERK, event=AuditEvent.PERSON_READ, person_id=700 + n)


def _open_intents() -> list[tuple[int, str]]:
    return open_intents(seal_file_read().of(register_identity()))


def _verify(*args: str) -> tuple[int, str]:
    """`rekisteri audit verify`, as the operator runs it: exit status and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("instant", INSTANTS)
def test_a_sealer_killed_at_any_instant_leaves_the_chain_verifiable(instant: str) -> None:
    # Given entries waiting for their seal
    _entries(3)

    # When the sealer is killed at this instant
    killed = _run("audit", "seal", crash_at=instant)
    assert killed.returncode == -signal.SIGKILL

    # Then verify passes at once, before anything is repaired
    status, said = _verify()
    assert status == 0, said
    assert "The audit chain is intact." in said

    # And when the worker starts again and more entries come, it settles what the
    # killed sealer left, every entry is sealed, and the chain stays intact
    _entries(2)
    worker = _run("worker", "--batch")
    assert worker.returncode == 0, worker.stderr
    assert sum(s.entry_count for s in AuditSeal.objects.all()) == AuditEntry.objects.count() == 5
    assert _open_intents() == []
    assert _verify() == (0, "The audit chain is intact.\n")


@pytest.mark.parametrize(
    ("instant", "told"),
    [
        ("audit.seal.after_intent", "seal 1: recorded in the seal file as never committed."),
        ("audit.seal.after_commit", "seal 1: recorded in the seal file as committed."),
    ],
)
def test_verify_repair_settles_the_half_written_seal(instant: str, told: str) -> None:
    # Given a sealer killed between the seal's intent and its outcome
    _entries(2)
    assert _run("audit", "seal", crash_at=instant).returncode == -signal.SIGKILL
    assert len(_open_intents()) == 1

    # When the operator repairs
    status, said = _verify("--repair")

    # Then the file says what became of the seal, from the database, and verify passes
    assert status == 0, said
    assert told in said
    assert "The audit chain is intact." in said
    assert _open_intents() == []


def test_a_line_torn_by_a_crash_mid_write_does_not_glue_onto_the_next(
    seal_file: Path,
) -> None:
    # Given a seal file whose last line was cut short by a power loss
    _entries(1)
    audit_seal()
    with seal_file.open("a") as handle:
        handle.write('{"kind":"intent","num')

    # When the sealer goes on
    _entries(1)
    assert audit_seal().seal is not None

    # Then the torn line stands alone and verify passes, noting it
    status, said = _verify()
    assert status == 0, said
    assert "1 lines of the seal file cannot be read" in said
