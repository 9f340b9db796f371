"""Requests filed over the API by a system that authenticated the person itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import time_machine

from rekisteri.audit.models import AuditEntry
from rekisteri.consent.models import ConsentEvent
from rekisteri.core.actors import CLI
from rekisteri.register.models import Customership, EmailAddress, Person
from rekisteri.rights import selectors as rights_selectors
from rekisteri.rights import services as rs
from rekisteri.rights.models import RequestState, SubjectRequest
from rekisteri.staff.keys import api_key_create
from rekisteri.staff.models import ApiKey
from tests import policy_keys as keys
from tests.api.conftest import Api
from tests.factories import country, local_phone
from tests.rights.conftest import SUBJECT_EMAIL, Subject, register_aino, register_set_up

NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
REQUESTS = ["requests:write"]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def aino(db: None) -> Subject:
    register_set_up()
    return register_aino()


@pytest.fixture
def service(make_key: Callable[..., str]) -> Api:
    """The analysis service, filing requests from its own "delete my account" button."""
    return Api(make_key(scopes=REQUESTS, purposes=[keys.relationship_purpose()]))


def _filed_by(client: Api) -> str:
    key = ApiKey.objects.get(prefix=client.headers["Authorization"].split("_")[1])
    return f"api_key:{key.pk}"


def test_a_system_files_an_access_request_verified_by_its_own_sign_in(
    aino: Subject, service: Api
) -> None:
    response = service.call("post", "/requests", {"person_id": aino.pk, "kind": "access"})

    assert response.status_code == 201, response.content
    body = response.json()
    # 2.2.2026 + one month = Monday 2.3.2026 (Art. 12(3)).
    assert body == {
        "id": body["id"],
        "kind": "access",
        "state": "verified",
        "received_on": "2026-02-02",
        "due_on": "2026-03-02",
        "duplicate_of": None,
        "extended": False,
    }
    filed = SubjectRequest.objects.get(pk=body["id"])
    assert filed.channel == "api"
    assert filed.verification_method == "api_client"
    assert filed.filed_by == _filed_by(service)
    assert "job" in filed.result  # the worker builds the package for the portal
    entry = AuditEntry.objects.filter(data__request=filed.pk, data__state="received").get()
    assert (entry.actor_kind, entry.actor_id) == ("api_key", filed.filed_by.split(":")[1])


@pytest.fixture
def analysis(make_key: Callable[..., str]) -> Api:
    """The analysis service's key: it files requests and reads its customers."""
    return Api(make_key(scopes=REQUESTS, purposes=[keys.relationship_purpose()]))


def _refusals(person_id: int | None) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event="person.read_refused", person_id=person_id))


def test_an_erasure_by_the_registers_bare_id_is_refused_and_erases_no_one(
    aino: Subject, analysis: Api
) -> None:
    response = analysis.call("post", "/requests", {"person_id": aino.pk, "kind": "erasure"})

    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "data"}
    assert response.json()["data"] == {"field": "person_id"}
    assert SubjectRequest.objects.count() == 0
    assert Person.objects.get(pk=aino.pk).erased_at is None


@pytest.mark.parametrize(
    "who", [{"username": "aino"}, {"email": SUBJECT_EMAIL}], ids=["account", "email"]
)
def test_a_delete_my_account_button_files_an_erasure_for_the_dpo_to_review(
    aino: Subject, analysis: Api, who: dict[str, str]
) -> None:
    response = analysis.call("post", "/requests", {**who, "kind": "erasure"})

    assert response.status_code == 201, response.content
    assert response.json()["state"] == "review"
    filed = SubjectRequest.objects.get(pk=response.json()["id"])
    assert filed.person_id == aino.pk
    assert filed in rights_selectors.requests_queue().open
    # Nothing is erased until the data protection officer answers it.
    assert Person.objects.get(pk=aino.pk).erased_at is None

    rs.request_fulfil(actor=CLI, request_id=filed.pk)

    assert Person.objects.get(pk=aino.pk).erased_at is not None
    assert analysis.call("get", f"/requests/{filed.pk}").json()["state"] == "fulfilled"


def test_an_erasure_reaches_no_one_the_keys_purposes_may_not_read(
    aino: Subject, make_key: Callable[..., str]
) -> None:
    # Aino objects to direct marketing: a key that holds only marketing may not read her.
    marketer = Api(
        make_key(scopes=[*REQUESTS, "people:write"], purposes=[keys.marketing_purpose()])
    )
    marketer.call(
        "post",
        f"/people/{aino.pk}/consents",
        {"scope": keys.marketing_purpose(), "action": "objected"},
    )
    Person.objects.filter(pk=aino.other.pk).update(restricted_since=NOW)
    other_email = EmailAddress.objects.get(person_id=aino.other.pk).address

    answers = {
        "objected": marketer.call(
            "post",
            "/requests",
            {"username": "aino", "kind": "erasure"},
            **{"Idempotency-Key": "e-1"},
        ),
        "restricted": marketer.call("post", "/requests", {"email": other_email, "kind": "erasure"}),
        "unknown": marketer.call("post", "/requests", {"username": "nobody", "kind": "erasure"}),
    }

    for response in answers.values():
        assert response.status_code == 404
    assert answers["objected"].json() == answers["restricted"].json() == answers["unknown"].json()
    assert SubjectRequest.objects.filter(kind="erasure").count() == 0
    assert Person.objects.get(pk=aino.pk).erased_at is None
    # Each refusal is in the audit trail, the rolled-back one too.
    assert [e.data["refused"] for e in _refusals(aino.pk)] == ["objected_or_not_consented"]
    assert [e.data["refused"] for e in _refusals(aino.other.pk)] == ["restricted"]
    assert [e.data["refused"] for e in _refusals(None)] == ["not_found"]


def test_a_key_that_may_read_no_one_erases_no_one(
    aino: Subject, make_key: Callable[..., str]
) -> None:
    service = Api(make_key(scopes=REQUESTS, purposes=[]))
    response = service.call("post", "/requests", {"username": "aino", "kind": "erasure"})

    assert response.status_code == 403
    assert SubjectRequest.objects.count() == 0


def test_a_system_the_policy_trusts_has_its_erasure_carried_out_at_once(
    aino: Subject, settings: Any, tmp_path: Path, mainioco_text: str
) -> None:
    trusted = tmp_path / "policy.toml"
    trusted.write_text(
        mainioco_text + "\n[api_clients.analysis]\nerasure_review = false\n", encoding="utf-8"
    )
    settings.REKISTERI_POLICY = trusted
    _, secret = api_key_create(
        actor=CLI, name="analysis", scopes=REQUESTS, purposes=[keys.relationship_purpose()]
    )

    response = Api(secret).call("post", "/requests", {"username": "aino", "kind": "erasure"})

    assert response.status_code == 201, response.content
    assert response.json()["state"] == "fulfilled"
    filed = SubjectRequest.objects.get(pk=response.json()["id"])
    assert filed.result["certificate"]["person_id"] == aino.pk
    assert Person.objects.get(pk=aino.pk).erased_at is not None


def test_the_person_can_be_named_by_an_email_address_on_file_in_any_case(
    aino: Subject, service: Api
) -> None:
    response = service.call(
        "post",
        "/requests",
        {"email": SUBJECT_EMAIL.upper(), "kind": "access", "language": "en"},
    )

    assert response.status_code == 201, response.content
    filed = SubjectRequest.objects.get(pk=response.json()["id"])
    assert filed.person_id == aino.pk
    assert filed.language == "en"


@pytest.mark.parametrize(
    "who", [{"email": "nobody@example.fi"}, {"person_id": 10**9}], ids=["email", "id"]
)
def test_an_unknown_person_is_404_in_the_one_error_format(
    db: None, service: Api, who: dict[str, Any]
) -> None:
    response = service.call("post", "/requests", {**who, "kind": "access"})

    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "data"}
    assert "nobody@example.fi" not in response.content.decode()
    assert SubjectRequest.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "access"},
        {"person_id": 1, "email": SUBJECT_EMAIL, "kind": "access"},
        {"person_id": 1, "kind": "gossip"},
        {"person_id": 1, "kind": "access", "language": "de"},
        {"person_id": "1", "kind": "access"},
        {"person_id": 1, "kind": "access", "channel": "letter"},
        {"person_id": 1, "kind": "access", "details": {"phone": "0401234567"}},
        {"person_id": 1, "kind": "rectification", "details": {"shoe_size": "42"}},
    ],
    ids=[
        "no person",
        "both id and email",
        "unknown kind",
        "unknown language",
        "id as text",
        "unknown key",
        "contact data outside a rectification",
        "unknown detail",
    ],
)
def test_a_body_outside_the_schema_is_refused_and_files_nothing(
    aino: Subject, service: Api, body: dict[str, Any]
) -> None:
    response = service.call("post", "/requests", body)

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_request"
    assert SubjectRequest.objects.count() == 0


def test_a_rectification_carries_its_cleaned_proposal(aino: Subject, analysis: Api) -> None:
    phone = local_phone()
    response = analysis.call(
        "post",
        "/requests",
        {
            "person_id": aino.pk,
            "kind": "rectification",
            "details": {
                "phone": phone,
                "address": {
                    "street_address": "Uusikatu 5",
                    "postal_code": "40200",
                    "city": "Jyväskylä",
                },
                "reason": "moved house",
            },
        },
    )

    assert response.status_code == 201, response.content
    filed = SubjectRequest.objects.get(pk=response.json()["id"])
    assert filed.details == {
        "phone": phonenumbers.format_number(
            phonenumbers.parse(phone, country()), phonenumbers.PhoneNumberFormat.E164
        ),
        # The postal code as the controller's country writes it.
        "address": {
            "street_address": "Uusikatu 5",
            "postal_code": {"SE": "402 00"}.get(country(), "40200"),
            "city": "Jyväskylä",
        },
        "reason": "moved house",
    }


def test_a_proposal_that_breaks_a_register_rule_is_400_and_files_nothing(
    aino: Subject, analysis: Api
) -> None:
    response = analysis.call(
        "post",
        "/requests",
        {"person_id": aino.pk, "kind": "rectification", "details": {"phone": "12"}},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone"
    assert SubjectRequest.objects.count() == 0


def test_an_objection_to_direct_marketing_is_answered_at_once(aino: Subject, service: Api) -> None:
    response = service.call(
        "post", "/requests", {"person_id": aino.pk, "kind": "objection_direct_marketing"}
    )

    assert response.status_code == 201
    assert response.json()["state"] == "fulfilled"  # Art. 21(3)
    assert ConsentEvent.objects.filter(
        person_id=aino.pk, scope=keys.marketing_purpose(), action="objected", channel="api"
    ).exists()


def test_a_second_request_of_the_same_kind_names_the_first(aino: Subject, service: Api) -> None:
    first = service.call("post", "/requests", {"person_id": aino.pk, "kind": "access"}).json()
    second = service.call("post", "/requests", {"person_id": aino.pk, "kind": "access"}).json()

    assert second["duplicate_of"] == first["id"]


def test_a_retry_with_the_same_idempotency_key_files_once(aino: Subject, service: Api) -> None:
    body = {"person_id": aino.pk, "kind": "access"}

    first = service.call("post", "/requests", body, **{"Idempotency-Key": "access-42"})
    again = service.call("post", "/requests", body, **{"Idempotency-Key": "access-42"})
    other = service.call(
        "post", "/requests", {**body, "kind": "portability"}, **{"Idempotency-Key": "access-42"}
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert other.status_code == 409
    assert SubjectRequest.objects.count() == 1


def test_the_filer_reads_the_state_as_the_dpo_moves_the_request(
    aino: Subject, service: Api
) -> None:
    filed = service.call("post", "/requests", {"person_id": aino.pk, "kind": "access"}).json()
    rs.request_extend(
        actor=CLI, request_id=filed["id"], months=2, reason="the data are in many systems"
    )

    response = service.call("get", f"/requests/{filed['id']}")

    assert response.status_code == 200
    assert response.json() == {
        **filed,
        "state": RequestState.VERIFIED,
        "due_on": "2026-05-04",  # one month and two more; Saturday 2.5. -> 4.5.
        "extended": True,
    }


def test_another_filers_request_looks_exactly_like_one_that_does_not_exist(
    aino: Subject, service: Api, make_key: Callable[..., str]
) -> None:
    other_system = Api(make_key(scopes=REQUESTS, purposes=[keys.relationship_purpose()]))
    theirs = other_system.call("post", "/requests", {"person_id": aino.pk, "kind": "access"})
    by_the_dpo = rs.request_create(
        actor=CLI, person_id=aino.other.pk, kind="erasure", channel="letter"
    )
    missing = 10**9

    answers = {
        pk: service.call("get", f"/requests/{pk}")
        for pk in (theirs.json()["id"], by_the_dpo.pk, missing)
    }

    for pk, response in answers.items():
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "message": f"there is no request {pk}",
            "data": {"request_id": pk},
        }


def test_a_key_without_the_requests_scope_is_forbidden(
    aino: Subject, make_key: Callable[..., str]
) -> None:
    reader = Api(make_key(scopes=["people:read", "people:write", "events:read", "events:write"]))

    filing = reader.call("post", "/requests", {"person_id": aino.pk, "kind": "erasure"})
    reading = reader.call("get", "/requests/1")

    for response in (filing, reading):
        assert response.status_code == 403
        assert response.json()["data"] == {"scope": "requests:write"}
    assert SubjectRequest.objects.count() == 0


def test_no_key_is_401(db: None) -> None:
    assert (
        Api(None).call("post", "/requests", {"person_id": 1, "kind": "access"}).status_code == 401
    )


@pytest.mark.parametrize("kind", ["access", "portability", "deletion", "restriction", "objection"])
def test_a_right_reaches_only_people_the_key_may_read(
    aino: Subject, make_key: Callable[..., str], kind: str
) -> None:
    # given a key that holds no purpose to read anyone, and Aino's id guessed
    service = Api(make_key(scopes=REQUESTS, purposes=[]))
    response = service.call("post", "/requests", {"person_id": aino.pk, "kind": kind})

    # then it is refused as it would be for anyone, and nothing is filed
    unknown = service.call("post", "/requests", {"person_id": 10**9, "kind": kind})
    assert response.status_code == unknown.status_code == 403, response.content
    assert response.json() == unknown.json()
    assert SubjectRequest.objects.count() == 0
    assert Customership.objects.filter(person_id=aino.pk, ended_on__isnull=True).exists()


def test_a_restricted_person_is_no_one_to_a_system_asking_to_end_the_customership(
    aino: Subject, analysis: Api
) -> None:
    # given Aino restricted (Art. 18): no purpose of the key may read her
    from rekisteri.register.services import person_restrict

    person_restrict(actor=CLI, person_id=aino.pk)

    # when the system asks to end her customership by her id
    response = analysis.call("post", "/requests", {"person_id": aino.pk, "kind": "deletion"})

    # then she reads as an unknown id does, the refusal is audited, nothing changes
    unknown = analysis.call("post", "/requests", {"person_id": 10**9, "kind": "deletion"})
    assert response.status_code == unknown.status_code == 404, response.content
    assert response.json()["code"] == unknown.json()["code"]
    assert SubjectRequest.objects.count() == 0
    assert Customership.objects.filter(person_id=aino.pk, ended_on__isnull=True).exists()
    assert AuditEntry.objects.filter(event="person.read_refused", person_id=aino.pk).exists()
