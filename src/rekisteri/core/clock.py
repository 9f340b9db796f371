"""The register's clock: one place to ask for "now", so tests can freeze it."""

from __future__ import annotations

import calendar
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


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of a Finnish calendar day."""
    return dt.datetime.combine(day, dt.time(), tzinfo=HELSINKI)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date ``months`` later (or earlier), or that month's last day when it has none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
