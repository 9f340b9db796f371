from __future__ import annotations

import datetime as dt
from argparse import SUPPRESS, ArgumentParser
from typing import Any

from django.conf import settings

from rekisteri.cli.base import RekisteriCommand, language_choices
from rekisteri.core.actors import CLI
from rekisteri.policy.diff import notice_diff
from rekisteri.policy.notice import render_notice
from rekisteri.policy.schema import Policy
from rekisteri.policy.selectors import (
    notice_version_current,
    notice_version_get,
    notice_versions_list,
    policy_get,
)
from rekisteri.rights.announcements import announcements_list, notice_announce

# What `notice diff` says of two versions with the same content, in each language.
NO_CHANGES = {"fi": "(ei muutoksia)", "sv": "(inga ändringar)", "en": "(no changes)"}


class Command(RekisteriCommand):
    help = "Render the privacy notice, list its versions, or show what changed between two."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--lang", choices=language_choices(), default=settings.LANGUAGE_CODE)
        parser.add_argument("--format", dest="fmt", choices=["md", "html"], default="md")
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("versions", help="List the notice versions.")
        show = sub.add_parser("show", help="Render a recorded version.")
        show.add_argument("number", type=int)
        diff = sub.add_parser("diff", help="Show what changed from version A to version B.")
        diff.add_argument("a", type=int)
        diff.add_argument("b", type=int)
        diff.add_argument("--lang", choices=language_choices(), default=SUPPRESS)
        announce = sub.add_parser(
            "announce",
            help="Announce a version that changes what is processed, why, how long or to whom: "
            "e-mail everyone on file and show a banner in the portal (notice §12).",
        )
        announce.add_argument("number", type=int)
        announce.add_argument(
            "--effective-on",
            type=dt.date.fromisoformat,
            required=True,
            help="the day the changed notice takes effect (YYYY-MM-DD), not before today",
        )
        sub.add_parser("announcements", help="Announcements and how far each has reached.")

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options["lang"]
        if options["action"] == "announce":
            announcement = notice_announce(
                actor=CLI,
                version_number=options["number"],
                effective_on=options["effective_on"],
            )
            self.stdout.write(
                f"Version {announcement.version_number} announced, in force from "
                f"{announcement.effective_on.isoformat()}; the worker e-mails everyone on file."
            )
            return
        if options["action"] == "announcements":
            for a in announcements_list():
                self.stdout.write(
                    f"{a['version']}\tin force {a['effective_on'].isoformat()}\t"
                    f"people {a['people']}\te-mailed {a['emailed']}\tseen {a['seen']}"
                )
            return
        if options["action"] == "versions":
            versions = notice_versions_list()
            if not versions:
                self.stderr.write("No notice version is recorded yet: run `rekisteri setup`.")
            for version in versions:
                self.stdout.write(
                    f"{version.number}\t{version.effective_on.isoformat()}\t"
                    f"{version.content_hash[:12]}"
                )
            return
        if options["action"] == "diff":
            old = notice_version_get(number=options["a"])
            new = notice_version_get(number=options["b"])
            lines = notice_diff(old.content, new.content, lang=lang)
            for line in lines or [NO_CHANGES[lang]]:
                self.stdout.write(f"- {line}" if lines else line)
            return
        if options["action"] == "show":
            version = notice_version_get(number=options["number"])
            self.stdout.write(
                render_notice(
                    Policy.model_validate(version.content),
                    lang=lang,
                    fmt=options["fmt"],
                    version_number=version.number,
                    effective_on=version.effective_on,
                ),
                ending="",
            )
            return
        current = notice_version_current()
        if current is None:
            self.stderr.write(
                "Note: this is the policy file, not a recorded version; "
                "`rekisteri setup` puts it in force."
            )
        self.stdout.write(
            render_notice(
                policy_get(),
                lang=lang,
                fmt=options["fmt"],
                version_number=current.number if current else None,
                effective_on=current.effective_on if current else None,
            ),
            ending="",
        )
