"""Every console page fits a 375 px phone and a 1280 px desktop without scrolling sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.rights.services import request_create
from rekisteri.staff.services import staff_create
from tests import policy_keys as keys
from tests.browser.console_enrol import enrol

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)


def _fits(page: Any) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")  # type: ignore[no-any-return]


def test_the_dpo_sees_every_console_page_without_scrolling_sideways(
    served: str, browser: Any, tmp_path: Path
) -> None:
    aino = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name="Aino",
            last_name="Virtanen-Korhonen",
            email="aino.virtanen-korhonen@pitka-verkkotunnus-esimerkki.fi",
            phone="040 123 4567",
            address=s.AddressIn("Kauppakatu 39 B 12", "40100", "Jyväskylä"),
        ),
    )
    rectification = request_create(
        actor=SYSTEM,
        person_id=aino.pk,
        kind="rectification",
        channel="letter",
        details={
            "address": {"street_address": "Hämeenkatu 1", "postal_code": "33100", "city": "Tampere"}
        },
    )
    _, token = staff_create(actor=SYSTEM, username="tietosuoja", role=keys.request_role())
    page = browser.new_page(locale=keys.language())
    enrol(page, served, token)

    paths = [
        "/console/",
        f"/console/people/{aino.pk}?purpose={keys.relationship_purpose()}",
        "/console/requests",
        f"/console/requests/{rectification.pk}",
        "/console/compliance",
        "/console/reports",
        f"/console/segments?purpose={keys.marketing_purpose()}",
        "/console/staff-reads",
    ]
    too_wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(f"{served}{path}")
            assert response is not None
            assert response.status == 200, path
            name = path.strip("/").replace("/", "-").split("?")[0] or "home"
            page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
            document, viewport = _fits(page)
            if document > viewport:
                too_wide.append((path, width, document))

    assert not too_wide, too_wide
    page.close()
