"""Recording a person's events and reading them back a page at a time."""

from __future__ import annotations

import pytest

from tests import policy_keys as keys
from tests.api.conftest import AINO, Api

pytestmark = pytest.mark.django_db

EVENTS = [
    (
        "usage",
        {
            "source": keys.service_source(),
            "action": "report.open",
            "occurred_at": "2026-01-01T10:00:00Z",
        },
    ),
    (
        "contact",
        {
            "source": keys.staff_source(),
            "channel": "phone",
            "direction": "in",
            "summary": "Kysyi laskusta",
            "occurred_at": "2026-01-02T10:00:00Z",
        },
    ),
    (
        "web-visits",
        {
            "source": keys.web_source(),
            "ip_address": "192.0.2.1",
            "page": "/hinnasto",
            "occurred_at": "2026-01-03T10:00:00Z",
        },
    ),
    (
        "deliveries",
        {
            "source": keys.marketing_source(),
            "channel": "email",
            "campaign": "kevät",
            "sent_at": "2026-01-04T10:00:00Z",
        },
    ),
    (
        "payments",
        {"source": keys.billing_source(), "amount": "49.90", "paid_at": "2026-01-05T10:00:00Z"},
    ),
    (
        "invoices",
        {
            "source": keys.service_source(),
            "number": "2026-1",
            "amount": "49.90",
            "issued_on": "2026-01-06",
            "due_on": "2026-01-20",
            "billing_name": "Aino Virtanen",
            "billing_address": "Kauppakatu 39, 40100 Jyväskylä",
        },
    ),
    (
        "feedback",
        {
            "source": keys.subject_source(),
            "text": "Hyvä",
            "rating": 5,
            "given_at": "2026-01-07T10:00:00Z",
        },
    ),
    (
        "service-cases",
        {"source": keys.staff_source(), "subject": "Salasana", "opened_at": "2026-01-08T10:00:00Z"},
    ),
]


@pytest.fixture
def person_id(api: Api) -> int:
    pid = int(api.call("post", "/people", AINO).json()["id"])
    # A customer: e-mail marketing of the company's own services is allowed until refused.
    api.call("post", f"/people/{pid}/customerships", {"source": keys.service_source()})
    if keys.consent_marketing_purpose() == keys.marketing_purpose():
        # Where marketing rests on consent alone, she has asked for it.
        granted = api.call(
            "post",
            f"/people/{pid}/consents",
            {"scope": keys.marketing_purpose(), "action": "granted", "text": "Ja tack."},
        )
        assert granted.status_code == 201, granted.json()
    return pid


def test_a_delivery_the_marketing_rules_forbid_is_refused(api: Api, person_id: int) -> None:
    api.call(
        "post",
        f"/people/{person_id}/consents",
        {"scope": keys.marketing_purpose(), "action": "objected"},
    )
    body = {"source": keys.marketing_source(), "channel": "email", "campaign": "Kevät"}
    response = api.call("post", f"/people/{person_id}/events/deliveries", body)
    unknown = api.call("post", f"/people/{10**9}/events/deliveries", body)
    # She reads as no one: the objection is not named.
    assert response.status_code == unknown.status_code == 404
    assert response.json() == {
        "code": "person_not_found",
        "message": f"there is no person {person_id}",
        "data": {"person_id": person_id},
    }
    assert unknown.json()["message"] == f"there is no person {10**9}"


def test_every_event_kind_is_recorded(api: Api, person_id: int) -> None:
    for path, body in EVENTS:
        response = api.call("post", f"/people/{person_id}/events/{path}", body)
        assert response.status_code == 201, (path, response.json())


def _events_purpose() -> str:
    """The customer relationship where it opens service cases, contacts and use of the
    service; else a purpose that opens all three (Norrsken's customer support)."""
    fields = ("service_case.subject", "contact_event.summary", "usage_event.action")
    common = [
        p for p in keys.purposes_of(fields[0]) if all(p in keys.purposes_of(f) for f in fields)
    ]
    return keys.relationship_purpose() if keys.relationship_purpose() in common else common[0]


def test_events_come_back_newest_first_a_page_at_a_time(
    api: Api, person_id: int, make_key: object
) -> None:
    for path, body in EVENTS:
        api.call("post", f"/people/{person_id}/events/{path}", body)
    dpo = Api(
        make_key(
            purposes=list(keys.policy().purposes)  # type: ignore[operator]
        )
    )

    purpose = _events_purpose()
    first = dpo.call("get", f"/people/{person_id}/events?purpose={purpose}&limit=2").json()
    second = dpo.call(
        "get", f"/people/{person_id}/events?purpose={purpose}&limit=2&offset=2"
    ).json()

    # The kinds whose category serves the purpose, newest first (under Mainioco's
    # description the customer relationship: service case, contact, usage).
    served = [
        kind
        for kind, field in (
            ("service_case", "service_case.subject"),
            ("contact", "contact_event.summary"),
            ("usage", "usage_event.action"),
        )
        if purpose in keys.purposes_of(field)
    ]
    assert len(served) >= 2
    assert first["count"] == len(served)
    assert [i["kind"] for i in first["items"]] == served[:2]
    assert [i["kind"] for i in second["items"]] == served[2:]
    if "contact" in served[:2]:
        contact = first["items"][served.index("contact")]
        assert contact["data"]["summary"] == "Kysyi laskusta"


def test_events_of_one_kind_can_be_asked_for(api: Api, person_id: int) -> None:
    for path, body in EVENTS:
        api.call("post", f"/people/{person_id}/events/{path}", body)

    page = api.call(
        "get", f"/people/{person_id}/events?purpose={keys.marketing_purpose()}&kind=delivery"
    ).json()

    assert [(i["kind"], i["data"]["campaign"]) for i in page["items"]] == [("delivery", "kevät")]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("payments", {"source": keys.subject_source(), "amount": "1.005"}, 422),
        (
            "payments",
            {"source": keys.subject_source(), "amount": "1", "method": "4111 1111 1111 1111"},
            400,
        ),
        ("web-visits", {"source": keys.web_source(), "ip_address": "999.1.1.1", "page": "/"}, 400),
        ("invoices", {**EVENTS[5][1], "due_on": "2025-01-01"}, 400),
        ("feedback", {"source": keys.subject_source(), "rating": 6}, 422),
        ("feedback", {"source": keys.subject_source()}, 400),
        ("contact", {"source": keys.subject_source(), "channel": "pigeon", "direction": "in"}, 422),
    ],
)
def test_bad_events_are_refused(
    api: Api, person_id: int, path: str, body: dict[str, object], status: int
) -> None:
    response = api.call("post", f"/people/{person_id}/events/{path}", body)

    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "data"}


def test_an_event_for_an_unknown_person_is_404(api: Api) -> None:
    response = api.call(
        "post", "/people/999/events/usage", {"source": keys.usage_source(), "action": "x"}
    )

    assert response.status_code == 404


def test_the_openapi_document_and_its_docs_are_served_from_here(api: Api) -> None:
    spec = api.client.get("/api/openapi.json")
    docs = api.client.get("/api/docs")

    assert spec.status_code == 200
    assert "/api/people/{person_id}/events/invoices" in spec.json()["paths"]
    assert docs.status_code == 200
    assert "cdn." not in docs.content.decode()
