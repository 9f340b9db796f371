from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Callable
from typing import Any

from rekisteri.cli.base import RekisteriCommand
from rekisteri.retention.sweep import SweepReport, retention_preview, retention_run


def _between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ArgumentTypeError(f"give a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ArgumentTypeError(f"give a whole number from {low} to {high}")
        return value

    return parse


class Command(RekisteriCommand):
    help = (
        "Retention (notice §6): preview what falls due in the coming months, or run the "
        "sweep now (the worker runs it every day)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        preview = sub.add_parser(
            "preview", help="People and records that fall due, this month and each coming month."
        )
        preview.add_argument(
            "--months", type=_between(1, 60), default=12, help="how many months ahead (1-60)"
        )
        run = sub.add_parser("run", help="Apply every rule whose period has run.")
        run.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )
        run.add_argument(
            "--batch",
            type=_between(1, 10000),
            default=500,
            metavar="N",
            help="people erased per transaction (1-10000; default 500)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "preview":
            self._preview(options["months"])
            return
        report = retention_run(
            dry_run=options["dry_run"], batch=options["batch"], progress=self._progress
        )
        self._summary(report)

    def _preview(self, months: int) -> None:
        rows = retention_preview(months=months)
        self.stdout.write(f"{'month':<10}{'people':>10}{'records':>10}  by rule")
        for row in rows:
            label = row.month.strftime("%Y-%m") if row.month else "due now"
            rules = ", ".join(f"{k} {v}" for k, v in sorted(row.by_rule.items()))
            self.stdout.write(f"{label:<10}{row.people:>10}{row.records:>10}  {rules}")
        self.stdout.write(
            "'due now' is what has fallen due by the end of this month; "
            "`rekisteri retention run --dry-run` counts what is due today."
        )

    def _progress(self, rule: str, done: int, total: int) -> None:
        self.stderr.write(f"{rule}: {done}/{total}")

    def _summary(self, report: SweepReport) -> None:
        verb = "due" if report.dry_run else "erased"
        for rule, count in report.people.items():
            self.stdout.write(f"people {verb} under rule {rule}: {count}")
        for rule, count in report.rows.items():
            self.stdout.write(
                f"rows {'due' if report.dry_run else 'deleted'} under rule {rule}: {count}"
            )
        if report.dry_run:
            self.stdout.write(f"legal holds ended: {report.holds_ended}")
        else:
            self.stdout.write(
                f"legal holds ended and removed: {report.holds_ended} "
                f"({report.held_rows} held rows)"
            )
        if report.deferred:
            self.stdout.write(f"kept for now (a request is being answered): {report.deferred}")
        if report.dry_run:
            self.stdout.write("Dry run: nothing was changed.")
