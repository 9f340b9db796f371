"""The subject's consents and prohibitions page, and the opt-out link of every message."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rekisteri.consent.marketing import (
    Basis,
    MarketingChannel,
    Refusal,
    marketing_decisions,
    opt_out_url,
)
from rekisteri.consent.models import ConsentAction, ConsentEvent, ConsentText
from rekisteri.policy.schema import LegalBasis
from rekisteri.portal.choices import CHANNEL_LABELS
from tests import policy_keys as keys
from tests.portal.conftest import page
from tests.rights.conftest import Subject

pytestmark = pytest.mark.django_db


def _decision(aino: Subject, channel: str = "email") -> object:
    return marketing_decisions(
        purpose=keys.marketing_purpose(), channel=channel, person_ids=[aino.pk]
    )[aino.pk]


def _email(aino: Subject) -> object:
    return _decision(aino, "email")


def _before_any_choice() -> object:
    """What the rules decide for Aino, a customer and business contact, before she chooses:
    marketing allowed until she refuses it, or, where it rests on consent alone, not sent."""
    basis = keys.policy().purposes[keys.marketing_purpose()].legal_basis
    return Refusal.NO_CONSENT if basis == LegalBasis.CONSENT else Basis.BUSINESS_CONTACT


def _email_word() -> str:
    return keys.words(CHANNEL_LABELS[MarketingChannel.EMAIL])


def test_the_page_shows_each_channel_and_consent_and_each_button_appends_one_event(
    aino: Subject, aino_client: Client
) -> None:
    marketing = keys.marketing_purpose()
    shown = html.unescape(aino_client.get(page("choices")).content.decode())
    assert f">{capfirst(_email_word())}<" in shown
    assert _email(aino) == _before_any_choice()
    if _before_any_choice() == Refusal.NO_CONSENT:
        # Marketing on consent alone: she first allows e-mail, to refuse it below.
        aino_client.post(page("choose"), {"scope": f"{marketing}:email", "action": "granted"})
        assert _email(aino) == Basis.CONSENT

    response = aino_client.post(
        page("choose"), {"scope": f"{marketing}:email", "action": "withdrawn"}
    )
    assert response.status_code == 302
    assert _email(aino) == Refusal.WITHDRAWN

    aino_client.post(page("choose"), {"scope": keys.survey_purpose(), "action": "granted"})
    event = ConsentEvent.objects.filter(person_id=aino.pk, scope=keys.survey_purpose()).get()
    agreed = ConsentText.objects.get(text_hash=event.text_hash)
    assert keys.policy().purposes[keys.survey_purpose()].name(keys.language()) in agreed.text
    assert event.channel == "portal"
    assert event.notice_version is not None

    aino_client.post(page("choose"), {"scope": marketing, "action": "objected"})
    assert _email(aino) == Refusal.OBJECTED
    shown = html.unescape(aino_client.get(page("choices") + "?done=1").content.decode())
    assert keys.words(_("You have prohibited all direct marketing.")) in shown
    aino_client.post(page("choose"), {"scope": marketing, "action": "lifted"})
    # Lifting the prohibition brings back her earlier refusal of e-mail, not more.
    assert _email(aino) == Refusal.WITHDRAWN
    aino_client.post(page("choose"), {"scope": f"{marketing}:email", "action": "granted"})
    assert _email(aino) == Basis.CONSENT

    history = aino_client.get(page("choices", "en")).content.decode()
    assert "History of your choices" in history
    assert history.count("<tr>") >= 6


def test_a_choice_the_page_does_not_offer_is_refused_and_changes_nothing(
    aino: Subject, aino_client: Client
) -> None:
    marketing = keys.marketing_purpose()
    by_law = next(
        k for k, p in keys.policy().purposes.items() if p.legal_basis == LegalBasis.LEGAL_OBLIGATION
    )
    before = ConsentEvent.objects.count()
    for scope, action in (
        (f"{marketing}:fax", "granted"),  # no such channel
        (by_law, "granted"),  # a purpose that rests on the law, not on consent
        (marketing, "granted"),  # marketing is allowed channel by channel
        (keys.survey_purpose(), "objected"),  # a consent is withdrawn, not objected to
        (f"{marketing}:email", "lifted"),  # nothing prohibited to lift
    ):
        response = aino_client.post(page("choose"), {"scope": scope, "action": action})
        assert response.status_code in (400, 409), (scope, action)
    assert ConsentEvent.objects.count() == before
    assert Client().get(page("choices")).status_code == 302


def test_the_opt_out_link_works_without_signing_in_and_a_get_changes_nothing(
    aino: Subject,
) -> None:
    marketing = keys.marketing_purpose()
    url = opt_out_url(aino.pk, marketing, "email").split("://", 1)[1].split("/", 1)[1]
    client = Client()
    asked = client.get("/" + url)
    assert asked.status_code == 200
    assert _email_word() in html.unescape(asked.content.decode())
    assert asked["Referrer-Policy"] == "same-origin"
    assert _email(aino) == _before_any_choice()

    # A mail program's one-click unsubscribe (RFC 8058): a POST with no token of ours.
    done = client.post("/" + url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    said = keys.words(_("Done: you will get no more marketing from us by %(channel)s."))
    assert said % {"channel": _email_word()} in html.unescape(done.content.decode())
    assert _email(aino) == Refusal.OBJECTED
    assert _decision(aino, "sms") == _before_any_choice()
    assert ConsentEvent.objects.filter(
        person_id=aino.pk,
        scope=f"{marketing}:email",
        action=ConsentAction.OBJECTED,
        channel="email",
    ).exists()

    opt_out = reverse(f"opt-out-{keys.language()}", args=["t"]).removesuffix("t")
    broken = client.post(opt_out + url.rsplit("/", 1)[1][:-3] + "abc")
    assert broken.status_code == 400
    assert ConsentEvent.objects.filter(person_id=aino.pk).count() == 1
