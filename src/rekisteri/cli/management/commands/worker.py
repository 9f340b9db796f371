from __future__ import annotations

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections

from rekisteri.audit.services import audit_seal, audit_witness_settle
from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.errors import RekisteriError
from rekisteri.core.jobs import jobs_daily_enqueue

logger = logging.getLogger(__name__)


def _seal_quietly() -> None:
    try:
        audit_seal()
    except (DatabaseError, OSError, RekisteriError):
        # Ids, table names and paths only reach this log; the next round tries again.
        logger.exception("sealing the audit trail failed")
    finally:
        close_old_connections()


def _settle_quietly() -> None:
    """Settle what a crash left half-written in the seal file before sealing again."""
    try:
        audit_witness_settle()
    except (DatabaseError, OSError):
        logger.exception("settling the seal file failed")
    finally:
        close_old_connections()


def _daily_quietly() -> None:
    try:
        jobs_daily_enqueue()
    except DatabaseError:
        logger.exception("queueing the daily jobs failed")
    finally:
        close_old_connections()


class Command(RekisteriCommand):
    help = (
        "Run the register's jobs: queued tasks (jobs live in the database) and the "
        "audit sealer, which chains new audit entries every few seconds."
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
                if rounds % 150 == 0:
                    _daily_quietly()
                rounds += 1

        thread = threading.Thread(target=sealer, name="audit-sealer", daemon=True)
        if not options["batch"]:
            thread.start()
        try:
            call_command(
                "db_worker",
                batch=options["batch"],
                reload=False,
                startup_delay=not options["batch"],
            )
        finally:
            stop.set()
            if thread.is_alive():
                thread.join(timeout=10)
            _seal_quietly()
