"""Outside production mail is written to files: an erased person leaves no copy of
their address there either (issue #21)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.mail import send_mail

from rekisteri.core.jobs import jobs_run_queued
from rekisteri.core.mail import FILE_BACKEND, mail_copies_forget
from rekisteri.rights import services as rs
from rekisteri.rights.models import VerificationMethod
from tests.rights.conftest import DPO, SUBJECT_EMAIL, Subject

OTHER = "someone.else@example.fi"


@pytest.fixture
def mail_files(settings: Any, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = FILE_BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def _written(folder: Path) -> str:
    return "".join(p.read_text() for p in sorted(folder.glob("*.log")))


def test_forgetting_an_address_takes_every_message_to_or_naming_it_and_no_other(
    mail_files: Path,
) -> None:
    send_mail("Sign-in link", "https://example.fi/x", "register@example.fi", [SUBJECT_EMAIL])
    send_mail("For someone else", "nothing of Aino", "register@example.fi", [OTHER])
    send_mail("Address changed", f"to {SUBJECT_EMAIL.upper()}", "register@example.fi", [OTHER])

    removed = mail_copies_forget([SUBJECT_EMAIL.upper()])

    assert removed == 2
    left = _written(mail_files)
    assert SUBJECT_EMAIL not in left.lower()
    assert "For someone else" in left
    # What stays is still whole messages: one more is appended after it as before.
    send_mail("Later", "after", "register@example.fi", [OTHER])
    assert _written(mail_files).count("-" * 79) == 2


def test_after_an_erasure_and_its_last_message_no_mail_file_holds_the_address(
    aino: Subject, mail_files: Path, django_capture_on_commit_callbacks: Any
) -> None:
    send_mail("For someone else", "hello", "register@example.fi", [OTHER])
    request = rs.request_create(
        actor=DPO, person_id=aino.pk, kind="erasure", channel="letter", language="en"
    )
    rs.request_verify(
        actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK, note="known"
    )
    with django_capture_on_commit_callbacks(execute=True):
        jobs_run_queued()  # "received" goes to the person's file copy
    assert SUBJECT_EMAIL in _written(mail_files)

    with django_capture_on_commit_callbacks(execute=True):
        rs.request_fulfil(actor=DPO, request_id=request.pk)
    with django_capture_on_commit_callbacks(execute=True):
        sent = jobs_run_queued()  # the last message: "your data was erased"

    assert any(job.name == "rights.notify" for job in sent)
    left = _written(mail_files)
    assert SUBJECT_EMAIL not in left
    assert OTHER in left
