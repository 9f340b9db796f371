"""`rekisteri apikey`: a key is printed once, stored hashed, and revoked at once."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from rekisteri.staff.models import ApiKey
from tests import policy_keys as keys

pytestmark = pytest.mark.django_db


def test_a_made_key_is_printed_once_and_works_until_revoked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command(
        "apikey",
        "create",
        "analysis",
        "--scope",
        "people:read",
        "--purpose",
        keys.marketing_purpose(),
    )
    secret = capsys.readouterr().out.strip()
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    marketing = keys.marketing_purpose()
    before = client.get(f"/api/people/1?purpose={marketing}")
    call_command("apikey", "list")
    listed = capsys.readouterr().out
    call_command("apikey", "revoke", "analysis")
    after = client.get(f"/api/people/1?purpose={marketing}")

    assert secret.startswith("rk_")
    assert before.status_code == 404  # authenticated; there is simply no person 1
    assert after.status_code == 401
    assert f"analysis\tlive\tpeople:read\t{marketing}" in listed
    assert secret not in listed
    assert secret.split("_", 2)[2] not in ApiKey.objects.get().key_hash


def test_a_key_for_an_unknown_purpose_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match=r"purpose: unknown \['gossip'\]"):
        call_command("apikey", "create", "x", "--scope", "people:read", "--purpose", "gossip")

    assert ApiKey.objects.count() == 0


def test_revoking_an_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="there is no API key named 'ghost'"):
        call_command("apikey", "revoke", "ghost")


@pytest.mark.parametrize("name", ["bad\x01name", "web\u202etxt", "", "has space"])
def test_a_key_name_must_be_a_plain_identifier(name: str) -> None:
    with pytest.raises(CommandError, match="name: 1 to 100 letters"):
        call_command("apikey", "create", name, "--scope", "people:read")

    assert ApiKey.objects.count() == 0
