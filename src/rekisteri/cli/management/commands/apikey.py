from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.actors import CLI
from rekisteri.staff.keys import Scope, api_key_create, api_key_list, api_key_revoke


class Command(RekisteriCommand):
    help = "Make, list and revoke the API keys of integrating systems."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a key; it is printed once, never again.")
        create.add_argument("name")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=[str(s) for s in Scope],
            help="an operation the key may call (repeat for more)",
        )
        create.add_argument(
            "--purpose",
            action="append",
            default=[],
            help="a purpose of the policy the key may read personal data for (repeat for more)",
        )
        revoke = sub.add_parser("revoke", help="Revoke a key at once.")
        revoke.add_argument("name")
        sub.add_parser("list", help="List the keys (never their secrets).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            key, secret = api_key_create(
                actor=CLI,
                name=options["name"],
                scopes=options["scope"],
                purposes=options["purpose"],
            )
            self.stdout.write(secret)
            self.stderr.write(
                f"API key {key.name!r} made with scopes {', '.join(key.scopes)} and purposes "
                f"{', '.join(key.purposes) or '(none)'}. Store the key now: it is not shown again."
            )
        elif options["action"] == "revoke":
            key = api_key_revoke(actor=CLI, name=options["name"])
            self.stdout.write(f"API key {key.name!r} is revoked.")
        else:
            for key in api_key_list():
                state = "revoked" if key.revoked_at else "live"
                self.stdout.write(
                    f"{key.name}\t{state}\t{','.join(key.scopes)}\t{','.join(key.purposes)}"
                )
