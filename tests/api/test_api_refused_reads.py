"""Refused reads: audited, and told apart from no one (security review items 3 and 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.core import clock
from rekisteri.register.models import Delivery, Person
from rekisteri.staff.models import ApiKey
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api

pytestmark = pytest.mark.django_db

MISSING = 10**9
# The routes that read one person for a purpose.
READS = [
    "/people/{id}?purpose={p}",
    "/people/{id}/data?purpose={p}",
    "/people/{id}/events?purpose={p}",
]


def _key_id(client: Api) -> str:
    prefix = client.headers["Authorization"].split("_")[1]
    return str(ApiKey.objects.get(prefix=prefix).pk)


def _register(api: Api, n: int) -> int:
    person = {**AINO, "email": f"henkilo{n}@example.fi", "account": None, "phone": None}
    response = api.call("post", "/people", person)
    assert response.status_code == 201, response.content
    person_id = int(response.json()["id"])
    api.call("post", f"/people/{person_id}/customerships", {"source": keys.service_source()})
    if keys.consent_marketing_purpose() == keys.marketing_purpose():
        # Where marketing rests on consent alone, each has asked for it.
        granted = api.call(
            "post",
            f"/people/{person_id}/consents",
            {"scope": keys.marketing_purpose(), "action": "granted", "text": "Ja tack."},
        )
        assert granted.status_code == 201, granted.content
    return person_id


def _as_missing(body: dict[str, Any], person_id: int) -> dict[str, Any]:
    """The body with the person's id put back as the missing id, to compare the two."""
    return {
        "code": body["code"],
        "message": body["message"].replace(str(person_id), str(MISSING)),
        "data": {k: MISSING if v == person_id else v for k, v in body["data"].items()},
    }


def _refusals(**where: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event=AuditEvent.PERSON_READ_REFUSED, **where))


@pytest.fixture
def people(api: Api) -> dict[str, int]:
    """A readable customer, a restricted one, and one who objected to direct marketing."""
    ids = {name: _register(api, n) for n, name in enumerate(["open", "restricted", "objected"])}
    Person.objects.filter(pk=ids["restricted"]).update(restricted_since=clock.now())
    answer = api.call(
        "post",
        f"/people/{ids['objected']}/consents",
        {"scope": keys.marketing_purpose(), "action": "objected"},
    )
    assert answer.status_code == 201
    return ids


@pytest.mark.parametrize("route", READS)
def test_a_restricted_an_objecting_and_a_missing_person_read_exactly_alike(
    api: Api, people: dict[str, int], route: str
) -> None:
    def read(person_id: int, purpose: str) -> Any:
        return api.call("get", route.format(id=person_id, p=purpose))

    missing = read(MISSING, keys.marketing_purpose())
    restricted = read(people["restricted"], keys.relationship_purpose())
    objected = read(people["objected"], keys.marketing_purpose())
    readable = read(people["open"], keys.marketing_purpose())

    assert readable.status_code == 200
    assert missing.status_code == restricted.status_code == objected.status_code == 404
    assert missing.json() == {
        "code": "person_not_found",
        "message": f"there is no person {MISSING}",
        "data": {"person_id": MISSING},
    }
    assert _as_missing(restricted.json(), people["restricted"]) == missing.json()
    assert _as_missing(objected.json(), people["objected"]) == missing.json()
    for response in (restricted, objected):
        text = response.content.decode()
        assert "restrict" not in text
        assert "object" not in text
        assert "consent" not in text


def test_a_persons_consents_read_alike_whether_they_objected_or_do_not_exist(
    api: Api, people: dict[str, int]
) -> None:
    objected = api.call(
        "get", f"/people/{people['objected']}/consents?purpose={keys.marketing_purpose()}"
    )
    missing = api.call("get", f"/people/{MISSING}/consents?purpose={keys.marketing_purpose()}")

    assert objected.status_code == missing.status_code == 404
    assert _as_missing(objected.json(), people["objected"]) == missing.json()


def test_every_refused_read_is_audited_with_who_which_purpose_whom_and_why(
    api: Api, people: dict[str, int]
) -> None:
    api.call("get", f"/people/{people['restricted']}?purpose={keys.relationship_purpose()}")
    api.call("get", f"/people/{people['objected']}/data?purpose={keys.marketing_purpose()}")
    api.call("get", f"/people/{MISSING}/events?purpose={keys.marketing_purpose()}")
    api.call(
        "get", f"/people/{people['open']}?purpose={keys.statistics_purpose()}"
    )  # a purpose it lacks

    found = {
        (e.actor_kind, e.actor_id, e.purpose, e.person_id, e.data["refused"]) for e in _refusals()
    }

    key = _key_id(api)
    assert found == {
        ("api_key", key, keys.relationship_purpose(), people["restricted"], "restricted"),
        ("api_key", key, keys.marketing_purpose(), people["objected"], "objected_or_not_consented"),
        ("api_key", key, keys.marketing_purpose(), MISSING, "not_found"),
        ("api_key", key, keys.statistics_purpose(), people["open"], "purpose"),
    }
    # A refusal is not a read: no read of them is recorded.
    assert not AuditEntry.objects.filter(
        event=AuditEvent.PERSON_READ, person_id__in=[people["restricted"], people["objected"]]
    ).exists()


def test_stepping_through_ids_leaves_a_trace_of_every_step(
    api: Api, people: dict[str, int]
) -> None:
    first = min(people.values())
    for person_id in range(first, first + 5):
        api.call("get", f"/people/{person_id}?purpose={keys.relationship_purpose()}")

    refused = {e.person_id for e in _refusals()}
    read = set(
        AuditEntry.objects.filter(event=AuditEvent.PERSON_READ).values_list("person_id", flat=True)
    )
    assert set(range(first, first + 5)) <= refused | read
    assert people["restricted"] in refused


def test_a_lookup_by_email_of_a_restricted_person_reads_as_an_unknown_address(
    api: Api, people: dict[str, int]
) -> None:
    body = {"purpose": keys.relationship_purpose()}

    restricted = api.call("post", "/people/lookup", {**body, "email": "henkilo1@example.fi"})
    unknown = api.call("post", "/people/lookup", {**body, "email": "nobody@example.fi"})

    assert restricted.status_code == unknown.status_code == 404
    assert restricted.json() == unknown.json()
    assert "henkilo1" not in restricted.content.decode()
    assert [(e.person_id, e.data["refused"]) for e in _refusals()] == [
        (people["restricted"], "restricted"),
        (None, "not_found"),
    ]


def test_a_refused_delivery_is_audited_though_the_write_was_rolled_back(
    api: Api, people: dict[str, int]
) -> None:
    body = {"source": keys.marketing_source(), "channel": "email", "campaign": "Kevät"}

    response = api.call(
        "post",
        f"/people/{people['objected']}/events/deliveries",
        body,
        **{"Idempotency-Key": "kevat-1"},
    )

    assert response.status_code == 404
    assert not Delivery.objects.exists()
    (entry,) = _refusals(person_id=people["objected"])
    assert (entry.purpose, entry.data["refused"]) == (keys.marketing_purpose(), "objected")


def test_recording_deliveries_needs_the_direct_marketing_purpose(
    people: dict[str, int], make_key: Callable[..., str]
) -> None:
    without = Api(make_key(["marketing:send", "events:write"], [keys.relationship_purpose()]))
    batch = {
        "purpose": keys.marketing_purpose(),
        "channel": "email",
        "campaign": "K",
        "person_ids": [1],
    }
    one = {"source": keys.marketing_source(), "channel": "email", "campaign": "K"}

    answers = [
        without.call("post", "/marketing/deliveries", batch),
        without.call("post", f"/people/{people['open']}/events/deliveries", one),
    ]

    for answer in answers:
        assert answer.status_code == 403, answer.content
        assert set(answer.json()) == {"code", "message", "data"}
    assert not Delivery.objects.exists()


def test_a_batch_of_deliveries_says_nothing_of_people_the_key_may_not_market_to(
    people: dict[str, int], make_key: Callable[..., str]
) -> None:
    marketer = Api(make_key(["marketing:send"], [keys.marketing_purpose()]))
    ids = [people["open"], people["restricted"], people["objected"], MISSING]
    body = {
        "purpose": keys.marketing_purpose(),
        "channel": "email",
        "campaign": "Kevät",
        "person_ids": ids,
    }

    first = marketer.call("post", "/marketing/deliveries", body)
    again = marketer.call("post", "/marketing/deliveries", body)

    assert first.status_code == 201
    refused = dict.fromkeys([str(i) for i in ids[1:]], "not_found")
    assert first.json() == {"recorded": [people["open"]], "refused": refused}
    assert again.json() == {
        "recorded": [],
        "refused": {str(people["open"]): "already_sent", **refused},
    }
    # The trail keeps why, for the data protection officer.
    assert {(e.person_id, e.data["refused"]) for e in _refusals()} == {
        (people["restricted"], "restricted"),
        (people["objected"], "objected"),
        (MISSING, "not_found"),
    }


def test_a_restricted_person_is_no_one_to_change_either(db: None, make_key: Any) -> None:
    """Writes answer a restricted person as an unknown id too, and change nothing."""
    from rekisteri.core.actors import CLI
    from rekisteri.register.models import PhoneNumber
    from rekisteri.register.services import contact_write_purposes, person_restrict
    from tests.api.conftest import Api
    from tests.rights.conftest import register_aino

    aino = register_aino()
    person_restrict(actor=CLI, person_id=aino.pk)
    purpose = contact_write_purposes()[0]
    api = Api(make_key(scopes=["people:write"], purposes=[purpose]))
    before = list(PhoneNumber.objects.filter(person_id=aino.pk).values_list("number", flat=True))

    answers = {
        who: (
            api.call(
                "patch",
                f"/people/{who}/contact?purpose={purpose}",
                {"source": keys.staff_source(), "phone": "040 765 4321"},
            ),
            api.call(
                "post",
                f"/people/{who}/customerships",
                {"source": keys.staff_source(), "started_on": "2026-01-05"},
            ),
        )
        for who in (aino.pk, 10**9)
    }

    for mine, unknown in zip(answers[aino.pk], answers[10**9], strict=True):
        assert mine.status_code == unknown.status_code == 404, mine.content
        assert mine.json()["code"] == unknown.json()["code"]
    after = list(PhoneNumber.objects.filter(person_id=aino.pk).values_list("number", flat=True))
    assert after == before
