from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from rekisteri.cli.base import RekisteriCommand, language_choices
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.selectors import consent_proof
from rekisteri.consent.services import CHANNELS, consent_record
from rekisteri.core.actors import CLI


class Command(RekisteriCommand):
    help = (
        "The consent ledger: export the proof of what a person agreed to and when "
        "(GDPR Art. 7(1)), or record a choice made by letter or to customer service."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        proof = sub.add_parser("proof", help="Every choice of the person, with the text shown.")
        proof.add_argument("person", type=int, metavar="PERSON", help="the person's id")
        record = sub.add_parser("record", help="Append a choice to the person's ledger.")
        record.add_argument("person", type=int, metavar="PERSON", help="the person's id")
        record.add_argument(
            "--scope", required=True, help='a purpose, or purpose:channel ("marketing:email")'
        )
        record.add_argument("--choice", required=True, choices=[str(a) for a in ConsentAction])
        record.add_argument("--channel", required=True, choices=CHANNELS)
        record.add_argument(
            "--text-file", type=Path, help="the text the person agreed to (needed to grant)"
        )
        record.add_argument(
            "--language", choices=language_choices(), default=settings.LANGUAGE_CODE
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "proof":
            proof = consent_proof(actor=CLI, person_id=options["person"])
            self.stdout.write(json.dumps(proof, ensure_ascii=False, indent=2))
            return
        text = ""
        if options["text_file"] is not None:
            try:
                text = options["text_file"].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read the text file: {type(exc).__name__}") from None
        event = consent_record(
            actor=CLI,
            person_id=options["person"],
            scope=options["scope"],
            action=options["choice"],
            channel=options["channel"],
            text=text,
            language=options["language"],
        )
        self.stdout.write(
            f"Recorded: person {event.person_id}, {event.scope} {event.action} "
            f"by {event.channel} at {event.occurred_at.isoformat()} (event {event.pk})."
        )
