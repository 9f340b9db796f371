from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command

from rekisteri.cli.base import RekisteriCommand


class Command(RekisteriCommand):
    help = "Run the register's queued and scheduled jobs (jobs live in the database)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Run what is queued now, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "db_worker", batch=options["batch"], reload=False, startup_delay=not options["batch"]
        )
