from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.actors import CLI
from rekisteri.register.importing import people_import
from rekisteri.retention.erasure import identifier_suppressed


class Command(RekisteriCommand):
    help = (
        "Import people from a CSV or JSON Lines file. Every row is validated; rejected rows "
        "are listed by line. Exits 1 when any row was rejected."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        people = sub.add_parser("people", help="Import people with their contact data.")
        people.add_argument("file", type=Path)
        people.add_argument("--source", required=True, help="a source key of the policy")
        people.add_argument(
            "--atomic", action="store_true", help="import nothing unless every row is valid"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            transient=True,
            disable=not self.stdout.isatty(),
        ) as bar:
            task = bar.add_task("Validating rows", total=None)
            report = people_import(
                actor=CLI,
                path=path,
                source=options["source"],
                atomic=options["atomic"],
                progress=lambda n: bar.advance(task, n),
                suppressed=identifier_suppressed,
            )
        for rejected in report.rejected:
            self.stderr.write(f"line {rejected.line}: {rejected.reason}")
        if options["atomic"] and report.rejected:
            raise CommandError(
                f"nothing imported: {len(report.rejected)} of {report.read} rows were rejected "
                "(--atomic)"
            )
        self.stdout.write(
            f"{report.imported} imported, {len(report.rejected)} rejected, "
            f"{report.read} rows read from {path.name}."
        )
        if report.rejected:
            raise SystemExit(1)
