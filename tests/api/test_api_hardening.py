"""What a careless or hostile client sent in a review, each answered cleanly."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.db import IntegrityError

from rekisteri.register import services
from rekisteri.register.models import EmailAddress, Person
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/api/nowhere", 404), ("get", "/api/people/", 404), ("delete", "/api/people", 405)],
)
def test_errors_django_answers_have_the_api_shape(
    api: Api, method: str, path: str, status: int
) -> None:
    response = getattr(api.client, method)(path, headers=api.headers)

    assert response.status_code == status
    assert response.json() == {
        "code": f"http_{status}",
        "message": response.json()["message"],
        "data": {},
    }


def test_an_oversized_body_is_a_shaped_400(api: Api) -> None:
    body = json.dumps({**AINO, "job_title": "x" * (4 * 1024 * 1024)})

    response = api.client.post(
        "/api/people", data=body, content_type="application/json", headers=api.headers
    )

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "data"}


def test_lookup_checks_the_purpose_before_anyone_is_looked_up(
    api: Api, make_key: Callable[..., str]
) -> None:
    api.call("post", "/people", AINO)
    stranger = Api(make_key(purposes=[]))

    known = stranger.call(
        "post", "/people/lookup", {"email": AINO["email"], "purpose": keys.marketing_purpose()}
    )
    unknown = stranger.call(
        "post",
        "/people/lookup",
        {"email": "nobody@example.fi", "purpose": keys.marketing_purpose()},
    )

    assert known.status_code == unknown.status_code == 403
    assert known.json() == unknown.json()


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "2026-01-01T10:00:00"]
)
def test_a_moment_out_of_range_or_without_a_zone_is_refused(api: Api, moment: str) -> None:
    person_id = api.call("post", "/people", AINO).json()["id"]

    response = api.call(
        "post",
        f"/people/{person_id}/events/usage",
        {"source": keys.subject_source(), "action": "x", "occurred_at": moment},
    )

    assert response.status_code == 422


@pytest.mark.parametrize(
    "change",
    [
        {"job_title": "4111 1111 1111 1111"},
        {"first_name": "4111.1111.1111.1111"},
        {"last_name": "\uff14" + "\uff11" * 15},  # full-width digits
        {
            "address": {
                "street_address": "Katu 1",
                "postal_code": "\u0661\u0662\u0663\u0664\u0665",
                "city": "Oulu",
            }
        },
        {
            "address": {
                "street_address": "Katu 1",
                "postal_code": "90100",
                "city": "Oulu",
                "country": "XX",
            }
        },
        {"personal_identity_code": "131052A308T"},
        {"first_name": "Aino\u202eoniA"},
        {"first_name": "Aino\nDROP"},
    ],
)
def test_data_the_register_must_not_keep_is_refused(api: Api, change: dict[str, object]) -> None:
    response = api.call("post", "/people", {**AINO, **change})

    # A datum the description does not collect at all is refused as such (422).
    not_collected = any(f"person.{key}" in keys.policy().not_collected for key in change)
    assert response.status_code == (422 if not_collected else 400)
    assert Person.objects.count() == 0


def test_a_race_on_a_unique_value_is_a_409_that_names_no_one(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def raced(**_: object) -> None:
        raise IntegrityError("duplicate key (lower(address))=(aino@example.fi) already exists")

    monkeypatch.setattr(services, "person_contact_update", raced)
    person_id = api.call("post", "/people", AINO).json()["id"]

    response = api.call(
        "patch",
        f"/people/{person_id}/contact?purpose={keys.relationship_purpose()}",
        {"source": keys.subject_source(), "email": "aino2@example.fi"},
    )

    assert response.status_code == 409
    assert "example.fi" not in response.content.decode()
    assert EmailAddress.objects.count() == 1
