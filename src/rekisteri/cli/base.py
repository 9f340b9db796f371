"""What every command of ours shares: the register's errors become clean exits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, OperationalError

from rekisteri.core.errors import RekisteriError


class RekisteriCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except RekisteriError as exc:
            raise CommandError(exc.message, returncode=2 if exc.http_status == 404 else 1) from None
        except DatabaseError as exc:
            # The database's own words name tables and settings, never a person's data.
            unreachable = isinstance(exc, OperationalError) and any(
                words in str(exc) for words in ("does not exist", "could not connect", "refused")
            )
            hint = (
                "check that DATABASE_URL names a database that exists and is reachable, "
                "then run `rekisteri setup`"
                if unreachable
                else "run `rekisteri setup` first"
            )
            raise CommandError(
                f"the database is not ready ({type(exc).__name__}: {exc}); {hint}"
            ) from None


def language_choices() -> list[str]:
    """The languages a --lang/--language option takes: those the policy offers."""
    return [code for code, _name in settings.LANGUAGES]
