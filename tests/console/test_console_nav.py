"""The console's frame offers a staff member only the pages their role opens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from rekisteri.policy.selectors import policy_get
from tests.console.conftest import said, signed_in, visible

NAV = ("/console/requests", "/console/compliance", "/console/reports", "/console/segments")


def _role(**wanted: bool) -> str:
    """A role of the loaded policy with the given capabilities."""
    for key, role in policy_get().roles.items():
        if all(getattr(role, name) == value for name, value in wanted.items()):
            return key
    pytest.fail(f"the policy has no role with {wanted}")


@pytest.mark.django_db
def test_every_link_in_the_frame_opens_for_the_role_that_sees_it(
    enrolled: Callable[[str, str], User],
) -> None:
    for n, role in enumerate(policy_get().roles):
        client = signed_in(enrolled(f"staff{n}", role))
        page = client.get("/console/").content.decode()
        for href in NAV:
            if f'href="{href}"' in page:
                assert client.get(href).status_code == 200, (role, href)
            else:
                assert client.get(href).status_code in (403, 200), (role, href)


@pytest.mark.django_db
def test_a_role_that_sees_counts_only_is_not_offered_a_search_that_cannot_work(
    enrolled: Callable[[str, str], User],
) -> None:
    client = signed_in(enrolled("analyst", _role(aggregates_only=True)))

    page = client.get("/console/").content.decode()

    assert 'name="q"' not in page
    assert said(
        "Your role sees counts of people, never a person: use the reports and segments above."
    ) in visible(page)
    assert 'href="/console/requests"' not in page


@pytest.mark.django_db
def test_the_commands_a_finding_names_are_shown_as_code_not_backticks(
    enrolled: Callable[[str, str], User],
) -> None:
    client = signed_in(enrolled("dpo", _role(handles_requests=True)))

    page = client.get("/console/compliance").content.decode()

    assert "<code>rekisteri restore-replay</code>" in page
    assert "`" not in visible(page)
