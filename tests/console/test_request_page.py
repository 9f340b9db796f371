"""The DPO's request page: now beside proposed, the person a link away, Art. 19 in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext

from rekisteri.console.words import field_label
from rekisteri.policy.schema import RecipientKind
from rekisteri.rights.services import request_create
from rekisteri.staff.services import staff_actor
from tests import policy_keys as keys
from tests.console.conftest import said, signed_in, visible
from tests.factories import country
from tests.rights.conftest import register_aino

# Where Aino moves, in the register's country (a proposed address is in it), as typed
# and as the register writes it.
MOVED = {
    "FI": (("Hämeenkatu 1", "33100", "Tampere"), "Hämeenkatu 1, 33100 Tampere"),
    "SE": (("Drottninggatan 1", "11151", "Stockholm"), "Drottninggatan 1, 111 51 Stockholm"),
}
# 1 April 2025, the day of the disclosure register_aino records, as each language writes it.
DISCLOSED_ON = {"fi": "1.4.2025", "sv": "2025-04-01", "en": "04/01/2025"}


def test_a_rectification_shows_what_is_held_beside_what_is_proposed_and_whom_it_was_told(
    enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    aino = register_aino().person
    user = enrolled("tietosuoja", keys.request_role())
    dpo = signed_in(user)
    (street, postal_code, city), moved = MOVED[country()]
    created = request_create(
        actor=staff_actor(user=user, origin="test"),
        person_id=aino.pk,
        kind="rectification",
        channel="letter",
        details={
            "address": {"street_address": street, "postal_code": postal_code, "city": city},
            "reason": "Muutin.",
        },
    )

    html = dpo.get(f"/console/requests/{created.pk}").content.decode()
    page = visible(html)

    assert f"{said('Postal address')} Kauppakatu 39, 40100 Jyväskylä {moved}" in page
    assert f"{said('E-mail')} aino.virtanen@example.fi \N{EN DASH}" in page
    assert "Muutin." in page
    assert f'href="/console/people/{aino.pk}?purpose=' in html
    assert "street_address" not in page
    assert "{" not in page

    dpo.post(
        f"/console/requests/{created.pk}", {"action": "verify", "note": "allekirjoitettu kirje"}
    )
    dpo.post(f"/console/requests/{created.pk}", {"action": "fulfil"})
    answered = visible(dpo.get(f"/console/requests/{created.pk}").content.decode())

    assert said("Recipients told (GDPR Art. 19)") in answered
    # The processor register_aino disclosed her contact details to, in the policy's words.
    policy = keys.policy()
    processor = next(r for r in policy.recipients.values() if r.kind == RecipientKind.PROCESSOR)
    assert f"{processor.name(keys.language())} {DISCLOSED_ON[keys.language()]}" in answered
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
        # Her new number in its international form, which every register reads alike.
        details={"phone": "+358 40 765 4321"},
    )

    page = visible(signed_in(user).get(f"/console/requests/{created.pk}").content.decode())

    assert f"{said('Phone')} +358401234567 +358407654321" in page
    assert "proposed by" not in page
    assert said("In the person's words") not in page
