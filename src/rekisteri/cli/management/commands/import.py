from __future__ import annotations

from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.actors import CLI
from rekisteri.core.csvfiles import SafeWriter
from rekisteri.core.files import private_opener
from rekisteri.register.importing import COLUMNS, ImportReport, people_import, read_rows
from rekisteri.retention.erasure import identifier_suppressed

# A summary names this many reasons and, for each, this many line numbers: a file
# with 50,000 bad rows must not bury the answer under 50,000 lines.
REASONS_SHOWN = 10
LINES_SHOWN = 5


class Command(RekisteriCommand):
    help = (
        "Import people from a CSV or JSON Lines file. Every row is validated; rejected rows "
        "are summarised by reason (with --rejected FILE, written out whole). Exits 1 when "
        "any row was rejected."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        people = sub.add_parser("people", help="Import people with their contact data.")
        people.add_argument("file", type=Path)
        people.add_argument("--source", required=True, help="a source key of the policy")
        people.add_argument(
            "--atomic", action="store_true", help="import nothing unless every row is valid"
        )
        people.add_argument(
            "--rejected",
            type=Path,
            metavar="FILE",
            help="write the rejected rows, with their line and reason, to this CSV file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        out: Path | None = options["rejected"]
        if out is not None and (not out.parent.is_dir() or out.is_dir()):
            # Said before the import, not after it has written every row.
            raise CommandError(f"--rejected: cannot write a file at {out}")
        shown = self.stdout.isatty()
        # The bar needs its total: one quick pass that only parses (no validation).
        total = sum(1 for _ in read_rows(path)) if shown else None
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            transient=True,
            disable=not shown,
        ) as bar:
            task = bar.add_task("Importing rows", total=total)
            report = people_import(
                actor=CLI,
                path=path,
                source=options["source"],
                atomic=options["atomic"],
                progress=lambda n: bar.advance(task, n),
                suppressed=identifier_suppressed,
            )
        self._summarise(report)
        if out is not None and report.rejected:
            try:
                written = _write_rejected(path, report, out)
            except OSError as exc:
                raise CommandError(f"--rejected: cannot write {out} ({exc.strerror})") from None
            self.stderr.write(f"the {written} rejected rows are in {out}")
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

    def _summarise(self, report: ImportReport) -> None:
        """Rejections grouped by reason, the commonest first, each with its first lines."""
        lines: dict[str, list[int]] = {}
        for rejected in report.rejected:
            lines.setdefault(rejected.reason, []).append(rejected.line)
        counts = Counter({reason: len(at) for reason, at in lines.items()})
        for reason, count in counts.most_common(REASONS_SHOWN):
            at = ", ".join(str(n) for n in lines[reason][:LINES_SHOWN])
            more = ", …" if count > LINES_SHOWN else ""
            row_word = "row" if count == 1 else "rows"
            line_word = "line" if count == 1 else "lines"
            self.stderr.write(f"{count} {row_word}: {reason} ({line_word} {at}{more})")
        hidden = len(counts) - REASONS_SHOWN
        if hidden > 0:
            self.stderr.write(
                f"and {hidden} other reasons; --rejected FILE writes every rejected row"
            )


def _write_rejected(source: Path, report: ImportReport, target: Path) -> int:
    """The rejected rows as the file had them, after their line and reason; the file is
    private to this user, since the rows hold personal data."""
    reasons = {rejected.line: rejected.reason for rejected in report.rejected}
    written = 0
    with open(target, "w", encoding="utf-8", newline="", opener=private_opener) as out:
        writer = SafeWriter(out)
        writer.writerow(["line", "reason", *COLUMNS])
        for line, row in read_rows(source):
            if line in reasons:
                writer.writerow([line, reasons[line], *(_cell(row.get(c)) for c in COLUMNS)])
                written += 1
    return written


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
