"""The ``rekisteri`` command: the register's own commands and Django's, under one name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    from rekisteri.core.files import restrict_umask

    # First: the database, the ledger, the seal file and mail are ours alone.
    restrict_umask()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rekisteri.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["rekisteri", *sys.argv[1:]])
    except ImproperlyConfigured as exc:
        # A configuration mistake is the operator's to fix: say what, not where in Django.
        sys.stderr.write(f"rekisteri: configuration: {exc}\n")
        raise SystemExit(1) from None
