from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from rekisteri.cli.base import RekisteriCommand, language_choices
from rekisteri.consent.marketing import (
    MarketingChannel,
    audience_iter,
    marketing_audience_count,
    own_marketing_purpose,
)
from rekisteri.consent.sending import CampaignReport, campaign_send
from rekisteri.core.actors import CLI, Actor
from rekisteri.core.csvfiles import SafeWriter

COLUMNS = ("person_id", "first_name", "last_name", "address", "basis", "opt_out_url")


def _operator(purpose: str) -> Actor:
    # The operator at the command line acts for the purpose they name; audited as the CLI.
    return replace(CLI, purposes=frozenset({purpose}))


class Command(RekisteriCommand):
    help = (
        "Direct marketing by the rules (GDPR Art. 21, Information Society Code s. 200): "
        "stream who may be marketed to on a channel, or e-mail a campaign to them."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        audience = sub.add_parser(
            "audience", help="Everyone who may be marketed to, with why and an opt-out link."
        )
        audience.add_argument(
            "--purpose", help="a direct-marketing purpose (default: the company's own marketing)"
        )
        audience.add_argument(
            "--channel", required=True, choices=[str(c) for c in MarketingChannel]
        )
        audience.add_argument("--format", choices=("csv", "jsonl"), default="csv")
        send = sub.add_parser(
            "send", help="E-mail a campaign to the audience; each delivery is recorded."
        )
        send.add_argument(
            "--purpose", help="a direct-marketing purpose (default: the company's own marketing)"
        )
        send.add_argument("--campaign", required=True, help="the campaign's name (recorded)")
        send.add_argument("--subject", required=True)
        send.add_argument(
            "--body-file", type=Path, required=True, help="plain text; {first_name} is filled in"
        )
        send.add_argument("--language", choices=language_choices(), default=settings.LANGUAGE_CODE)
        send.add_argument(
            "--dry-run", action="store_true", help="Count who would get it; send nothing."
        )
        audience.add_argument(
            "--language",
            choices=language_choices(),
            default=settings.LANGUAGE_CODE,
            help="of the opt-out page",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        purpose = options["purpose"] or own_marketing_purpose()
        if purpose is None:
            raise CommandError("the register description has no direct-marketing purpose")
        options["purpose"] = purpose
        # The links go out in messages: they must point where the register is served.
        self.stderr.write(
            f"Opt-out links point to {settings.REKISTERI_BASE_URL} (REKISTERI_BASE_URL)."
        )
        if options["action"] == "audience":
            self._audience(
                options["purpose"], options["channel"], options["format"], options["language"]
            )
            return
        if options["dry_run"]:
            count = marketing_audience_count(purpose=options["purpose"], channel="email")
            self.stdout.write(f"{count} people may be e-mailed for {options['purpose']} now.")
            return
        try:
            body = options["body_file"].read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the body file: {type(exc).__name__}") from None
        report = campaign_send(
            actor=_operator(options["purpose"]),
            purpose=options["purpose"],
            campaign=options["campaign"],
            subject=options["subject"],
            body=body,
            language=options["language"],
            progress=self._progress,
        )
        self.stdout.write(
            f"Sent {report.sent}; sent before by this campaign {report.already}; "
            f"refused at sending time {report.refused}; failed {report.failed} "
            "(not recorded: run the same command again to retry them)."
        )

    def _progress(self, report: CampaignReport) -> None:
        self.stderr.write(f"\r{report.sent} sent", ending="")

    def _audience(self, purpose: str, channel: str, fmt: str, language: str) -> None:
        writer = SafeWriter(sys.stdout) if fmt == "csv" else None
        if writer:
            writer.writerow(COLUMNS)
        count = 0
        try:
            pages = audience_iter(
                actor=_operator(purpose), purpose=purpose, channel=channel, language=language
            )
            for page in pages:
                for recipient in page:
                    if writer:
                        writer.writerow([getattr(recipient, c) for c in COLUMNS])
                    else:
                        row = asdict(recipient)
                        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += len(page)
                sys.stdout.flush()
        except BrokenPipeError:
            # Piped into `head`: the reader has what it wanted.
            sys.stderr.close()
            return
        self.stderr.write(f"{count} people may be marketed to by {channel} for {purpose}.")
