"""Stored values read as staff write them, not as the register keys them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from rekisteri.console.words import datum_fields
from rekisteri.core import clock

OPENED = dt.datetime(2026, 11, 3, 12, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("row", "shown"),
    [
        (
            {"table": "payment", "amount": "149.00", "method": "e_invoice"},
            ["summa 149,00", "maksutapa verkkolasku"],
        ),
        ({"table": "invoice", "number": "2025-1"}, ["laskun numero 2025-1"]),
        (
            {"table": "identity_verification", "method": "mobile_certificate", "result": "success"},
            ["tunnistustapa mobiilivarmenne", "tulos onnistui"],
        ),
        ({"table": "rectification", "field": "phone"}, ["kenttä puhelinnumero"]),
        (
            {"table": "email_change", "state": "pending"},
            ["tila odottaa uuden osoitteen vahvistusta"],
        ),
        (
            {"table": "delivery", "opened_at": "2026-11-03T12:05:00+00:00"},
            ["avattu 3.11.2026 klo {opened}"],  # in the register's time zone
        ),
        ({"table": "customership", "started_on": "2024-01-02"}, ["alkoi 2.1.2024"]),
        ({"table": "person", "gender": "female", "job_title": ""}, ["sukupuoli nainen"]),
    ],
)
def test_a_stored_value_reads_in_finnish_words(row: dict[str, str], shown: list[str]) -> None:
    # 12.05 UTC on the register's clock: 14.05 in Helsinki, 13.05 in Stockholm.
    local = OPENED.astimezone(clock.zone())
    expected = [line.format(opened=f"{local.hour}.{local.minute:02d}") for line in shown]
    with translation.override("fi"):
        assert [f"{d.label} {d.value}" for d in datum_fields(row, "fi")] == expected
