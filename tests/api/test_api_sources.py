"""The API refuses a source the policy does not list for the data, and a scope it does not list."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rekisteri.consent.models import ConsentEvent
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import Feedback, Person
from tests.api.conftest import AINO, Api
from tests.register.test_services_sources import not_listed_for

pytestmark = pytest.mark.django_db


def _register(api: Api) -> int:
    response = api.call("post", "/people", AINO)
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def test_feedback_from_a_source_the_feedback_category_does_not_list_is_a_422(api: Api) -> None:
    person_id = _register(api)
    wrong = not_listed_for("feedback.text")

    response = api.call(
        "post",
        f"/people/{person_id}/events/feedback",
        {"source": wrong, "text": "Hyvä palvelu", "rating": 5},
    )

    body = response.json()
    assert response.status_code == 422
    assert set(body) == {"code", "message", "data"}
    assert body["code"] == "source_not_allowed"
    assert body["data"]["source"] == wrong
    assert body["data"]["category"] == policy_get().category_of_field("feedback.text")
    assert "Hyvä" not in body["message"]
    assert not Feedback.objects.exists()


# Mainioco's description lets names come from sources a year of birth may not; a
# description that keeps no year of birth (Norrsken's) has no such pair to send.
@pytest.mark.mainioco
def test_a_registration_whose_data_the_source_may_not_bring_is_a_422(api: Api) -> None:
    source = not_listed_for("person.birth_year", but_for="person.first_name")

    response = api.call("post", "/people", {**AINO, "source": source, "account": None})

    body = response.json()
    assert response.status_code == 422
    assert body["data"]["written"] == "person.birth_year"
    assert "Aino" not in body["message"]
    assert "1980" not in body["message"]
    assert not Person.objects.exists()


@pytest.mark.parametrize("channel", ["", "fax", "email:extra"])
def test_a_consent_on_a_channel_the_policy_does_not_know_is_a_400(
    make_key: Callable[..., str], channel: str
) -> None:
    person_id = _register(Api(make_key()))
    purpose = next(k for k, p in policy_get().purposes.items() if p.direct_marketing)
    api = Api(make_key(["people:write"], [purpose]))

    response = api.call(
        "post",
        f"/people/{person_id}/consents",
        {"scope": f"{purpose}:{channel}", "action": "objected"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_scope"
    assert response.json()["data"] == {"field": "scope"}
    assert not ConsentEvent.objects.exists()
