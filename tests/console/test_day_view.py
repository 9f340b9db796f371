"""The data protection officer's home is the day's view; other roles keep the search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import time_machine
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import ngettext

from rekisteri.audit.selectors import audit_verify
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.rights.services import request_create
from tests import policy_keys as keys
from tests.console.conftest import said, signed_in, visible
from tests.rights.conftest import register_aino


def days(singular: str, plural: str, n: int) -> str:
    """A count of days as the console says it in the register's language."""
    with translation.override(keys.language()):
        return ngettext(singular, plural, n) % {"n": n}


# After the text date of every shipped description: no request arrives before it.
@time_machine.travel(dt.datetime(2027, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_the_dpo_sees_deadlines_overdue_first_findings_the_trail_and_consent_rates(
    enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    subject = register_aino()
    late = request_create(
        actor=SYSTEM,
        person_id=subject.person.pk,
        kind="access",
        channel="letter",
        received_at=dt.datetime(2027, 2, 2, 12, tzinfo=dt.UTC),
    )
    request_create(actor=SYSTEM, person_id=subject.other.pk, kind="portability", channel="letter")
    consent_record(
        actor=SYSTEM,
        person_id=subject.person.pk,
        scope=keys.survey_purpose(),
        action=ConsentAction.GRANTED,
        channel="portal",
        text="Saa lähettää kyselyitä.",
    )
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    html = dpo.get("/console/").content.decode()
    page = visible(html)

    assert said("Open requests") in page
    # Received 2.2., due 2.3.: three days overdue on 5.3., and listed before the one on
    # time, due 5.4. (a Monday after Easter in Finland and Sweden alike).
    overdue = days("%(n)s day overdue", "%(n)s days overdue", 3)
    assert overdue in page
    assert page.index(overdue) < page.index(days("%(n)s day", "%(n)s days", 31))
    assert f'href="/console/requests/{late.pk}"' in html
    assert f"1 {said('Data subject requests past their due date')}" in page
    assert f'href="/console/requests">{said("Look into it")}' in html
    # The chain's state as `rekisteri audit verify` finds it (on PostgreSQL the test's
    # own open transaction keeps its entries unsealed, which the check reports).
    problems = len(audit_verify())
    assert (said("The audit chain is whole: every seal checks out.") in page) == (problems == 0)
    with translation.override(keys.language()):
        broken = ngettext(
            "The audit chain has %(n)s problem: run “rekisteri audit verify”.",
            "The audit chain has %(n)s problems: run “rekisteri audit verify”.",
            max(problems, 1),
        ) % {"n": problems}
    assert (broken in page) == (problems > 0)
    erasures = "The erasure ledger agrees with the database: no one erased has come back."
    assert said(erasures) in page
    # One of the two people consented to surveys, in the purpose's own name.
    surveys = keys.policy().purposes[keys.survey_purpose()].name(keys.language())
    rate = said("%(p)s %% (%(g)s of %(n)s)") % {"p": 50, "g": 1, "n": 2}
    assert f"{surveys} {rate}" in page
    assert said("Search people") in page


def test_other_roles_keep_the_search_as_their_home(enrolled: Callable[[str, str], User]) -> None:
    service = signed_in(enrolled("liisa", keys.service_role()))

    page = visible(service.get("/console/").content.decode())

    assert said("Search people") in page
    assert said("Open requests") not in page
