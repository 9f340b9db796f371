"""Deadlines as GDPR Art. 12(3) and Regulation 1182/71 count them."""

from __future__ import annotations

import datetime as dt

import pytest

from rekisteri.core.clock import add_months
from rekisteri.rights.deadlines import due_date_for

D = dt.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Same date next month, a working day.
        (D(2026, 3, 10), D(2026, 4, 10)),
        # 31 January: February has no 31st, so its last day; 28.2.2026 is a Saturday -> Monday.
        (D(2026, 1, 31), D(2026, 3, 2)),
        # Leap year: 31.1.2028 -> 29.2.2028, a Tuesday.
        (D(2028, 1, 31), D(2028, 2, 29)),
        # 29.2.2028 -> 29.3.2028 (Wednesday).
        (D(2028, 2, 29), D(2028, 3, 29)),
        # 31 March -> 30 April (Thursday 30.4.2026).
        (D(2026, 3, 31), D(2026, 4, 30)),
        # Year end: 6 December is Independence Day (Sunday in 2026 anyway) ->
        # 6.11. +1 month = Sunday 6.12.2026 -> Monday 7.12.
        (D(2026, 11, 6), D(2026, 12, 7)),
        # Christmas: 24.11. -> Thursday 24.12.2026, Christmas Eve, a holiday in Finland;
        # 25th and 26th holidays, 27th Sunday -> Monday 28.12.
        (D(2026, 11, 24), D(2026, 12, 28)),
        # Over the year boundary: 31.12.2026 -> 31.1.2027 is a Sunday -> Monday 1.2.2027.
        (D(2026, 12, 31), D(2027, 2, 1)),
        # Midsummer Eve 19.6.2026 (Friday) is a holiday -> Monday 22.6.
        (D(2026, 5, 19), D(2026, 6, 22)),
    ],
)
def test_the_answer_is_due_one_month_after_receipt_on_a_working_day(
    received: dt.date, due: dt.date
) -> None:
    assert due_date_for(received) == due


def test_an_extension_counts_from_receipt_not_from_the_first_due_date() -> None:
    # 31.1.2028 + 3 months = 30.4.2028 (Sunday) -> 1.5. is May Day -> Tuesday 2.5.2028.
    assert due_date_for(D(2028, 1, 31), extension_months=2) == D(2028, 5, 2)


def test_a_missing_day_becomes_the_last_day_of_the_month() -> None:
    assert add_months(D(2027, 1, 29), 1) == D(2027, 2, 28)
    assert add_months(D(2028, 1, 29), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 8, 31), 1) == D(2026, 9, 30)
