"""The data protection officer looks into what one staff member read over a period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.contrib.auth.models import User

from tests import policy_keys as keys
from tests.console.conftest import signed_in, visible
from tests.rights.conftest import register_aino


def test_the_dpo_sees_one_staff_members_reads_in_a_period_as_sentences(
    enrolled: Callable[[str, str], User],
) -> None:
    aino = register_aino().person
    liisa = enrolled("liisa", keys.service_role())
    User.objects.filter(pk=liisa.pk).update(first_name="Liisa")
    with time_machine.travel(dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)):
        signed_in(liisa).get(f"/console/people/{aino.pk}?purpose=fraud_prevention")
    with time_machine.travel(dt.datetime(2026, 11, 3, 12, 5, tzinfo=dt.UTC), tick=False):
        signed_in(liisa).get(f"/console/people/{aino.pk}?purpose=customer_relationship")
        dpo = signed_in(enrolled("tietosuoja", keys.request_role()))
        html = dpo.get(
            f"/console/staff-reads?member={liisa.pk}&since=1.11.2026&until=30.11.2026"
        ).content.decode()
        too_long = dpo.get(
            f"/console/staff-reads?member={liisa.pk}&since=1.1.2026&until=30.11.2026"
        )
    page = visible(html)

    assert "1 kirjaus." in page
    assert "Liisa (asiakaspalvelu) luki" in page
    assert (
        "asiakkaan palveleminen, asiakassuhteen hoitaminen ja hallinta, 3.11.2026 klo 14.05" in page
    )
    assert "väärinkäytösten" not in page  # the September read is outside the period
    assert f'href="/console/people/{aino.pk}?purpose=' in html
    assert too_long.status_code == 400
    assert "Tarkastele enintään 92 päivää kerrallaan." in visible(too_long.content.decode())


def test_only_the_data_protection_officer_may_look(enrolled: Callable[[str, str], User]) -> None:
    service = signed_in(enrolled("liisa", keys.service_role()))

    assert service.get("/console/staff-reads").status_code == 403
