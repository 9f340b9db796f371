"""No personal data reaches a log line: not from a mail server's refusal, not from any exception."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from rekisteri.core.jobs import jobs_run_queued
from rekisteri.core.models import Job, JobState
from rekisteri.rights import services as rs
from rekisteri.rights.subjects import SIGN_IN_LINK_JOB
from tests.conftest import free_port
from tests.rights.conftest import DPO, SUBJECT_EMAIL, Subject, aino

__all__ = ["aino"]

HETU = "131052-308T"
PHONE = "+358 40 123 4567"


class RefusingServer:
    """A real SMTP server that refuses every recipient, naming the address as servers do."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    async def handle_RCPT(
        self, server: object, session: object, envelope: Any, address: str, options: Any
    ) -> str:
        self.refused.append(address)
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


@pytest.fixture
def refusing_smtp(settings: Any) -> Iterator[RefusingServer]:
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = RefusingServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    try:
        yield handler
    finally:
        controller.stop()


class RawRecords(logging.Handler):
    """Records as the code made them, before the handlers' filters scrub them."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def text(self) -> str:
        return "\n".join(self.format(record) for record in self.records)


@pytest.fixture
def raw_log() -> Iterator[RawRecords]:
    # On the register's own loggers, which run before the root's handler and its filters.
    raw = RawRecords()
    loggers = [logging.getLogger("rekisteri"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(raw)
    try:
        yield raw
    finally:
        for logger in loggers:
            logger.removeHandler(raw)


@time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_refused_notice_fails_its_job_and_the_worker_log_names_ids_not_the_address(
    aino: Subject, refusing_smtp: RefusingServer, raw_log: RawRecords, caplog: Any
) -> None:
    rs.request_create(actor=DPO, person_id=aino.pk, kind="access", channel="letter")

    [job] = [j for j in jobs_run_queued() if j.name == "rights.notify"]

    assert refusing_smtp.refused == [SUBJECT_EMAIL]
    assert Job.objects.get(pk=job.pk).state == JobState.FAILED
    assert f"job {job.pk} (rights.notify) failed: SMTPRecipientsRefused" in raw_log.text
    assert SUBJECT_EMAIL not in raw_log.text
    assert SUBJECT_EMAIL not in caplog.text


def test_a_sign_in_link_the_server_refuses_shows_the_same_page_and_logs_no_address(
    aino: Subject,
    refusing_smtp: RefusingServer,
    raw_log: RawRecords,
    caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = Client(raise_request_exception=False)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/en/my/sign-in", {"method": "link", "email": SUBJECT_EMAIL})
    # The link leaves from a job, so the page never waits for the mail server.
    [job] = [j for j in jobs_run_queued() if j.name == SIGN_IN_LINK_JOB]

    assert sent.status_code == 200
    assert refusing_smtp.refused == [SUBJECT_EMAIL]
    assert Job.objects.get(pk=job.pk).state == JobState.FAILED
    assert f"job {job.pk} ({SIGN_IN_LINK_JOB}) failed: SMTPRecipientsRefused" in raw_log.text
    assert SUBJECT_EMAIL not in raw_log.text
    assert SUBJECT_EMAIL not in caplog.text


@time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_verification_code_the_server_refuses_is_logged_by_request_id(
    aino: Subject,
    refusing_smtp: RefusingServer,
    raw_log: RawRecords,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = rs.request_create(actor=DPO, person_id=aino.pk, kind="access", channel="letter")
    with django_capture_on_commit_callbacks(execute=True):
        rs.request_verification_code_send(actor=DPO, request_id=request.pk)

    assert f"the verification code of request {request.pk} could not be sent" in raw_log.text
    assert SUBJECT_EMAIL not in raw_log.text


def test_every_log_handler_scrubs_personal_data() -> None:
    handlers = django_settings.LOGGING["handlers"]

    assert handlers
    for name, handler in handlers.items():
        assert "scrub" in handler.get("filters", []), name
    assert (
        django_settings.LOGGING["filters"]["scrub"]["()"] == "rekisteri.core.logs.ScrubPersonalData"
    )


def test_whatever_an_exception_quotes_is_scrubbed_before_a_handler_writes_it(
    caplog: Any,
) -> None:
    # Any code, not only the known paths: the filter is the last line of defence.
    logger = logging.getLogger("rekisteri.somewhere")
    try:
        raise smtplib.SMTPRecipientsRefused({SUBJECT_EMAIL: (550, b"rejected")})
    except smtplib.SMTPRecipientsRefused:
        logger.exception("sending to %s (tel. %s, id %s) failed", SUBJECT_EMAIL, PHONE, HETU)
    try:
        raise ValueError(f"person {HETU} at 040 123 4567 and {SUBJECT_EMAIL}")
    except ValueError:
        logger.error("failed", exc_info=True, stack_info=True)

    text = caplog.text
    assert "SMTPRecipientsRefused" in text
    assert "sending to [email] (tel. [phone], id [identity code]) failed" in text
    for secret in (SUBJECT_EMAIL, PHONE, "040 123 4567", HETU):
        assert secret not in text


@pytest.mark.parametrize(
    "kept",
    [
        "job 12345 (rights.notify) failed",
        "at 2026-12-01 10:45:43",
        "identity a1b2c3d4-0123-4567-89ab-0123456789ab",
        "seal 17 hash 0123456789abcdef0123",
    ],
)
def test_ids_dates_and_hashes_are_left_as_they_are(kept: str) -> None:
    from rekisteri.core.logs import scrub

    assert scrub(kept) == kept


@time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_restriction_is_not_lifted_when_the_notice_is_refused_and_the_log_names_the_request(
    aino: Subject, refusing_smtp: RefusingServer, raw_log: RawRecords
) -> None:
    from rekisteri.core.errors import Conflict
    from rekisteri.register.models import Person
    from rekisteri.rights.models import VerificationMethod

    request = rs.request_create(
        actor=DPO,
        person_id=aino.pk,
        kind="restriction",
        channel="letter",
        verified_by=VerificationMethod.STAFF_CHECK,
    )

    # Art. 18(3): no notice, no lift; and the handler gets an error, not a crash.
    with pytest.raises(Conflict, match="not lifted"):
        rs.restriction_lift(actor=DPO, request_id=request.pk)

    assert Person.objects.get(pk=aino.pk).restricted_since is not None
    assert f"the restriction notice of request {request.pk} could not be sent" in raw_log.text
    assert SUBJECT_EMAIL not in raw_log.text
