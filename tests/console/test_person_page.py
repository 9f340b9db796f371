"""The person page reads as the policy speaks: a name, warnings, data and history in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import time_machine
from django.contrib.auth.models import User

from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.register.services import person_restrict
from tests import policy_keys as keys
from tests.console.conftest import signed_in, visible
from tests.rights.conftest import register_aino

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


@time_machine.travel(dt.datetime(2026, 11, 3, 12, 5, tzinfo=dt.UTC), tick=False)
def test_the_page_is_headed_by_the_name_and_speaks_the_policys_words(
    enrolled: Callable[[str, str], User],
) -> None:
    aino = register_aino()
    liisa = enrolled("liisa", keys.service_role())
    User.objects.filter(pk=liisa.pk).update(first_name="Liisa")
    signed_in(liisa).get(f"/console/people/{aino.pk}?purpose=customer_relationship")
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    html = dpo.get(f"/console/people/{aino.pk}?purpose=customer_relationship").content.decode()
    page = visible(html)

    assert "<h1>Aino Virtanen</h1>" in html
    assert "Henkilö 1" not in page
    assert "first_name" not in page
    assert "Etunimi" in page
    assert "asiakas itse" in page  # the source in the policy's words
    assert "analysis_service" not in page
    assert not ISO_TIME.search(page)
    # 12.05 UTC is 14.05 in Helsinki.
    read = re.search(r"Liisa \(asiakaspalvelu\) luki ([^:]*): ([^,]*, [^,]*), (\S+ klo \S+)", page)
    assert read is not None
    assert "yhteystiedot, kuten etu- ja sukunimi" in read[1]
    assert read[2] == "asiakkaan palveleminen, asiakassuhteen hoitaminen ja hallinta"
    assert read[3] == "3.11.2026 klo 14.05"
    assert "Alkoi 2.1.2024 " in page  # a date is a date, not midnight
    assert "Käsittelyä on rajoitettu" not in page


def test_the_dpo_is_warned_of_a_restriction_and_of_an_objection(
    enrolled: Callable[[str, str], User],
) -> None:
    aino = register_aino()
    person_restrict(actor=SYSTEM, person_id=aino.pk)
    consent_record(
        actor=SYSTEM,
        person_id=aino.pk,
        scope=keys.marketing_purpose(),
        action=ConsentAction.OBJECTED,
        channel="letter",
    )
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    page = dpo.get(f"/console/people/{aino.pk}?purpose=customer_relationship").content.decode()

    assert "Käsittelyä on rajoitettu" in page
    assert "(tietosuoja-asetuksen 18 artikla)" in page
    assert "Henkilö on vastustanut" in page
    assert "viestinnän ja markkinoinnin toteuttaminen ja seuranta" in page
