"""Every EU/EEA state's rules are known, and no input crashes a check or leaks into it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rekisteri.core import countries

# A real postal code of each state's capital, as the state writes it.
CAPITAL_POSTAL_CODES = {
    "AT": "1010",
    "BE": "1000",
    "BG": "1000",
    "HR": "10000",
    "CY": "1010",
    "CZ": "110 00",
    "DK": "1050",
    "EE": "10111",
    "FI": "00100",
    "FR": "75001",
    "DE": "10117",
    "GR": "105 57",
    "HU": "1051",
    "IE": "D02 X285",
    "IT": "00184",
    "LV": "LV-1050",
    "LT": "LT-01100",
    "LU": "L-1009",
    "MT": "VLT 1117",
    "NL": "1012 JS",
    "PL": "00-950",
    "PT": "1000-001",
    "RO": "010011",
    "SK": "811 01",
    "SI": "1000",
    "ES": "28013",
    "SE": "114 55",
    "IS": "101",
    "LI": "9490",
    "NO": "0150",
}


def test_the_table_covers_the_eu_and_eea_states() -> None:
    # 27 member states, and Iceland, Liechtenstein and Norway.
    assert set(CAPITAL_POSTAL_CODES) == countries.EEA


@pytest.mark.parametrize(("code", "postal_code"), sorted(CAPITAL_POSTAL_CODES.items()))
def test_each_state_has_its_postal_code_holidays_zone_and_business_id_check(
    code: str, postal_code: str
) -> None:
    country = countries.country_get(code)

    assert countries.postal_code_clean(code, postal_code) == postal_code
    assert countries.holiday_calendar_check(code, None) is None
    assert countries.time_zone_check(country.time_zone) is None
    assert country.business_ids
    assert all(countries.identifier_name(module) for module in country.business_ids)


@pytest.mark.parametrize("code", ["CY", "HU", "LU", "MT"])
def test_a_state_whose_identity_codes_cannot_be_checked_refuses_them_clearly(code: str) -> None:
    with pytest.raises(
        countries.Refused, match=r"the register cannot check \w+ personal identity codes"
    ):
        countries.personal_identity_code_clean(code, "123456789", today=dt.date(2026, 12, 1))


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(sorted(countries.EEA)),
    value=st.text(alphabet=st.characters(codec="utf-8"), min_size=4, max_size=24),
)
def test_any_input_is_accepted_or_refused_without_its_value(code: str, value: str) -> None:
    checks = (
        lambda: countries.business_id_clean(code, value),
        lambda: countries.personal_identity_code_clean(code, value, today=dt.date(2026, 12, 1)),
        lambda: countries.postal_code_clean(code, value),
    )
    reasons = []
    for check in checks:
        try:
            check()
        except countries.Refused as refused:
            reasons.append(refused.reason)
    assert not any(value in reason for reason in reasons)
