"""The ``rekisteri`` command: the register's own commands and Django's, under one name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rekisteri.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rekisteri", *sys.argv[1:]])
