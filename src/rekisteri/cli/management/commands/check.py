from __future__ import annotations

from typing import Any

from rekisteri.cli.base import RekisteriCommand
from rekisteri.compliance import compliance_checks


class Command(RekisteriCommand):
    help = (
        "Compare the live data with the policy's promises: retention, declared fields, "
        "marketing to objectors or restricted people, overdue requests, the audit chain "
        "and the erasure ledger. Exit 1 on any finding."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Django's own system checks run first, as its `check` command would.
        self.check(display_num_errors=False)
        checks = compliance_checks()
        for check in checks:
            label = "FINDING" if not check.ok else "ok" if check.count == 0 else "note"
            self.stdout.write(f"{label:<8}{check.count:>8}  {check.text()}")
        findings = [c for c in checks if not c.ok]
        if findings:
            self.stderr.write(f"{len(findings)} finding(s).")
            raise SystemExit(1)
        self.stdout.write("Every promise checked is kept.")
