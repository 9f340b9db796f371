from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command

from rekisteri.cli.base import RekisteriCommand
from rekisteri.cli.policy_gate import policy_require_consistent_with_code
from rekisteri.core.identity import register_identity
from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record
from rekisteri.register.partitions import event_partitions_ensure


class Command(RekisteriCommand):
    help = "Apply migrations and load the register description; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        # Refuse a broken policy before touching the database.
        loaded = policy_loaded()
        policy_require_consistent_with_code(loaded)
        call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        identity = register_identity()
        version, created = notice_version_record(loaded=loaded)
        partitions = event_partitions_ensure()
        state = "recorded as new" if created else "unchanged"
        if partitions:
            self.stdout.write(f"Created {len(partitions)} monthly event partitions.")
        self.stdout.write(
            f"Database ready. Policy {loaded.source}: notice version {version.number} "
            f"({state}, in force since {version.effective_on.isoformat()}). "
            f"Register identity {identity}."
        )
