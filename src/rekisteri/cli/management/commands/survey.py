from __future__ import annotations

from argparse import ArgumentParser
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from rekisteri.analytics.surveys import survey_send
from rekisteri.cli.base import RekisteriCommand, language_choices
from rekisteri.core.actors import CLI
from rekisteri.policy.schema import PurposeUse
from rekisteri.policy.selectors import policy_get


class Command(RekisteriCommand):
    help = (
        "Send a feedback or satisfaction survey to a saved segment of the purpose that "
        "serves surveys: only people that purpose stays open to (their consent stands) "
        "get it; answers become their feedback."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="E-mail the survey with a link to answer.")
        send.add_argument(
            "--segment", required=True, help="a saved segment of the purpose that serves surveys"
        )
        send.add_argument("--name", required=True, help="the survey's name (once only)")
        send.add_argument("--question-file", type=Path, required=True)
        send.add_argument("--language", choices=language_choices(), default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            question = options["question_file"].read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the question file: {type(exc).__name__}") from None
        survey = survey_send(
            actor=replace(
                CLI, purposes=frozenset(policy_get().purposes_serving(PurposeUse.SURVEYS))
            ),
            segment_name=options["segment"],
            name=options["name"],
            question=question,
            language=options["language"],
        )
        self.stdout.write(f"Survey {survey.name!r} sent to {survey.sent_count} people.")
