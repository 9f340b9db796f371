"""The DPO's request page: now beside proposed, the person a link away, Art. 19 in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext

from rekisteri.console.words import field_label
from rekisteri.rights.services import request_create
from rekisteri.staff.services import staff_actor
from tests import policy_keys as keys
from tests.console.conftest import signed_in, visible
from tests.rights.conftest import register_aino


def test_a_rectification_shows_what_is_held_beside_what_is_proposed_and_whom_it_was_told(
    enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    aino = register_aino().person
    user = enrolled("tietosuoja", keys.request_role())
    dpo = signed_in(user)
    created = request_create(
        actor=staff_actor(user=user, origin="test"),
        person_id=aino.pk,
        kind="rectification",
        channel="letter",
        details={
            "address": {
                "street_address": "Hämeenkatu 1",
                "postal_code": "33100",
                "city": "Tampere",
            },
            "reason": "Muutin Tampereelle.",
        },
    )

    html = dpo.get(f"/console/requests/{created.pk}").content.decode()
    page = visible(html)

    assert "Postiosoite Kauppakatu 39, 40100 Jyväskylä Hämeenkatu 1, 33100 Tampere" in page
    assert "Sähköposti aino.virtanen@example.fi \N{EN DASH}" in page
    assert "Muutin Tampereelle." in page
    assert f'href="/console/people/{aino.pk}?purpose=' in html
    assert "street_address" not in page
    assert "{" not in page

    dpo.post(
        f"/console/requests/{created.pk}", {"action": "verify", "note": "allekirjoitettu kirje"}
    )
    dpo.post(f"/console/requests/{created.pk}", {"action": "fulfil"})
    answered = visible(dpo.get(f"/console/requests/{created.pk}").content.decode())

    assert "Vastaanottajille ilmoitettu (tietosuoja-asetuksen 19 artikla)" in answered
    assert (
        "Mainioco Oy:n lukuun toimivat ja palvelukokonaisuuden tuottamiseen osallistuvat "
        "kolmannet tahot 1.4.2025"
    ) in answered
    assert "recipients_to_tell" not in answered
    assert '"disclosure"' not in answered


def test_a_refused_action_is_told_in_finnish_and_changes_nothing(
    enrolled: Callable[[str, str], User],
) -> None:
    aino = register_aino().person
    user = enrolled("tietosuoja", keys.request_role())
    dpo = signed_in(user)
    created = request_create(
        actor=staff_actor(user=user, origin="test"),
        person_id=aino.pk,
        kind="access",
        channel="letter",
    )

    unverified = dpo.post(f"/console/requests/{created.pk}", {"action": "verify", "note": " "})
    no_reason = dpo.post(
        f"/console/requests/{created.pk}", {"action": "extend", "months": "2", "reason": ""}
    )
    service = signed_in(enrolled("liisa", keys.service_role())).get(
        f"/console/requests/{created.pk}"
    )

    # Each told in the register's language: the field, then what its rule asks.
    with translation.override(keys.language()):
        unchecked = (
            f"{gettext('what you checked').capitalize()}: "
            f"{gettext('say what you checked (never copy an identity document).')}"
        )
        unreasoned = f"{field_label('reason').capitalize()}: {gettext('this is required.')}"
        only_dpo = gettext("Only the data protection officer handles data subject requests.")
    assert unverified.status_code == 400
    assert unchecked in visible(unverified.content.decode())
    assert no_reason.status_code == 400
    assert unreasoned in visible(no_reason.content.decode())
    assert service.status_code == 403
    assert only_dpo in visible(service.content.decode())
    created.refresh_from_db()
    assert created.verified_at is None
    assert created.extended_at is None


def test_a_rectification_without_words_of_its_own_shows_no_english_stand_in(
    enrolled: Callable[[str, str], User],
) -> None:
    aino = register_aino().person
    user = enrolled("tietosuoja", keys.request_role())
    created = request_create(
        actor=staff_actor(user=user, origin="test"),
        person_id=aino.pk,
        kind="rectification",
        channel="letter",
        details={"phone": "040 765 4321"},
    )

    page = visible(signed_in(user).get(f"/console/requests/{created.pk}").content.decode())

    assert "Puhelin +358401234567 +358407654321" in page
    assert "proposed by" not in page
    assert "Henkilön omin sanoin" not in page
