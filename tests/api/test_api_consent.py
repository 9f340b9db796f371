"""The API's consent, audience, delivery and cookie-choice operations."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rekisteri.consent.models import ConsentAction, ConsentText
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.register import services as s
from rekisteri.register.models import Delivery
from tests import policy_keys as keys
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def _customers(n: int) -> list[int]:
    ids = []
    for i in range(n):
        person = s.person_register(
            actor=SYSTEM,
            source=keys.subject_source(),
            person=s.PersonIn(first_name="Asiakas", last_name=f"N{i}", email=f"a{i}@example.fi"),
        )
        s.customership_start(actor=SYSTEM, person_id=person.pk, source=keys.service_source())
        if _on_consent():
            # Marketing on consent alone reaches only those who asked for it.
            consent_record(
                actor=Actor(ActorKind.SUBJECT, str(person.pk), origin="test"),
                person_id=person.pk,
                scope=keys.marketing_purpose(),
                action=ConsentAction.GRANTED,
                channel="portal",
                text="Jag vill få nyhetsbrev.",
            )
        ids.append(person.pk)
    return ids


def _on_consent() -> bool:
    return keys.consent_marketing_purpose() == keys.marketing_purpose()


def test_the_audience_comes_in_keyset_pages_with_basis_and_opt_out_link(
    make_key: Callable[..., str],
) -> None:
    ids = _customers(5)
    api = Api(make_key(["marketing:send", "people:write"], [keys.marketing_purpose()]))
    api.call(
        "post",
        f"/people/{ids[1]}/consents",
        {"scope": keys.marketing_purpose(), "action": "objected"},
    )
    seen: list[int] = []
    after = 0
    while True:
        page = api.client.get(
            f"/api/marketing/audience?purpose={keys.marketing_purpose()}&channel=email&limit=2&after={after}",
            headers=api.headers,
        ).json()
        seen += [p["person_id"] for p in page["people"]]
        # Mainioco markets to its customers (legitimate interest); others ask consent.
        basis = "consent" if _on_consent() else "customer"
        assert all(p["basis"] == basis for p in page["people"])
        opt_out = {"fi": "/markkinointikielto/", "sv": "/avregistrera/"}[keys.language()]
        assert all(opt_out in p["opt_out_url"] for p in page["people"])
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == [pid for pid in ids if pid != ids[1]]


def test_a_key_without_the_purpose_gets_no_audience(make_key: Callable[..., str]) -> None:
    _customers(1)
    api = Api(make_key(["marketing:send"], [keys.relationship_purpose()]))
    response = api.client.get(
        f"/api/marketing/audience?purpose={keys.marketing_purpose()}&channel=email",
        headers=api.headers,
    )
    assert response.status_code == 403


def test_deliveries_are_recorded_for_those_the_rules_allow(make_key: Callable[..., str]) -> None:
    ids = _customers(2)
    api = Api(make_key(["marketing:send", "people:write"], [keys.marketing_purpose()]))
    api.call(
        "post",
        f"/people/{ids[0]}/consents",
        {"scope": f"{keys.marketing_purpose()}:sms", "action": "objected"},
    )
    answer = api.call(
        "post",
        "/marketing/deliveries",
        {
            "purpose": keys.marketing_purpose(),
            "channel": "sms",
            "campaign": "Kevät",
            "person_ids": ids,
        },
    )
    assert answer.status_code == 201
    # Nobody has a phone number: no one can have been sent an SMS. Why is not said.
    assert answer.json() == {
        "recorded": [],
        "refused": {str(ids[0]): "not_found", str(ids[1]): "not_found"},
    }
    answer = api.call(
        "post",
        "/marketing/deliveries",
        {
            "purpose": keys.marketing_purpose(),
            "channel": "email",
            "campaign": "Kevät",
            "person_ids": ids,
        },
    )
    assert answer.json()["recorded"] == ids
    assert Delivery.objects.count() == 2


def test_consents_are_appended_and_read_back_with_the_text_agreed_to(
    make_key: Callable[..., str],
) -> None:
    (pid,) = _customers(1)
    marketer = Api(make_key(["people:write"], [keys.marketing_purpose()]))
    other_purpose = marketer.call(
        "post",
        f"/people/{pid}/consents",
        {"scope": keys.survey_purpose(), "action": "granted", "text": "Saa lähettää kyselyitä."},
    )
    assert other_purpose.status_code == 403
    marketer.call(
        "post", f"/people/{pid}/consents", {"scope": keys.marketing_purpose(), "action": "objected"}
    )
    # Only the person lifts an objection (their own pages, or in writing).
    lift = marketer.call(
        "post", f"/people/{pid}/consents", {"scope": keys.marketing_purpose(), "action": "lifted"}
    )
    assert lift.status_code == 403
    meaningless = marketer.call(
        "post",
        f"/people/{pid}/consents",
        {"scope": f"{keys.marketing_purpose()}:fax", "action": "withdrawn"},
    )
    assert meaningless.status_code == 400
    api = Api(
        make_key(["people:read", "people:write"], [keys.marketing_purpose(), keys.survey_purpose()])
    )
    refused = api.call(
        "post", f"/people/{pid}/consents", {"scope": keys.survey_purpose(), "action": "granted"}
    )
    assert refused.status_code == 400
    granted = api.call(
        "post",
        f"/people/{pid}/consents",
        {
            "scope": keys.survey_purpose(),
            "action": "granted",
            "text": "Saa lähettää kyselyitä.",
            "language": keys.language(),
        },
    )
    assert granted.status_code == 201
    given = {"Jag vill få nyhetsbrev."} if _on_consent() else set()  # by _customers
    texts = set(ConsentText.objects.values_list("text", flat=True))
    assert texts == given | {"Saa lähettää kyselyitä."}
    # Her objection closes the marketing purpose; research, which she consented to, is open.
    closed = api.client.get(
        f"/api/people/{pid}/consents?purpose={keys.marketing_purpose()}", headers=api.headers
    )
    assert closed.status_code == 404
    read = api.client.get(
        f"/api/people/{pid}/consents?purpose={keys.survey_purpose()}", headers=api.headers
    )
    assert read.json()["current"] == {
        keys.marketing_purpose(): "objected",
        keys.survey_purpose(): "granted",
    }
    # What she chose over the API, besides her own request for marketing (_customers).
    assert {e["channel"] for e in read.json()["history"]} == {"api"} | (
        {"portal"} if _on_consent() else set()
    )


def test_a_visitors_cookie_choice_is_read_by_visitor_id(make_key: Callable[..., str]) -> None:
    from django.test import Client

    from rekisteri.consent.cookies import cookie_notice_hash

    visitor = "ab" * 16
    Client().post(
        "/consent/decisions",
        data=f'{{"visitor": "{visitor}", "categories": ["analytics"], '
        f'"notice": "{cookie_notice_hash()}", "language": "en"}}',
        content_type="text/plain",
        headers={"Origin": "http://testserver"},
    )
    api = Api(make_key(["cookies:read"], []))
    found = api.client.get(f"/api/cookie-consents/{visitor}", headers=api.headers)
    assert found.status_code == 200
    assert found.json()["categories"] == ["analytics"]
    assert found.json()["in_force"] is True
    assert (
        api.client.get("/api/cookie-consents/" + "0" * 32, headers=api.headers).status_code == 404
    )
    assert api.client.get("/api/cookie-consents/nope", headers=api.headers).status_code == 400
