from __future__ import annotations

import argparse
import os
import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.actors import CLI
from rekisteri.demo.store import demo_generate
from rekisteri.policy.selectors import notice_version_current
from rekisteri.register.models import Person
from rekisteri.staff.services import DEMO_STAFF, demo_role, demo_staff_link


def positive_count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class Command(RekisteriCommand):
    help = "Fill an empty register with synthetic demo people; safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=positive_count, default=300, help="how many people (default 300)"
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="the same seed gives the same data"
        )
        parser.add_argument(
            "--overdue",
            action="store_true",
            help="also history past the policy's retention periods, for the sweep to erase",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        version = notice_version_current()
        if version is None:
            self.stderr.write("Run `rekisteri setup` first: the policy is not recorded yet.")
            raise SystemExit(1)
        self._demo_staff()
        present = Person.objects.count()
        if present:
            # Never mix demo people into a register that already holds people.
            noun = "person" if present == 1 else "people"
            self.stdout.write(
                f"Demo data is already present: the register holds {present} {noun}; nothing added."
            )
            return
        people: int = options["people"]
        started = time.monotonic()
        # On stderr, so that stdout carries only the summary.
        with Progress(
            TextColumn("Demo people"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            redirect_stdout=False,
            redirect_stderr=False,
            transient=True,
        ) as bar:
            task = bar.add_task("demo", total=people)
            stats = demo_generate(
                people=people,
                seed=options["seed"],
                progress=lambda done: bar.update(task, completed=done),
                notice_version=version.number,
                overdue=options["overdue"],
            )
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Demo data stored: {stats.people} people, {stats.total} rows in {seconds:.1f} s "
            f"(seed {options['seed']}, notice version {version.number})."
        )
        width = max(len(name) for name in stats.counts)
        for name, count in stats.counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>10}")

    def _demo_staff(self) -> None:
        if settings.PRODUCTION:
            return  # no default account in production: rekisteri staff create
        token = demo_staff_link(actor=CLI)
        if token:
            base = os.environ.get("REKISTERI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
            self.stdout.write(
                f"Demo staff account {DEMO_STAFF!r} (role {demo_role()}): set its password and "
                f"authenticator app at {base}/console/enrol/{token}"
            )
