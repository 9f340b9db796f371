"""What every command of ours shares: the register's errors become clean exits."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from rekisteri.core.errors import RekisteriError


class RekisteriCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except RekisteriError as exc:
            raise CommandError(exc.message, returncode=2 if exc.http_status == 404 else 1) from None
        except DatabaseError as exc:
            # The database's own words name tables and settings, never a person's data.
            raise CommandError(
                f"the database is not ready ({type(exc).__name__}: {exc}); "
                "run `rekisteri setup` first"
            ) from None
