"""What `scripts/serve` prints on starting: the addresses the loaded description serves."""

from __future__ import annotations

import os
import shlex
from typing import Any

from django.conf import settings
from django.urls import reverse

from rekisteri.cli.base import RekisteriCommand
from rekisteri.consent.marketing import own_marketing_purpose
from rekisteri.policy.selectors import policy_get


class Command(RekisteriCommand):
    help = "Print where the register serves its pages and how to make an API key."

    def handle(self, *args: Any, **options: Any) -> None:
        policy = policy_get()
        base = settings.REKISTERI_BASE_URL
        # The portal's page names carry the language; reversing them keeps one list
        # of addresses (the portal's) without this door importing another.
        lines = [f"  Rekisteri is starting on {base}/"]
        lines += [
            f"    Privacy notice ({lang}):  {base}{reverse(f'notice-{lang}')}"
            for lang in policy.policy.languages
        ]
        lines += [
            f"    Your own data ({lang}):   {base}{reverse(f'my-{lang}')}"
            for lang in policy.policy.languages
        ]
        # A purpose the description has: its own marketing, else its first.
        purpose = own_marketing_purpose() or next(iter(policy.purposes))
        # The command runs under the same description only if it is told which.
        chosen = os.environ.get("REKISTERI_POLICY", "")
        under = f"REKISTERI_POLICY={shlex.quote(chosen)} " if chosen else ""
        lines += [
            "      (sign in with a link: the e-mail is written to var/mail/ on this machine)",
            f"    Staff console:        {base}/console/",
            "      (first time: open the demo account's enrolment link printed above, choose a",
            "       password and add the account to an authenticator app)",
            f"    HTTP API and docs:    {base}/api/docs",
            f"      (make a key: {under}.venv/bin/rekisteri apikey create NAME "
            f"--scope people:read --purpose {purpose})",
            "  Stop with Ctrl+C.",
        ]
        self.stdout.write("\n" + "\n".join(lines) + "\n")
