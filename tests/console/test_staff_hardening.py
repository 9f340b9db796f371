"""Staff passwords refuse the weak and the account's own name; lockout cannot be aimed at a name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from rekisteri.core.actors import SYSTEM
from rekisteri.register.models import EmailAddress, Person, PhoneNumber
from rekisteri.rights.models import SubjectRequest
from rekisteri.staff.services import staff_create
from tests import policy_keys as keys
from tests.console.conftest import PASSWORD, code_for, short_password_refusal, signed_in

pytestmark = pytest.mark.django_db

OFFICE = "192.0.2.10"
ATTACKER = "198.51.100.66"


def _enrol(username: str, password: str, **headers: str) -> tuple[User, str]:
    user, token = staff_create(actor=SYSTEM, username=username, role=keys.request_role())
    client = Client(headers=headers)
    client.get(f"/console/enrol/{token}")
    page = client.post(f"/console/enrol/{token}", {"password": password, "code": code_for(user)})
    user.refresh_from_db()
    return user, page.content.decode()


COMMON_HERE = "This password is too common: it is a common Finnish or Swedish password."
COMMON = "This password is too common."
WITH_USERNAME = "The password must not contain the username."
NUMERIC = "This password is entirely numeric."
SHORT = "too short"


def said(refusal: str) -> str:
    """The refusal as the enrolment page says it, in the register's language."""
    with translation.override(keys.language()):
        if refusal == SHORT:
            return escape(short_password_refusal())
        return escape(gettext(refusal))


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("salasana1234", COMMON_HERE),
        ("Salasana2024!", COMMON_HERE),
        ("lösenord1234", COMMON_HERE),
        ("losenord1234", COMMON_HERE),
        ("sommar2024!!", COMMON_HERE),
        ("kesä20242024", COMMON_HERE),
        ("qwerty123456", COMMON),
        ("helmi.virtanen", WITH_USERNAME),
        ("HELMI.VIRTANEN.2024", WITH_USERNAME),
        ("1234567890123", NUMERIC),
        ("lyhyt", SHORT),
    ],
)
def test_a_weak_staff_password_is_refused_in_the_register_s_language_and_sets_nothing(
    password: str, refusal: str
) -> None:
    user, page = _enrol("helmi.virtanen", password)

    assert said(refusal) in page
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
    enrolled("aino", keys.service_role())

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
    enrolled("aino", keys.service_role())

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
    enrolled("aino", keys.service_role())
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


# --- Hostile input: every console page answers a 4xx or the page, never a 500 ------------

LONG = "x" * 20000
# Values no console form offers; each field is one some console page reads.
HOSTILE_FORMS: list[dict[str, str]] = [
    {"q": LONG, "purpose": LONG, "action": LONG, "reason": LONG, "note": LONG},
    {"q": "a\u202eb", "action": "register", "kind": LONG, "channel": LONG, "language": LONG},
    {"action": "register", "kind": "access", "received_on": "2026-02-30", "person_id": "-1"},
    {"action": "register", "person_id": "99999999999999999999", "received_on": "31.2.2026"},
    {"action": "extend", "months": "99999999999999999999", "reason": "\u202e"},
    {"action": "verify", "code": LONG, "note": "a\x00b"},
    {"email": LONG, "phone": LONG, "street_address": LONG, "postal_code": LONG, "city": LONG},
    {"segment": "99999999999999999999", "customer_months_min": "1e309", "rating_min": "NaN"},
    {"segment": "-1", "show": "1", "service": LONG, "name": LONG},
    {"member": LONG, "since": "2026-13-01", "until": "0000-00-00"},
    {"username": LONG, "password": LONG, "code": LONG},
]


def _console_pages(other_person: int) -> list[str]:
    """Every console page, with ids of no one and of someone the staff member may not see."""
    return [
        "/console/",
        "/console/login",
        "/console/login/code",
        "/console/enrol/forged-token",
        f"/console/people/{other_person}",
        "/console/people/999999999999999999",
        f"/console/people/{other_person}/rectify",
        "/console/people/0/rectify",
        "/console/compliance",
        "/console/reports",
        "/console/reports/no-such-report.csv",
        "/console/segments",
        "/console/requests",
        "/console/requests/999999999999999999",
        "/console/staff-reads",
    ]


@pytest.mark.parametrize("form", range(len(HOSTILE_FORMS)))
def test_no_form_sent_to_a_console_page_is_a_server_error_or_changes_anything(
    aino: Any, enrolled: Callable[[str, str], User], form: int
) -> None:
    # Given staff of each kind signed in, and a stranger
    clients = [
        signed_in(enrolled("tietosuoja", keys.request_role())),
        signed_in(enrolled("analyytikko", keys.analyst_role())),
        Client(),
    ]
    for client in clients:
        client.raise_request_exception = False

    def state() -> tuple[int, ...]:
        return tuple(
            model.objects.count() for model in (Person, EmailAddress, PhoneNumber, SubjectRequest)
        )

    before = state()

    # When each sends, and asks with, a form no page offers to every console page
    answers = {
        (n, method, page): getattr(client, method)(page, HOSTILE_FORMS[form]).status_code
        for n, client in enumerate(clients)
        for page in _console_pages(aino.other.pk)
        for method in ("get", "post")
    }

    # Then none is a server error, and nothing was stored
    assert {key: status for key, status in answers.items() if status >= 500} == {}
    assert state() == before
