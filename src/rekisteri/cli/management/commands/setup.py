from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command

from rekisteri.cli.base import RekisteriCommand
from rekisteri.cli.policy_gate import policy_require_consistent_with_code
from rekisteri.core.identity import register_identity
from rekisteri.core.roles import database_app_role_check, database_app_role_grant
from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record
from rekisteri.register.partitions import event_partitions_ensure


class Command(RekisteriCommand):
    help = "Apply migrations and load the register description; safe to run again."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--app-role",
            metavar="NAME",
            help="PostgreSQL: make (if missing) the login role the application runs as and "
            "grant it what it needs, but no way to change or delete the audit trail. "
            "Run setup as the tables' owner, and again with this option after each upgrade.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Refuse a broken policy before touching the database.
        loaded = policy_loaded()
        policy_require_consistent_with_code(loaded)
        if options.get("app_role"):
            database_app_role_check(name=options["app_role"])
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
        if options.get("app_role"):
            append_only = database_app_role_grant(name=options["app_role"])
            self.stdout.write(
                f"Role {options['app_role']} may read and write the register; it may only "
                f"read and add to {', '.join(append_only)}, and cannot switch their "
                "append-only trigger off."
            )
