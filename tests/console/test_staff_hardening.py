"""Staff passwords refuse the weak and the account's own name; lockout cannot be aimed at a name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rekisteri.core.actors import SYSTEM
from rekisteri.staff.services import staff_create
from tests.console.conftest import PASSWORD, code_for

pytestmark = pytest.mark.django_db

OFFICE = "192.0.2.10"
ATTACKER = "198.51.100.66"


def _enrol(username: str, password: str, **headers: str) -> tuple[User, str]:
    user, token = staff_create(actor=SYSTEM, username=username, role="dpo")
    client = Client(headers=headers)
    client.get(f"/console/enrol/{token}")
    page = client.post(f"/console/enrol/{token}", {"password": password, "code": code_for(user)})
    user.refresh_from_db()
    return user, page.content.decode()


@pytest.mark.parametrize(
    ("password", "finnish"),
    [
        ("salasana1234", "yleinen suomen- tai ruotsinkielinen salasana"),
        ("Salasana2024!", "yleinen suomen- tai ruotsinkielinen salasana"),
        ("lösenord1234", "yleinen suomen- tai ruotsinkielinen salasana"),
        ("losenord1234", "yleinen suomen- tai ruotsinkielinen salasana"),
        ("sommar2024!!", "yleinen suomen- tai ruotsinkielinen salasana"),
        ("kesä20242024", "yleinen suomen- tai ruotsinkielinen salasana"),
        ("qwerty123456", "liian yleinen"),
        ("helmi.virtanen", "Salasanassa ei saa olla käyttäjätunnusta"),
        ("HELMI.VIRTANEN.2024", "Salasanassa ei saa olla käyttäjätunnusta"),
        ("1234567890123", "kokonaan numeerinen"),
        ("lyhyt", "vähintään 12 merkkiä"),
    ],
)
def test_a_weak_staff_password_is_refused_in_finnish_and_sets_nothing(
    password: str, finnish: str
) -> None:
    user, page = _enrol("helmi.virtanen", password)

    assert finnish in page
    assert not user.has_usable_password()


def test_the_english_ui_says_why_in_english() -> None:
    user, page = _enrol("eero.salo", "eero.salo2024", **{"Accept-Language": "en"})

    assert "The password must not contain the username." in page
    assert not user.has_usable_password()


def test_a_long_passphrase_is_accepted() -> None:
    user, _ = _enrol("helmi.virtanen", PASSWORD)

    assert user.has_usable_password()


def _login(address: str, username: str, password: str) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/console/login", {"username": username, "password": password}
    )


def test_wrong_passwords_from_one_address_lock_that_address_not_the_staff_member(
    enrolled: Callable[[str, str], User],
) -> None:
    enrolled("aino", "customer_service")

    for _ in range(5):
        _login(ATTACKER, "aino", "väärä salasana x")
    attacker = _login(ATTACKER, "aino", PASSWORD)
    staff_member = _login(OFFICE, "aino", PASSWORD)

    assert attacker.status_code == 429
    assert staff_member.status_code == 302
    assert staff_member["Location"] == "/console/login/code"


def test_guessing_from_many_addresses_locks_the_account_at_its_ceiling(
    enrolled: Callable[[str, str], User], settings: Any
) -> None:
    settings.REKISTERI_ACCOUNT_FAILURE_CEILING = 8
    enrolled("aino", "customer_service")

    for n in range(7):
        _login(f"198.51.100.{n + 1}", "aino", "väärä salasana x")
    below = _login(OFFICE, "aino", PASSWORD)
    _login("198.51.100.99", "aino", "väärä salasana x")
    at_ceiling = _login("203.0.113.7", "aino", PASSWORD)

    assert below.status_code == 302  # seven failures, from seven addresses
    assert at_ceiling.status_code == 429


def test_behind_the_proxy_the_lockout_counts_the_address_the_proxy_saw(
    enrolled: Callable[[str, str], User], settings: Any
) -> None:
    settings.REKISTERI_BEHIND_PROXY = True
    enrolled("aino", "customer_service")
    proxy = "127.0.0.1"

    def via_proxy(client_address: str, password: str, claimed: str = "") -> Any:
        forwarded = f"{claimed}, {client_address}" if claimed else client_address
        return Client(REMOTE_ADDR=proxy, headers={"X-Forwarded-For": forwarded}).post(
            "/console/login", {"username": "aino", "password": password}
        )

    for n in range(5):
        # What a client claims itself is not believed: the proxy's own entry comes last.
        via_proxy(ATTACKER, "väärä salasana x", claimed=f"10.0.0.{n}")
    attacker = via_proxy(ATTACKER, PASSWORD)
    staff_member = via_proxy(OFFICE, PASSWORD)

    assert attacker.status_code == 429
    assert staff_member.status_code == 302
