"""The register's clock: one place to ask for "now", so tests can freeze it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

# Dates in the notice and deadlines are Finnish calendar dates.
HELSINKI = ZoneInfo("Europe/Helsinki")


def now() -> dt.datetime:
    """Return the current moment, timezone-aware, in UTC."""
    return timezone.now()


def today() -> dt.date:
    """Return today's date in Finland."""
    return now().astimezone(HELSINKI).date()
