"""One word for each channel: an older client's word is accepted, and the answer says the one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rekisteri.consent.models import ConsentEvent
from rekisteri.core.channels import Channel, ContactChannel, MarketingChannel
from rekisteri.register.models import Delivery
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_id(api: Api) -> int:
    """A customer with an address, whom the company may send letters (on consent where
    its description markets on consent alone)."""
    pid = int(api.call("post", "/people", AINO).json()["id"])
    api.call("post", f"/people/{pid}/customerships", {"source": keys.service_source()})
    if keys.consent_marketing_purpose() == keys.marketing_purpose():
        granted = api.call(
            "post",
            f"/people/{pid}/consents",
            {"scope": keys.marketing_purpose(), "action": "granted", "text": "Ja tack."},
        )
        assert granted.status_code == 201, granted.json()
    return pid


def test_a_delivery_sent_by_post_is_stored_and_read_back_as_a_letter(
    api: Api,
    person_id: int,
) -> None:
    # given: a customer the company may market to (fixture)
    # when: an older client records a letter by the name it used to send
    response = api.call(
        "post",
        f"/people/{person_id}/events/deliveries",
        {"source": keys.marketing_source(), "channel": "post", "campaign": "kevät"},
    )

    # then: it is stored, and read back, by the one word
    assert response.status_code == 201, response.json()
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["letter"]
    page = api.call(
        "get", f"/people/{person_id}/events?purpose={keys.marketing_purpose()}&kind=delivery"
    ).json()
    assert [i["data"]["channel"] for i in page["items"]] == ["letter"]


def test_a_choice_about_letters_by_the_former_word_is_stored_by_the_one_word(
    make_key: Callable[..., str],
    api: Api,
    person_id: int,
) -> None:
    # given: a key that may record and read the person's marketing choices
    marketer = Api(make_key(["people:read", "people:write"], [keys.marketing_purpose()]))

    # when: the person's objection to letters comes by the former word
    objected = marketer.call(
        "post",
        f"/people/{person_id}/consents",
        {"scope": f"{keys.marketing_purpose()}:post", "action": "objected"},
    )

    # then: the ledger and the answer name it by the one word
    assert objected.status_code == 201, objected.json()
    scope = f"{keys.marketing_purpose()}:letter"
    assert ConsentEvent.objects.get(pk=objected.json()["id"]).scope == scope
    read = marketer.call("get", f"/people/{person_id}/consents?purpose={keys.marketing_purpose()}")
    assert read.json()["current"][scope] == "objected"


def test_the_api_lists_each_channel_by_the_one_vocabulary(api: Api) -> None:
    # given / when: the OpenAPI document
    schemas = api.client.get("/api/openapi.json").json()["components"]["schemas"]

    # then: the channels a client may send are the vocabulary's own, by name and no more
    assert set(schemas["ContactChannel"]["enum"]) == set(ContactChannel.values)
    assert set(schemas["MarketingChannel"]["enum"]) == set(MarketingChannel.values)
    assert set(ContactChannel.values) | set(MarketingChannel.values) <= set(Channel.values)
    assert "post" not in schemas["MarketingChannel"]["enum"]
