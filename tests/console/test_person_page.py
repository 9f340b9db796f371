"""The person page reads as the policy speaks: a name, warnings, data and history in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import time_machine
from django.contrib.auth.models import User
from django.utils.text import capfirst

from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_record
from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.register.services import person_restrict
from tests import policy_keys as keys
from tests.console.conftest import READ_AT, said, signed_in, visible
from tests.rights.conftest import register_aino

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
RESTRICTED = (
    "Since %(since)s this person's data may only be stored, not otherwise used "
    "(GDPR Art. 18). Only the data protection officer sees them."
)
# 2 January 2024, as each language writes a date.
STARTED_ON = {"fi": "2.1.2024", "sv": "2024-01-02", "en": "2 Jan 2024"}


def named(section: dict[str, Any], key: str) -> str:
    """What the description calls ``key`` of ``section`` in the register's language."""
    return str(section[key].name(keys.language()))


@time_machine.travel(dt.datetime(2026, 11, 3, 12, 5, tzinfo=dt.UTC), tick=False)
def test_the_page_is_headed_by_the_name_and_speaks_the_policys_words(
    enrolled: Callable[[str, str], User],
) -> None:
    policy = keys.policy()
    purpose = keys.relationship_purpose()
    aino = register_aino()
    liisa = enrolled("liisa", keys.service_role())
    User.objects.filter(pk=liisa.pk).update(first_name="Liisa")
    signed_in(liisa).get(f"/console/people/{aino.pk}?purpose={purpose}")
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    html = dpo.get(f"/console/people/{aino.pk}?purpose={purpose}").content.decode()
    page = visible(html)

    assert "<h1>Aino Virtanen</h1>" in html
    assert f"{said('Person')} {aino.pk}" not in page
    assert "first_name" not in page
    assert capfirst(said("first name")) in page
    # The source in the policy's words, never its key.
    assert named(policy.sources, keys.subject_source()) in page
    assert not re.search(rf"\b{re.escape(keys.service_source())}\b", page)
    assert not ISO_TIME.search(page)
    # Liisa's read: who (in her role's name), what, for which purpose, and when.
    read = f"Liisa ({named(policy.roles, keys.service_role())}) {said('read')} "
    assert read in page
    hour = dt.datetime(2026, 11, 3, 12, 5, tzinfo=dt.UTC).astimezone(clock.zone()).hour
    when = READ_AT[keys.language()].format(h=hour)
    rest = page[page.index(read) + len(read) :]
    told = f": {named(policy.purposes, purpose)}, {when}"
    assert told in rest
    assert named(policy.categories, keys.contact_category()) in rest[: rest.index(told)]
    # A date is a date, not midnight.
    assert f"{capfirst(said('started'))} {STARTED_ON[keys.language()]} " in page
    assert said("Processing is restricted") not in page


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

    page = visible(
        dpo.get(f"/console/people/{aino.pk}?purpose={keys.relationship_purpose()}").content.decode()
    )

    assert said("Processing is restricted") in page
    # The rest of the warning, after its date: the article and who still sees her data.
    assert said(RESTRICTED).split("%(since)s")[1] in page
    assert said("The person has objected") in page
    assert named(keys.policy().purposes, keys.marketing_purpose()) in page
