from __future__ import annotations

from typing import Any

from django.core.management import CommandError

from rekisteri.cli.base import RekisteriCommand
from rekisteri.retention.ledger import ledger_path
from rekisteri.retention.replay import restore_replay


class Command(RekisteriCommand):
    help = (
        "After restoring the database from a backup: erase again everyone the erasure "
        "ledger says was erased, and put back the suppression list. Safe to repeat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = restore_replay()
        self.stdout.write(f"ledger {ledger_path()}: {report.entries} erasures of this register")
        self.stdout.write(f"erased again: {report.erased}")
        self.stdout.write(f"already erased: {report.already_erased}")
        if report.other_person:
            self.stdout.write(f"id now another person's, left alone: {report.other_person}")
        if report.aborted:
            self.stdout.write(f"erasures that never committed, left alone: {report.aborted}")
        if report.foreign:
            self.stdout.write(
                f"erasures of another register's database, left alone: {report.foreign}"
            )
        self.stdout.write(f"identifiers on the suppression list: {report.suppressed}")
        self.stdout.write(
            "Next: `rekisteri retention run`, for rows the sweep had deleted by their own "
            "time (web usage), and `rekisteri audit verify`: seals made after the backup are "
            "gone from the database but not from the seal file."
        )
        if report.problems:
            first = report.problems[0]
            raise CommandError(
                f"the ledger is damaged at line {first.line}: {first.problem}; "
                "the erasures it still names were replayed"
            )
