"""Identifiers the demo makes up: valid by their check characters, because the
register validates them, and drawn so that no two people or companies share one."""

from __future__ import annotations

import datetime as dt

# Finnish identity codes (henkilötunnus): one distinct (birth date, individual
# number) pair per code.
HETU_FIRST_DAY = dt.date(1940, 1, 1)
HETU_DAYS = (dt.date(2005, 12, 31) - HETU_FIRST_DAY).days + 1
# 002-899; 900-999 are temporary codes, which the register refuses.
HETU_INDIVIDUALS = 898
HETU_SPACE = HETU_DAYS * HETU_INDIVIDUALS
# A step coprime to HETU_SPACE turns the n-th code into a distinct pair that
# still looks random: i -> (STEP * i + offset) mod SPACE is a permutation.
HETU_STEP = 7_919_993
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
YTUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def hetu_check_character(digits: str) -> str:
    """Return the check character of a henkilötunnus from its DDMMYY and NNN digits."""
    return HETU_CHECK[int(digits) % 31]


def hetu(number: int, offset: int) -> tuple[str, int, str]:
    """Return the ``number``-th identity code of a run, its birth year and gender."""
    k = (HETU_STEP * number + offset) % HETU_SPACE
    born = dt.date.fromordinal(HETU_FIRST_DAY.toordinal() + k % HETU_DAYS)
    individual = 2 + k // HETU_DAYS
    ddmmyy = f"{born.day:02d}{born.month:02d}{born.year % 100:02d}"
    check = hetu_check_character(f"{ddmmyy}{individual:03d}")
    century = "-" if born.year < 2000 else "A"
    # An odd individual number is a man's, an even one a woman's.
    gender = "male" if individual % 2 else "female"
    return f"{ddmmyy}{century}{individual:03d}{check}", born.year, gender


def ytunnus_check_digit(digits: str) -> int | None:
    """Return the check digit of a 7-digit business id, or None if no digit fits."""
    remainder = sum(int(d) * w for d, w in zip(digits, YTUNNUS_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def luhn_check_digit(digits: str) -> int:
    """Return the Luhn check digit of ``digits`` (Swedish organisation numbers use it)."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        value = int(d) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def business_id(country: str, number: int) -> str | None:
    """The ``number``-th business id of a run in ``country``'s form; None where unknown."""
    if country == "FI":
        # Seven numbers per organisation, so that skipping the ones without a
        # check digit never reaches the next organisation's range.
        base = 2_000_000 + 7 * number
        for candidate in range(base, base + 7):
            digits = f"{candidate:07d}"
            check = ytunnus_check_digit(digits)
            if check is not None:
                return f"{digits}-{check}"
        raise AssertionError("seven consecutive numbers always include a valid business id")
    if country == "SE":
        # An aktiebolag's organisationsnummer (the demo's companies are all AB): it
        # begins with 5, its third and fourth digits are 20 or more (never a month, as
        # in a personnummer), and its last digit is a Luhn check.
        digits = f"559{number:06d}"
        return f"{digits[:6]}-{digits[6:]}{luhn_check_digit(digits)}"
    return None


def reference_number(base: int) -> str:
    """Return a Finnish bank reference number (viitenumero) for ``base``."""
    digits = str(base)
    total = sum(int(d) * (7, 3, 1)[i % 3] for i, d in enumerate(reversed(digits)))
    return f"{digits}{(10 - total % 10) % 10}"
