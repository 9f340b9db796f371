from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.actors import CLI
from rekisteri.staff.services import staff_create, staff_disable, staff_enrolment_renew


class Command(RekisteriCommand):
    help = "Make and disable staff accounts. A new account gets a one-time enrolment link."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make an account and print its enrolment link.")
        create.add_argument("username")
        create.add_argument("--role", required=True, help="a role of the policy's [roles]")
        create.add_argument(
            "--base-url",
            default=os.environ.get("REKISTERI_BASE_URL", "http://127.0.0.1:8000"),
            help="where the register is served (default $REKISTERI_BASE_URL or localhost)",
        )
        relink = sub.add_parser(
            "relink", help="Print a new enrolment link (a lost device); older links stop working."
        )
        relink.add_argument("username")
        relink.add_argument(
            "--base-url", default=os.environ.get("REKISTERI_BASE_URL", "http://127.0.0.1:8000")
        )
        disable = sub.add_parser("disable", help="Disable an account; its sessions end at once.")
        disable.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            user, token = staff_create(
                actor=CLI, username=options["username"], role=options["role"]
            )
            link = f"{options['base_url'].rstrip('/')}/console/enrol/{token}"
            self.stdout.write(link)
            self.stderr.write(
                f"Staff account {user.username!r} made with role {options['role']!r}. "
                "Give its user the link above: it works once, within 24 hours."
            )
        elif options["action"] == "relink":
            token = staff_enrolment_renew(actor=CLI, username=options["username"])
            self.stdout.write(f"{options['base_url'].rstrip('/')}/console/enrol/{token}")
        else:
            user = staff_disable(actor=CLI, username=options["username"])
            self.stdout.write(f"Staff account {user.username!r} is disabled.")
