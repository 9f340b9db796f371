"""The DPO's request page: now beside proposed, the person a link away, Art. 19 in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User

from rekisteri.rights.services import request_create
from rekisteri.staff.services import staff_actor
from tests.console.conftest import signed_in, visible
from tests.rights.conftest import register_aino


def test_a_rectification_shows_what_is_held_beside_what_is_proposed_and_whom_it_was_told(
    enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    aino = register_aino().person
    user = enrolled("tietosuoja", "dpo")
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
