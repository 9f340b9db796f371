from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from rekisteri.cli.base import RekisteriCommand
from rekisteri.cli.policy_gate import policy_require_consistent_with_code
from rekisteri.policy.selectors import notice_in_force, policy_loaded


class Command(RekisteriCommand):
    help = "Serve the register with gunicorn (a production server, not Django's runserver)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("REKISTERI_HOST", "127.0.0.1"))
        # String defaults pass through type=int, so a bad variable gets argparse's message.
        parser.add_argument("--port", type=int, default=os.environ.get("REKISTERI_PORT", "8000"))
        parser.add_argument("--workers", type=int, default=os.environ.get("REKISTERI_WORKERS", "2"))

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {options['port']}")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        # Fail here, with the policy's own message, not in a worker.
        policy_require_consistent_with_code(policy_loaded())
        if notice_in_force() is None:
            raise CommandError("no notice version is recorded: run `rekisteri setup` first")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "rekisteri.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            # gunicorn 27 opens a control socket under $HOME by default; we need none.
            "--no-control-socket",
            "--access-logfile",
            "-",
            # The path without its query string: a careless client may put personal
            # data in a URL, and the log must not keep it.
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            "--logger-class",
            "rekisteri.cli.access_log.EscapingLogger",
            "--forwarded-allow-ips",
            os.environ.get("REKISTERI_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter, fixed arguments
