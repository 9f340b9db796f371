from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from rekisteri.cli.base import RekisteriCommand
from rekisteri.consent.transfers import transfer_record
from rekisteri.core.actors import CLI
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
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
        record.add_argument(
            "--ends-on",
            type=dt.date.fromisoformat,
            default=None,
            help="the last day of a temporary transfer with the people's consent (YYYY-MM-DD)",
        )
        record.add_argument(
            "--recipient-email",
            default="",
            help="where the receiving register is told when the transfer ends",
        )
        listing = sub.add_parser("list", help="A person's disclosures, newest first.")
        listing.add_argument("--person", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "record":
            recipient = policy_get().recipients.get(options["recipient"])
            if recipient is not None and recipient.legal_basis == LegalBasis.CONSENT:
                # Notice §8: with each person's consent, for a limited time.
                disclosure = transfer_record(
                    actor=CLI,
                    recipient=options["recipient"],
                    categories=options["category"],
                    person_ids=options["person"],
                    ends_on=options["ends_on"],
                    disclosed_on=options["date"],
                    reference=options["reference"],
                    recipient_email=options["recipient_email"],
                )
                self.stdout.write(
                    f"Transfer {disclosure.pk} recorded: {len(options['person'])} persons to "
                    f"{disclosure.recipient} from {disclosure.disclosed_on.isoformat()} "
                    f"to {disclosure.ends_on}."
                )
                return
            disclosure = disclosure_record(
                actor=CLI,
                recipient=options["recipient"],
                categories=options["category"],
                person_ids=options["person"],
                disclosed_on=options["date"],
                country=options["country"],
                safeguard=options["safeguard"],
                reference=options["reference"],
                ends_on=options["ends_on"],
            )
            self.stdout.write(
                f"Disclosure {disclosure.pk} recorded: {len(options['person'])} persons to "
                f"{disclosure.recipient} on {disclosure.disclosed_on.isoformat()}."
            )
            return
        for d in disclosures_of(person_id=options["person"]):
            where = f"\t{d.country} ({d.safeguard})" if d.country else ""
            until = f"\tuntil {d.ends_on.isoformat()}" if d.ends_on else ""
            # Annotated per person by disclosures_of.
            reason = getattr(d, "end_reason", "")
            ended = f"\tended ({reason})" if getattr(d, "ended_at", None) else ""
            self.stdout.write(
                f"{d.disclosed_on.isoformat()}\t{d.recipient}\t{d.legal_basis}\t"
                f"{','.join(d.categories)}{where}{until}{ended}"
            )
