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
