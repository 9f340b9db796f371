from __future__ import annotations

import logging
import threading
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from rekisteri.audit.services import audit_seal, audit_witness_settle
from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.errors import RekisteriError
from rekisteri.core.jobs import jobs_daily_enqueue, jobs_resume_abandoned
from rekisteri.core.worker import worker_run
from rekisteri.retention.replay import ledger_watch

logger = logging.getLogger(__name__)


def _quietly(step: Callable[[], object], failed: str) -> None:
    """Run one of the worker's own steps; a failure is logged and the next round tries again.

    Ids, table names and paths only reach this log. When the ledger step fails,
    `rekisteri check` stays the alarm (erased people back).
    """
    try:
        step()
    except (DatabaseError, OSError, RekisteriError):
        logger.exception("%s failed", failed)
    finally:
        close_old_connections()


def _seal_quietly() -> None:
    _quietly(audit_seal, "sealing the audit trail")


def _settle_quietly() -> None:
    # What a crash left half-written in the seal file, before sealing again.
    _quietly(audit_witness_settle, "settling the seal file")


def _ledger_quietly() -> None:
    # Settle the erasure ledger and erase again anyone a restore brought back.
    _quietly(ledger_watch, "replaying the erasure ledger")


def _daily_quietly() -> None:
    _quietly(jobs_daily_enqueue, "queueing the daily jobs")


def _resume_quietly() -> None:
    _quietly(jobs_resume_abandoned, "resuming the jobs of a stopped worker")


class Command(RekisteriCommand):
    help = (
        "Run the register's jobs: queued tasks (jobs live in the database; the worker is "
        "woken when one is queued), the audit sealer, which chains new audit entries every "
        "few seconds, and the resumption of jobs whose worker died."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Run what is queued now, seal, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        _settle_quietly()

        def sealer() -> None:
            rounds = 0
            while not stop.wait(settings.REKISTERI_AUDIT_SEAL_INTERVAL_SECONDS):
                _seal_quietly()
                # The daily jobs (retention sweep, reminders, package purge) are checked
                # every few minutes; each is queued once a day.
                # So is the erasure ledger: a restore is repaired within minutes.
                if rounds % 150 == 0:
                    _daily_quietly()
                    _ledger_quietly()
                # A job whose lease ran out lost its worker: it resumes here.
                if rounds % 5 == 0:
                    _resume_quietly()
                rounds += 1

        # Before any job runs: a restored database must not work on with people
        # it had forgotten.
        _ledger_quietly()
        thread = threading.Thread(target=sealer, name="audit-sealer", daemon=True)
        _resume_quietly()
        if not options["batch"]:
            thread.start()
        try:
            worker_run(poll_seconds=settings.REKISTERI_WORKER_POLL_SECONDS, batch=options["batch"])
        finally:
            stop.set()
            if thread.is_alive():
                thread.join(timeout=10)
            _seal_quietly()
