"""A written request is registered whole from the console, and a failed form keeps its input."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext

from rekisteri.rights.models import SubjectRequest
from tests import policy_keys as keys
from tests.console.conftest import PASSWORD, said, signed_in, visible
from tests.factories import country
from tests.rights.conftest import register_aino, register_set_up

# The letter's date as the register's language writes it.
RECEIVED_ON = {"fi": "2.3.2026", "sv": "2026-03-02", "en": "2026-03-02"}
# Where Aino moves, in the register's country (a proposed address is in it); a
# postal code too short for it.
MOVED = {
    "FI": {"street_address": "Hämeenkatu 1", "postal_code": "33100", "city": "Tampere"},
    "SE": {"street_address": "Drottninggatan 1", "postal_code": "111 51", "city": "Stockholm"},
}


NOTHING_ASKED = "Enter the new data the letter asks for: e-mail, phone or address."


def _letter() -> dict[str, str]:
    """A rectification asked by letter, in the register's language."""
    return {"kind": "rectification", "channel": "letter", "language": keys.language()}


def test_the_dpo_finds_the_person_by_name_and_registers_the_new_address_the_letter_asks(
    enrolled: Callable[[str, str], User],
) -> None:
    # The register was set up before the letter came.
    register_set_up()
    aino = register_aino().person
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    found = dpo.post("/console/requests", {**_letter(), "q": "Aino Virt", "action": "find"})
    html = found.content.decode()
    assert f'<input type="radio" name="person_id" value="{aino.pk}" checked>' in html
    assert "Aino Virtanen (aino.virtanen@example.fi)" in visible(html)

    created = dpo.post(
        "/console/requests",
        {
            **_letter(),
            "q": "Aino Virt",
            "person_id": str(aino.pk),
            **MOVED[country()],
            "reason": "Muutin.",
            "received_on": RECEIVED_ON[keys.language()],
            "action": "register",
        },
    )

    request = SubjectRequest.objects.get(person_id=aino.pk)
    assert created["Location"] == f"/console/requests/{request.pk}"
    assert request.details["address"] == MOVED[country()]
    assert request.received_on.isoformat() == "2026-03-02"


def test_the_dpo_finds_the_person_by_e_mail(enrolled: Callable[[str, str], User]) -> None:
    aino = register_aino().person
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    found = dpo.post(
        "/console/requests", {**_letter(), "q": "aino.virtanen@example.fi", "action": "find"}
    )

    assert f'value="{aino.pk}" checked' in found.content.decode()


def test_a_failed_form_comes_back_with_what_was_typed_and_its_errors_in_its_language(
    enrolled: Callable[[str, str], User],
) -> None:
    aino = register_aino().person
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))
    typed = {**_letter(), "q": "Aino", "person_id": str(aino.pk), "reason": "Kirje 3.3."}

    nothing_asked = dpo.post("/console/requests", {**typed, "action": "register"})
    bad_code = dpo.post(
        "/console/requests",
        {
            **typed,
            **MOVED[country()],
            "postal_code": "331",
            "action": "register",
        },
    )

    assert nothing_asked.status_code == 400
    page = visible(nothing_asked.content.decode())
    assert said(NOTHING_ASKED) in page
    assert "Kirje 3.3." in page  # the reason typed is still there
    assert bad_code.status_code == 400
    html = bad_code.content.decode()
    assert f'value="{MOVED[country()]["street_address"]}"' in html
    # The rule of the register's own country, shown by its own postal code.
    bad_postal_code = said(
        "The postal code is not valid: write it as the register's country does, "
        "for example %(example)s."
    ) % {"example": keys.policy().controller.postal_code}
    assert bad_postal_code in visible(html)
    assert "postal_code:" not in html
    assert not SubjectRequest.objects.exists()


def test_a_wrong_code_and_a_lockout_speak_finnish_and_say_for_how_long(
    enrolled: Callable[[str, str], User],
) -> None:
    enrolled("liisa", keys.service_role())
    client = Client()
    client.post("/console/login", {"username": "liisa", "password": PASSWORD})
    wrong = client.post("/console/login/code", {"code": "000000"})
    assert said(
        "The code does not match. Enter the newest code your authenticator app shows."
    ) in visible(wrong.content.decode())

    stranger = Client()
    for _ in range(5):
        stranger.post("/console/login", {"username": "liisa", "password": "väärä salasana x"})
    locked = stranger.post("/console/login", {"username": "liisa", "password": PASSWORD})

    assert locked.status_code == 429
    page = visible(locked.content.decode())
    assert said("Signing in is locked") in page
    with translation.override(keys.language()):
        how_long = ngettext(
            "Too many wrong passwords. Signing in with this username from this device is "
            "locked for %(n)s minute.",
            "Too many wrong passwords. Signing in with this username from this device is "
            "locked for %(n)s minutes.",
            30,
        ) % {"n": 30}
    assert how_long in page
    assert "liisa" not in page
