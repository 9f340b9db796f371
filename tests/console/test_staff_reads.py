"""The data protection officer looks into what one staff member read over a period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import ngettext

from rekisteri.core import clock
from tests import policy_keys as keys
from tests.console.conftest import READ_AT, said, signed_in, visible
from tests.rights.conftest import register_aino


def test_the_dpo_sees_one_staff_members_reads_in_a_period_as_sentences(
    enrolled: Callable[[str, str], User],
) -> None:
    policy = keys.policy()
    lang = keys.language()
    relationship = keys.relationship_purpose()
    # Another purpose of customer service: what she read in September, outside the period.
    other = sorted(keys.role_purposes(keys.service_role()) - {relationship})[0]
    aino = register_aino().person
    liisa = enrolled("liisa", keys.service_role())
    User.objects.filter(pk=liisa.pk).update(first_name="Liisa")
    with time_machine.travel(dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)):
        signed_in(liisa).get(f"/console/people/{aino.pk}?purpose={other}")
    with time_machine.travel(dt.datetime(2026, 11, 3, 12, 5, tzinfo=dt.UTC), tick=False):
        signed_in(liisa).get(f"/console/people/{aino.pk}?purpose={relationship}")
        dpo = signed_in(enrolled("tietosuoja", keys.request_role()))
        # Dates as ISO, which every language's date field reads.
        html = dpo.get(
            f"/console/staff-reads?member={liisa.pk}&since=2026-11-01&until=2026-11-30"
        ).content.decode()
        too_long = dpo.get(
            f"/console/staff-reads?member={liisa.pk}&since=2026-01-01&until=2026-11-30"
        )
    page = visible(html)

    with translation.override(lang):
        one_entry = ngettext("%(n)s entry.", "%(n)s entries.", 1) % {"n": 1}
    assert one_entry in page
    assert f"Liisa ({policy.roles[keys.service_role()].name(lang)}) {said('read')}" in page
    # 12.05 UTC in the register's own time zone, as its language writes a time.
    hour = dt.datetime(2026, 11, 3, 12, 5, tzinfo=dt.UTC).astimezone(clock.zone()).hour
    when = READ_AT[lang].format(h=hour)
    assert f"{policy.purposes[relationship].name(lang)}, {when}" in page
    # The September read is outside the period.
    assert policy.purposes[other].name(lang) not in page
    assert f'href="/console/people/{aino.pk}?purpose=' in html
    assert too_long.status_code == 400
    assert said("Look at most 92 days at once.") in visible(too_long.content.decode())


def test_only_the_data_protection_officer_may_look(enrolled: Callable[[str, str], User]) -> None:
    service = signed_in(enrolled("liisa", keys.service_role()))

    assert service.get("/console/staff-reads").status_code == 403
