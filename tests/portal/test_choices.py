"""The subject's consents and prohibitions page, and the opt-out link of every message."""

from __future__ import annotations

import pytest
from django.test import Client

from rekisteri.consent.marketing import Basis, Refusal, marketing_decisions, opt_out_url
from rekisteri.consent.models import ConsentAction, ConsentEvent, ConsentText
from tests import policy_keys as keys
from tests.rights.conftest import Subject

pytestmark = pytest.mark.django_db


def _email(aino: Subject) -> object:
    return marketing_decisions(
        purpose=keys.marketing_purpose(), channel="email", person_ids=[aino.pk]
    )[aino.pk]


def test_the_page_shows_each_channel_and_consent_and_each_button_appends_one_event(
    aino: Subject, aino_client: Client
) -> None:
    page = aino_client.get("/oma/valinnat").content.decode()
    # A customer and business contact: e-mail marketing allowed until she refuses.
    assert "Sähköposti" in page
    assert _email(aino) == Basis.BUSINESS_CONTACT

    response = aino_client.post(
        "/oma/valinnat/muuta", {"scope": f"{keys.marketing_purpose()}:email", "action": "withdrawn"}
    )
    assert response.status_code == 302
    assert _email(aino) == Refusal.WITHDRAWN

    aino_client.post("/oma/valinnat/muuta", {"scope": keys.survey_purpose(), "action": "granted"})
    event = ConsentEvent.objects.filter(person_id=aino.pk, scope=keys.survey_purpose()).get()
    shown = ConsentText.objects.get(text_hash=event.text_hash)
    assert "mielipide- ja markkinatutkimukset" in shown.text
    assert event.channel == "portal"
    assert event.notice_version is not None

    aino_client.post(
        "/oma/valinnat/muuta", {"scope": keys.marketing_purpose(), "action": "objected"}
    )
    assert _email(aino) == Refusal.OBJECTED
    page = aino_client.get("/oma/valinnat?done=1").content.decode()
    assert "Olet kieltänyt kaiken suoramarkkinoinnin." in page
    aino_client.post("/oma/valinnat/muuta", {"scope": keys.marketing_purpose(), "action": "lifted"})
    # Lifting the prohibition brings back her earlier refusal of e-mail, not more.
    assert _email(aino) == Refusal.WITHDRAWN
    aino_client.post(
        "/oma/valinnat/muuta", {"scope": f"{keys.marketing_purpose()}:email", "action": "granted"}
    )
    assert _email(aino) == Basis.CONSENT

    history = aino_client.get("/en/my/choices").content.decode()
    assert "History of your choices" in history
    assert history.count("<tr>") >= 6


def test_a_choice_the_page_does_not_offer_is_refused_and_changes_nothing(
    aino: Subject, aino_client: Client
) -> None:
    before = ConsentEvent.objects.count()
    for scope, action in (
        ("marketing:fax", "granted"),
        ("accounting", "granted"),
        ("marketing", "granted"),
        ("research", "objected"),
        ("marketing:email", "lifted"),
    ):
        response = aino_client.post("/oma/valinnat/muuta", {"scope": scope, "action": action})
        assert response.status_code in (400, 409), (scope, action)
    assert ConsentEvent.objects.count() == before
    assert Client().get("/oma/valinnat").status_code == 302


def test_the_opt_out_link_works_without_signing_in_and_a_get_changes_nothing(
    aino: Subject,
) -> None:
    url = opt_out_url(aino.pk, "marketing", "email").split("://", 1)[1].split("/", 1)[1]
    client = Client()
    page = client.get("/" + url)
    assert page.status_code == 200
    assert "sähköposti" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    assert _email(aino) == Basis.BUSINESS_CONTACT

    # A mail program's one-click unsubscribe (RFC 8058): a POST with no token of ours.
    done = client.post("/" + url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Valmis" in done.content.decode()
    assert _email(aino) == Refusal.OBJECTED
    assert (
        marketing_decisions(purpose=keys.marketing_purpose(), channel="sms", person_ids=[aino.pk])[
            aino.pk
        ]
        == Basis.BUSINESS_CONTACT
    )
    assert ConsentEvent.objects.filter(
        person_id=aino.pk,
        scope=f"{keys.marketing_purpose()}:email",
        action=ConsentAction.OBJECTED,
        channel="email",
    ).exists()

    broken = client.post("/markkinointikielto/" + url.rsplit("/", 1)[1][:-3] + "abc")
    assert broken.status_code == 400
    assert ConsentEvent.objects.filter(person_id=aino.pk).count() == 1
