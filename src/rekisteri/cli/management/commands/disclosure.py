from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.actors import CLI
from rekisteri.register.disclosures import disclosure_record, disclosures_of


class Command(RekisteriCommand):
    help = "Record a disclosure of personal data (notice §8), or list a person's disclosures."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        record = sub.add_parser("record", help="Record a disclosure the policy allows.")
        record.add_argument("--recipient", required=True, help="a recipient key of the policy")
        record.add_argument("--category", action="append", required=True)
        record.add_argument("--person", action="append", type=int, required=True)
        record.add_argument("--date", type=dt.date.fromisoformat, default=None)
        record.add_argument("--country", default="", help="ISO code, for a transfer")
        record.add_argument("--safeguard", default="")
        record.add_argument("--reference", default="")
        listing = sub.add_parser("list", help="A person's disclosures, newest first.")
        listing.add_argument("--person", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "record":
            disclosure = disclosure_record(
                actor=CLI,
                recipient=options["recipient"],
                categories=options["category"],
                person_ids=options["person"],
                disclosed_on=options["date"],
                country=options["country"],
                safeguard=options["safeguard"],
                reference=options["reference"],
            )
            self.stdout.write(
                f"Disclosure {disclosure.pk} recorded: {len(options['person'])} persons to "
                f"{disclosure.recipient} on {disclosure.disclosed_on.isoformat()}."
            )
            return
        for d in disclosures_of(person_id=options["person"]):
            where = f"\t{d.country} ({d.safeguard})" if d.country else ""
            self.stdout.write(
                f"{d.disclosed_on.isoformat()}\t{d.recipient}\t{d.legal_basis}\t"
                f"{','.join(d.categories)}{where}"
            )
