"""The self-check asks for Finnish morphology only where Finnish names are anonymised."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.countries import SWEDISH, policy_file

pytestmark = pytest.mark.django_db

NORRSKEN = Path(__file__).resolve().parents[2] / "policies" / "norrsken.toml"
VOIKKO = "Finnish morphology (Voikko) is missing"


def _check_output(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    # A machine without Voikko.
    monkeypatch.setattr("rekisteri.retention.checks.morphology_available", lambda: False)
    # The command exits non-zero when anything is found; only its lines matter here.
    with contextlib.suppress(SystemExit):
        call_command("check")
    return capsys.readouterr().out


def test_a_swedish_register_offering_no_finnish_is_not_told_voikko_is_missing(
    settings: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REKISTERI_POLICY = str(NORRSKEN)

    out = _check_output(capsys, monkeypatch)

    assert not [line for line in out.splitlines() if VOIKKO in line and "FINDING" in line]


def test_a_finnish_controller_is_told_voikko_is_missing(
    in_finland: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _check_output(capsys, monkeypatch)

    assert [line for line in out.splitlines() if VOIKKO in line and "FINDING" in line]


def test_a_register_offering_finnish_abroad_is_told_voikko_is_missing(
    settings: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Mainioco's description (Finnish offered) with a controller in Stockholm.
    settings.REKISTERI_POLICY = str(policy_file(tmp_path, SWEDISH))

    out = _check_output(capsys, monkeypatch)

    assert [line for line in out.splitlines() if VOIKKO in line and "FINDING" in line]
