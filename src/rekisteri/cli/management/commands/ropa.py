from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings

from rekisteri.cli.base import RekisteriCommand, language_choices
from rekisteri.policy.ropa import ropa_csv, ropa_json
from rekisteri.policy.selectors import policy_get


class Command(RekisteriCommand):
    help = "Export the record of processing activities (GDPR Art. 30) from the policy."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", dest="fmt", choices=["csv", "json"], default="csv")
        parser.add_argument("--lang", choices=language_choices(), default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        render = ropa_csv if options["fmt"] == "csv" else ropa_json
        self.stdout.write(render(policy_get(), lang=options["lang"]), ending="")
