"""`rekisteri welcome`, which `scripts/serve` prints: the loaded description's addresses."""

from __future__ import annotations

import re
import shlex

import pytest
from django.conf import settings
from django.core.management import call_command

from rekisteri.portal.languages import PAGE_PATHS
from rekisteri.staff.models import ApiKey
from tests import policy_keys as keys

pytestmark = pytest.mark.django_db


def _welcome(capsys: pytest.CaptureFixture[str]) -> str:
    call_command("welcome")
    return capsys.readouterr().out


def test_the_notice_and_own_pages_are_listed_in_each_offered_language_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _welcome(capsys)

    offered = keys.policy().policy.languages
    base = settings.REKISTERI_BASE_URL
    for lang in offered:
        assert f"Privacy notice ({lang}):  {base}{PAGE_PATHS['notice'][lang]}\n" in out
        assert f"Your own data ({lang}):   {base}{PAGE_PATHS['my'][lang]}\n" in out
    shown = set(re.findall(r"Privacy notice \((\w+)\)", out))
    assert shown == set(offered)


def test_the_api_key_example_makes_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    out = _welcome(capsys)

    example = re.search(r"\.venv/bin/rekisteri (apikey create [^)]*)\)", out)
    assert example is not None
    args = shlex.split(example.group(1).replace("NAME", "crm"))
    call_command(*args)

    assert ApiKey.objects.get(name="crm").purposes


def test_the_api_key_example_names_the_description_it_was_started_under(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REKISTERI_POLICY", "/srv/our register/policy.toml")

    out = _welcome(capsys)

    assert (
        "(make a key: REKISTERI_POLICY='/srv/our register/policy.toml' .venv/bin/rekisteri" in out
    )


def test_without_a_chosen_description_the_example_is_the_command_alone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REKISTERI_POLICY", raising=False)

    assert "(make a key: .venv/bin/rekisteri apikey create" in _welcome(capsys)
