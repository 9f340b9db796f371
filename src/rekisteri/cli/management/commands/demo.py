from __future__ import annotations

from typing import Any

from rekisteri.cli.base import RekisteriCommand
from rekisteri.policy.selectors import notice_version_current


class Command(RekisteriCommand):
    help = "Fill the register with demo data; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        version = notice_version_current()
        if version is None:
            self.stderr.write("Run `rekisteri setup` first: the policy is not recorded yet.")
            raise SystemExit(1)
        # The register's tables arrive with the data model; until then the demo
        # is the notice itself, which setup has already recorded.
        self.stdout.write(f"Demo: notice version {version.number} is in force; no people yet.")
