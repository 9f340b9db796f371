"""The register's dates are the controller's calendar dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from rekisteri.core import clock

# 22:30 UTC on 1 December: already the 2nd in Helsinki (UTC+2), still the 1st in
# Stockholm (UTC+1).
LATE_EVENING = dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "day", "hours_ahead_of_utc"),
    [("Europe/Helsinki", dt.date(2026, 12, 2), 2), ("Europe/Stockholm", dt.date(2026, 12, 1), 1)],
)
def test_today_is_the_date_where_the_controller_is(
    settings: Any, zone: str, day: dt.date, hours_ahead_of_utc: int
) -> None:
    settings.TIME_ZONE = zone

    with time_machine.travel(LATE_EVENING, tick=False):
        assert clock.today() == day
    assert clock.start_of(day).utcoffset() == dt.timedelta(hours=hours_ahead_of_utc)
