"""The register's clock: one place to ask for "now", so tests can freeze it."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone


def zone() -> ZoneInfo:
    """The controller's time zone: dates in the notice, deadlines and retention are its
    calendar dates (``settings.TIME_ZONE``, which follows the register description)."""
    return ZoneInfo(timezone.get_default_timezone_name())


def now() -> dt.datetime:
    """Return the current moment, timezone-aware, in UTC."""
    return timezone.now()


def today() -> dt.date:
    """Return today's date where the controller is."""
    return now().astimezone(zone()).date()


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of a calendar day where the controller is."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date ``months`` later (or earlier), or that month's last day when it has none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
