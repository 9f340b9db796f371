"""The register's identity: one per database, kept, and told by setup."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from rekisteri.core.identity import register_identity
from rekisteri.core.models import RegisterIdentity

pytestmark = pytest.mark.django_db


def test_setup_makes_one_identity_and_keeps_it(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("setup")
    call_command("setup")

    out = capsys.readouterr().out
    told = re.findall(r"Register identity ([0-9a-f-]{36})\.", out)
    assert len(told) == 2
    assert told[0] == told[1] == register_identity()
    assert RegisterIdentity.objects.count() == 1


def test_a_new_database_gets_an_identity_of_its_own() -> None:
    first = register_identity()
    RegisterIdentity.objects.all().delete()

    assert register_identity() != first
