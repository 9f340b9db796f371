"""Every console page, in each language of the register, reads in words: no key, literal
or machine-formatted time."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.formats import get_format

from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.policy.selectors import policy_get
from rekisteri.rights.models import VerificationMethod
from rekisteri.rights.services import request_create, request_fulfil, request_verify
from tests import policy_keys as keys
from tests.console.conftest import signed_in, visible
from tests.rights.conftest import register_aino

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d(T|\s\d)")
# A time as a machine writes it: with a T, or with seconds. Swedish writes its dates
# year first (2026-12-01 18:20), so there only this one is a fault.
MACHINE_TIME = re.compile(r"\d{4}-\d\d-\d\d(T\d|\s\d\d:\d\d:\d\d)")
# A Python or JSON literal; "None yet." is a sentence.
LITERALS = re.compile(r"[{\[]['\"]|\b(None|True|False|null)\b(?!\s+[a-z])")
# Words of the other languages that no page should carry in running text ("ja" is
# Swedish too).
FOREIGN = {
    "fi": re.compile(r"\b(the|and|of|is|not|with)\b"),
    "sv": re.compile(r"\b(the|and|of|is|not|with|tai|ei|kanssa|henkilö)\b"),
    "en": re.compile(r"\b(ja|tai|ei|kanssa|henkilö|och|eller|inte|ingen|för)\b"),
}


def _keys() -> set[str]:
    """The policy's and the register's keys that a person should never read."""
    policy = policy_get()
    keys = {
        key
        for section in (policy.purposes, policy.categories, policy.sources, policy.retention)
        for key in section
        if "_" in key
    }
    return keys | {"person.read", "e_invoice", "staff_check"}


def _pages(client: Client, aino: int, request_id: int) -> dict[str, str]:
    return {
        path: visible(client.get(path).content.decode())
        for path in (
            "/console/",
            f"/console/people/{aino}?purpose={keys.relationship_purpose()}",
            "/console/requests",
            f"/console/requests/{request_id}",
            "/console/compliance",
            "/console/reports",
            f"/console/segments?purpose={keys.marketing_purpose()}",
            "/console/staff-reads",
            "/console/people/999999",
        )
    }


@pytest.mark.parametrize("lang", keys.policy().policy.languages)
def test_every_console_page_reads_in_words_in_its_language(
    lang: str, enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    subject = register_aino()
    aino = subject.person.pk
    consent_record(
        actor=SYSTEM,
        person_id=aino,
        scope=keys.marketing_purpose(),
        action=ConsentAction.OBJECTED,
        channel="letter",
    )
    rectification = request_create(
        actor=SYSTEM,
        person_id=aino,
        kind="rectification",
        channel="letter",
        received_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=40),
        details={"phone": "040 765 4321"},
    )
    restriction = request_create(
        actor=SYSTEM, person_id=subject.other.pk, kind="restriction", channel="email"
    )
    request_verify(
        actor=SYSTEM,
        request_id=restriction.pk,
        method=VerificationMethod.STAFF_CHECK,
        note="kirje",
    )
    request_fulfil(actor=SYSTEM, request_id=restriction.pk)
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))
    dpo.post("/i18n/setlang/", {"language": lang, "next": "/console/"})

    pages = _pages(dpo, aino, rectification.pk)
    answered = f"/console/requests/{restriction.pk}"
    pages[answered] = visible(dpo.get(answered).content.decode())

    hidden = _keys()
    problems = []
    for path, text in pages.items():
        # The language switch names the other language in that language.
        text = text.replace("In English", "").replace("Suomeksi", "").replace("På svenska", "")
        times = MACHINE_TIME if get_format("SHORT_DATE_FORMAT", lang) == "Y-m-d" else ISO_TIME
        found = [
            *[m.group(0) for m in times.finditer(text)],
            *[m.group(0) for m in LITERALS.finditer(text)],
            *[k for k in hidden if re.search(rf"\b{re.escape(k)}\b", text)],
            *[m.group(0) for m in FOREIGN[lang].finditer(text)],
        ]
        if found:
            problems.append((path, sorted(set(found))))
    assert not problems, problems
