"""Deadlines as GDPR Art. 12(3) and Regulation 1182/71 count them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rekisteri.core.clock import add_months
from rekisteri.rights.deadlines import due_date_for
from tests.countries import FINNISH, GERMAN, SWEDISH, policy_file

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
    in_finland: Path, received: dt.date, due: dt.date
) -> None:
    assert due_date_for(received) == due


def test_an_extension_counts_from_receipt_not_from_the_first_due_date(in_finland: Path) -> None:
    # 31.1.2028 + 3 months = 30.4.2028 (Sunday) -> 1.5. is May Day -> Tuesday 2.5.2028.
    assert due_date_for(D(2028, 1, 31), extension_months=2) == D(2028, 5, 2)


def test_a_missing_day_becomes_the_last_day_of_the_month() -> None:
    assert add_months(D(2027, 1, 29), 1) == D(2027, 2, 28)
    assert add_months(D(2028, 1, 29), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 8, 31), 1) == D(2026, 9, 30)


# The holidays are the controller's: its country's, and its region's where it names one.
ACROSS_HOLIDAYS = [
    # 30.10.2022 is a Sunday. Monday 31 October is Reformationstag, a holiday in Hamburg
    # since 2018 but a working day in Finland.
    pytest.param(GERMAN, D(2022, 9, 30), D(2022, 11, 1), id="hamburg-reformationstag"),
    pytest.param(FINNISH, D(2022, 9, 30), D(2022, 10, 31), id="finland-on-reformationstag"),
    # Epiphany (6 January) is a Finnish holiday, not a Hamburg one (the case).
    pytest.param(GERMAN, D(2026, 12, 6), D(2027, 1, 6), id="hamburg-epiphany"),
    pytest.param(FINNISH, D(2026, 12, 6), D(2027, 1, 7), id="finland-epiphany"),
    # Sweden's National Day, Tuesday 6 June 2028.
    pytest.param(SWEDISH, D(2028, 5, 6), D(2028, 6, 7), id="sweden-national-day"),
    pytest.param(FINNISH, D(2028, 5, 6), D(2028, 6, 6), id="finland-on-sweden-s-national-day"),
]


@pytest.mark.parametrize(("controller", "received", "due"), ACROSS_HOLIDAYS)
def test_the_deadline_skips_the_public_holidays_where_the_controller_is(
    settings: Any, tmp_path: Path, controller: dict[str, str], received: dt.date, due: dt.date
) -> None:
    settings.REKISTERI_POLICY = policy_file(tmp_path, controller)

    assert due_date_for(received) == due


def test_a_region_s_holiday_counts_only_in_that_region(settings: Any, tmp_path: Path) -> None:
    # Friday 31.10.2025 + the two months' extension: Hamburg has Reformationstag off,
    # Bavaria (BY) does not.
    settings.REKISTERI_POLICY = policy_file(tmp_path, GERMAN, name="hamburg")
    in_hamburg = due_date_for(D(2025, 7, 31), extension_months=2)
    settings.REKISTERI_POLICY = policy_file(tmp_path, GERMAN | {"subdivision": "BY"}, "munich")
    in_munich = due_date_for(D(2025, 7, 31), extension_months=2)

    assert (in_hamburg, in_munich) == (D(2025, 11, 3), D(2025, 10, 31))
