"""The segments page offers its choices in words, and a typo is not mistaken for a small segment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User

from tests import policy_keys as keys
from tests.analytics.people import person
from tests.console.conftest import said, signed_in, visible

SMALL = (
    "The segment has fewer than %(n)s people, or no one: check the spelling of "
    "the filters, or widen it. Nothing about so few people is shown."
)


def test_options_and_make_up_are_in_words_and_a_misspelt_service_is_named_as_such(
    settings: Any, enrolled: Callable[[str, str], User]
) -> None:
    settings.REKISTERI_ANALYTICS_NOISE = 0
    # Both groups at least the smallest cell shown, so that the filter is applied.
    active = keys.policy().anonymisation.min_cell_size + 1
    for _ in range(active):
        person(service="Mainio Analyysi")
    for _ in range(active - 1):
        person(active=False)
    statistics = keys.statistics_purpose()
    marketer = signed_in(enrolled("mikko", keys.marketing_role()))
    analyst = signed_in(enrolled("anna", keys.analyst_role()))

    form = marketer.get(f"/console/segments?purpose={keys.marketing_purpose()}").content.decode()
    shown = analyst.get(f"/console/segments?purpose={statistics}&customership=active&show=1")
    typo = analyst.get(f"/console/segments?purpose={statistics}&service=Mainio+Analyysy&show=1")

    assert f'<option value="email">{said("e-mail")}</option>' in form
    assert f'<option value="letter">{said("letter")}</option>' in form
    assert ">email<" not in form
    # The purpose in its own name.
    assert keys.policy().purposes[keys.marketing_purpose()].name(keys.language()) in form
    html = shown.content.decode()
    page = visible(html)
    assert f'<option value="active" selected>{said("active")}</option>' in html
    assert f"{said('By customership')} {said('active')} {active}" in page
    assert said("People in the segment") in page
    small = said(SMALL).split("%(n)s")[0]
    if statistics in keys.purposes_of("service_subscription.service"):
        assert '<option value="Mainio Analyysi">' in html
        assert typo.status_code == 400
        misspelt = said("no service is named so; choose one from the list.")
        assert f"{said('Uses the service')}: {misspelt}" in visible(typo.content.decode())
        assert small not in visible(typo.content.decode())
    else:
        # Norrsken's statistics do not read what its customers subscribe to: the filter
        # is not offered, no service is listed, and one typed in is refused, not counted.
        assert 'name="service"' not in html
        assert '<option value="Mainio Analyysi">' not in html
        assert typo.status_code == 400
        assert said("People in the segment") not in visible(typo.content.decode())
