"""A finding that names a table reads whole on both pages the self-check is shown on."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User

from rekisteri.register.models import Person
from tests import policy_keys as keys
from tests.console.conftest import signed_in, visible
from tests.rights.conftest import register_aino

ROWS = "Rows stored under a source the policy does not list for their data (table: person)"


def test_a_row_from_an_unlisted_source_is_a_finding_on_the_day_view_and_the_compliance_page(
    enrolled: Callable[[str, str], User],
) -> None:
    aino = register_aino()
    # Written past the services, as a policy changed under stored rows would leave them.
    Person.objects.filter(pk=aino.person.pk).update(source="no_such_source")
    dpo = signed_in(enrolled("tietosuoja", keys.request_role()))

    day = dpo.get("/console/", headers={"accept-language": "en"})
    compliance = dpo.get("/console/compliance", headers={"accept-language": "en"})

    assert day.status_code == 200
    assert f"1 {ROWS}" in visible(day.content.decode())
    assert compliance.status_code == 200
    assert ROWS in visible(compliance.content.decode())
