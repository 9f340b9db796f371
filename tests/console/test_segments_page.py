"""The segments page offers its choices in words, and a typo is not mistaken for a small segment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User

from tests import policy_keys as keys
from tests.analytics.people import person
from tests.console.conftest import signed_in, visible


def test_options_and_make_up_are_in_words_and_a_misspelt_service_is_named_as_such(
    settings: Any, enrolled: Callable[[str, str], User]
) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 0
    for _ in range(6):
        person(service="Mainio Analyysi")
    for _ in range(5):
        person(active=False)
    marketer = signed_in(enrolled("mikko", keys.marketing_role()))
    analyst = signed_in(enrolled("anna", "analyst"))

    form = marketer.get("/console/segments?purpose=marketing").content.decode()
    shown = analyst.get("/console/segments?purpose=analytics&customership=active&show=1")
    typo = analyst.get("/console/segments?purpose=analytics&service=Mainio+Analyysy&show=1")

    assert '<option value="email">sähköposti</option>' in form
    assert '<option value="letter">kirje</option>' in form
    assert ">email<" not in form
    assert "viestinnän ja markkinoinnin toteuttaminen ja seuranta" in form  # the purpose's name
    page = visible(shown.content.decode())
    assert '<option value="active" selected>voimassa</option>' in shown.content.decode()
    assert "Asiakkuuden mukaan voimassa 6" in page
    assert '<option value="Mainio Analyysi">' in shown.content.decode()
    assert typo.status_code == 400
    assert "Käyttää palvelua: tämännimistä palvelua ei ole" in visible(typo.content.decode())
    assert "Segmentissä on alle" not in visible(typo.content.decode())
