"""The console's person page shows nothing of what the register does not collect, not
even values stored before its description stopped collecting them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from rekisteri.core.actors import SYSTEM
from rekisteri.policy.loader import load_policy
from rekisteri.register import services as s
from tests.console.conftest import signed_in
from tests.countries import MAINIOCO
from tests.notcollected import NORRSKEN
from tests.rights.conftest import Subject, register_aino, register_set_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def aino_as_mainioco_stored_her(db: None, settings: Any) -> Subject:
    """Aino, stored while the register ran Mainioco's description, which collects her
    identity code, year of birth and payment card (whichever description is loaded)."""
    from rekisteri.policy.selectors import policy_loaded
    from rekisteri.policy.services import notice_version_record

    settings.REKISTERI_POLICY = MAINIOCO
    notice_version_record(loaded=policy_loaded())
    register_set_up()
    return register_aino()


def test_the_person_page_has_no_section_or_value_for_what_is_not_collected(
    aino_as_mainioco_stored_her: Subject, enrolled: Callable[[str, str], User], settings: Any
) -> None:
    aino = aino_as_mainioco_stored_her
    # Given Aino, stored with an identity code, a year of birth and a payment card
    # while the register collected them
    s.payment_card_add(
        actor=SYSTEM,
        person_id=aino.pk,
        source="subject",
        provider_token="tok_1",
        brand="Mastercard",
        last_four="4242",
        expires=dt.date(2029, 1, 31),
    )
    # When the register runs Norrsken's description, and its data protection officer reads her
    settings.REKISTERI_POLICY = NORRSKEN
    policy = load_policy(NORRSKEN).policy
    officer = next(key for key, role in policy.roles.items() if role.sees_restricted)
    purpose = policy.roles[officer].purposes[0]
    client = signed_in(enrolled("dora", officer))

    page = client.get(f"/console/people/{aino.pk}?purpose={purpose}").content.decode()

    # Then her name is there, and nothing Norrsken does not collect
    assert "Aino" in page
    # (A brand that is no word of the page: "Visa" is Swedish for "show".)
    for value in ("131052", "1952", "4242", "Mastercard", "tok_1"):
        assert value not in page
    assert "personal_identity_code" not in page
    assert "birth_year" not in page
