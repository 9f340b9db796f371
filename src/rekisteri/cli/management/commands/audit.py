from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rekisteri.audit.sealfile import SEAL
from rekisteri.audit.selectors import audit_verify_report
from rekisteri.audit.services import audit_seal, audit_witness_settle
from rekisteri.cli.base import RekisteriCommand


class Command(RekisteriCommand):
    help = "Seal the audit trail into its chain, or verify the chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seal", help="Chain the entries of every finished transaction now.")
        verify = sub.add_parser(
            "verify", help="Recompute every seal; exit 1 naming the first broken one."
        )
        verify.add_argument(
            "--repair",
            action="store_true",
            help="First settle, from the database, each seal a crash left half-written "
            "in the seal file (the worker does this when it starts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            result = audit_seal()
            if result.seal is None:
                self.stdout.write("Nothing to seal.")
            else:
                self.stdout.write(
                    f"Sealed {result.sealed_entries} entries as seal {result.seal.number}."
                )
            return
        if options["repair"]:
            for line in audit_witness_settle():
                outcome = "committed" if line.kind == SEAL else "never committed"
                self.stdout.write(f"seal {line.number}: recorded in the seal file as {outcome}.")
        report = audit_verify_report()
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for finding in report.findings:
            where = f"seal {finding.seal}: " if finding.seal is not None else ""
            self.stderr.write(f"{where}{finding.problem}")
        if report.findings:
            raise SystemExit(1)
        self.stdout.write("The audit chain is intact.")
