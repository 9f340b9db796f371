"""The data protection officer's home is the day's view; other roles keep the search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import time_machine
from django.contrib.auth.models import User

from rekisteri.audit.selectors import audit_verify
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.rights.services import request_create
from tests import policy_keys as keys
from tests.console.conftest import signed_in, visible
from tests.rights.conftest import register_aino


@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_the_dpo_sees_deadlines_overdue_first_findings_the_trail_and_consent_rates(
    enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    subject = register_aino()
    late = request_create(
        actor=SYSTEM,
        person_id=subject.person.pk,
        kind="access",
        channel="letter",
        received_at=dt.datetime(2026, 2, 2, 12, tzinfo=dt.UTC),
    )
    request_create(actor=SYSTEM, person_id=subject.other.pk, kind="portability", channel="letter")
    consent_record(
        actor=SYSTEM,
        person_id=subject.person.pk,
        scope="research",
        action=ConsentAction.GRANTED,
        channel="portal",
        text="Saa lähettää kyselyitä.",
    )
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    html = dpo.get("/console/").content.decode()
    page = visible(html)

    assert "Avoimet pyynnöt" in page
    # Received 2.2., due 2.3.: three days overdue on 5.3., and listed before the one on time.
    assert "3 päivää myöhässä" in page
    assert page.index("3 päivää myöhässä") < page.index("33 päivää")
    assert f'href="/console/requests/{late.pk}"' in html
    assert "1 Rekisteröidyn pyyntöjä määräajan ylittäneinä" in page
    assert 'href="/console/requests">Selvitä' in html
    # The chain's state as `rekisteri audit verify` finds it (on PostgreSQL the test's
    # own open transaction keeps its entries unsealed, which the check reports).
    problems = len(audit_verify())
    assert ("Lokiketju on eheä" in page) == (problems == 0)
    assert ("Lokiketjussa on" in page) == (problems > 0)
    assert "Poistokirjanpito täsmää tietokannan kanssa" in page
    assert "mielipide- ja markkinatutkimukset 50 % (1/2)" in page
    assert "Hae henkilöitä" in page


def test_other_roles_keep_the_search_as_their_home(enrolled: Callable[[str, str], User]) -> None:
    service = signed_in(enrolled("liisa", keys.service_role()))

    page = visible(service.get("/console/").content.decode())

    assert "Hae henkilöitä" in page
    assert "Avoimet pyynnöt" not in page
