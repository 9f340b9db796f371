from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rekisteri.audit.selectors import audit_verify
from rekisteri.audit.services import audit_seal
from rekisteri.cli.base import RekisteriCommand


class Command(RekisteriCommand):
    help = "Seal the audit trail into its chain, or verify the chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seal", help="Chain the entries of every finished transaction now.")
        sub.add_parser("verify", help="Recompute every seal; exit 1 naming the first broken one.")

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
        findings = audit_verify()
        for finding in findings:
            where = f"seal {finding.seal}: " if finding.seal is not None else ""
            self.stderr.write(f"{where}{finding.problem}")
        if findings:
            raise SystemExit(1)
        self.stdout.write("The audit chain is intact.")
