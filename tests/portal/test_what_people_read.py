"""Every page a signed-in person sees, their access package and their e-mails, in each
language the register offers: no raw key or coded value, no ISO timestamp, no Python or
JSON literal, and no English on a Finnish or Swedish page."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from rekisteri.consent.models import ConsentAction
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as rm
from rekisteri.register import services as s
from rekisteri.register.labels import FIELD_LABELS, VALUE_LABELS, when_display
from rekisteri.rights import models as rights_models
from rekisteri.rights import notify
from rekisteri.rights.models import RightKind, SubjectRequest
from tests import policy_keys as keys
from tests.portal.conftest import LANGUAGES, page
from tests.rights.conftest import SUBJECT_EMAIL, Subject

EMAILS = Path(notify.__file__).parent / "templates" / "rights" / "email"

# Labels and words that gave English away on Finnish pages before; whole words.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|your|you|Scope|Action|Text hash|Body|Provider token|Billing|Business id|"
    r"Currency|Paid at|Method|Issued on|Due on|Given at|Opened at|Theme|Subject|Description|"
    r"Source|Stored|Used for|female|male|granted|withdrawn|objected|success|card)\b"
)
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?")
# Where a language writes dates as 2026-12-01 (Swedish), the machine's forms only: a T
# between date and time, seconds, or an offset from UTC.
MACHINE_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\b\d{2}:\d{2}:\d{2}|[+-]\d{2}:\d{2}\b")


def _times(text: str, lang: str) -> list[str]:
    """Moments in a machine's form rather than in the language's own."""
    own_is_iso = formats.get_format("SHORT_DATE_FORMAT", lang) == "Y-m-d"
    return (MACHINE_TIME if own_is_iso else ISO_TIME).findall(text)


LITERALS = re.compile(r"\{'|\{\"|\['|\bTrue\b|\bFalse\b|\bNone\b")
# A plain date shown as a moment at midnight.
MIDNIGHT = re.compile(r"kello 0\.00|klo 0\.00|\b0\.00\b|midnight")


def _raw_values() -> set[str]:
    """The policy's keys and the models' coded values that a person should never read."""
    policy = policy_get()
    found: set[str] = set()
    for table in (
        policy.purposes,
        policy.categories,
        policy.sources,
        policy.recipients,
        policy.retention,
        policy.transfers,
        policy.cookies,
        policy.roles,
    ):
        found |= {key for key in table if "_" in key}
    choice_sets = [
        RightKind,
        rights_models.RequestState,
        ConsentAction,
        rm.EmailChangeState,
    ]
    for choices in choice_sets:
        found |= {str(v) for v in choices.values if "_" in str(v)}
    for values in VALUE_LABELS.values():
        found |= {key for key in values if "_" in key}
    return found


def _visible(markup: str) -> str:
    """What a reader (or a screen reader) gets: the text and the labels of the page."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', markup))
    text = re.sub(r"<[^>]+>", " ", markup)
    return re.sub(r"\s+", " ", html.unescape(f"{text} {labels}"))


def _problems(text: str, lang: str) -> list[str]:
    found = [f"raw value {raw!r}" for raw in _raw_values() if re.search(rf"\b{raw}\b", text)]
    found += [f"ISO time {m!r}" for m in _times(text, lang)]
    found += [f"literal {m!r}" for m in LITERALS.findall(text)]
    found += [f"midnight {m!r}" for m in MIDNIGHT.findall(text)]
    if lang != "en":
        found += [f"English {m!r}" for m in ENGLISH_WORDS.findall(text)]
    return found


def _with_every_kind_of_datum(aino: Subject) -> None:
    """Aino's data in the categories the shared fixture leaves empty, as clients send them
    (of what the description collects)."""
    pid = aino.pk
    at = dt.datetime(2025, 5, 6, 7, 8, tzinfo=dt.UTC)
    for field, value in (("gender", "female"), ("job_title", "toimitusjohtaja")):
        if keys.collects(f"person.{field}"):
            rm.Person.objects.filter(pk=pid).update(**{field: value})
    if keys.collects("identity_verification.method"):
        s.identity_verification_record(
            actor=SYSTEM,
            person_id=pid,
            source=keys.service_source(),
            method="mobile_certificate",
            result="success",
            verified_at=at,
        )
    if keys.collects("payment_card.provider_token"):
        s.payment_card_add(
            actor=SYSTEM,
            person_id=pid,
            source=keys.billing_source(),
            provider_token="tok_" + "a1b2c3d4" * 12,
            brand="Visa",
            last_four="4242",
            expires=dt.date(2028, 4, 30),
        )
    if keys.collects("user_content.title"):
        s.user_content_add(
            actor=SYSTEM,
            person_id=pid,
            source=keys.subject_source(),
            title="Esittely",
            body="Puutarhapalvelut.",
        )
    s.service_subscription_start(
        actor=SYSTEM,
        person_id=pid,
        source=keys.service_source(),
        service="Mainio Analyysi Pro",
        started_on=dt.date(2024, 1, 2),
    )
    s.payment_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.billing_source(),
        amount=Decimal("79.00"),
        paid_at=at,
        method="bank_transfer",
    )


def _pages(client: Client, lang: Language) -> dict[str, str]:
    return {
        "own data": client.get(page("my", lang)).content.decode(),
        "choices": client.get(page("choices", lang)).content.decode(),
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_package_and_message_a_person_reads_is_in_their_words(
    aino: Subject, aino_client: Client, smtp: Any, lang: Language
) -> None:
    # Given Aino with data in every kind of category, and choices and requests behind her
    _with_every_kind_of_datum(aino)
    client = aino_client
    client.post(page("choose", lang), {"scope": keys.survey_purpose(), "action": "granted"})
    sms = f"{keys.marketing_purpose()}:sms"
    client.post(page("choose", lang), {"scope": sms, "action": "withdrawn"})
    read: dict[str, str] = {}

    # When she looks at her pages and uses every right the portal offers
    read.update(_pages(client, lang))
    client.post(page("request", lang), {"kind": "access"})
    jobs_run_queued()
    shown = client.get(page("my", lang)).content.decode()
    read["own data, package ready"] = shown
    [href] = set(re.findall(r'href="([^"]+/access\.html)"', shown))
    read["access.html"] = client.get(href).content.decode()
    for kind in ("restriction", "objection", "deletion", "erasure"):
        asked = client.post(page("request", lang), {"kind": kind})
        read[f"confirm {kind}"] = asked.content.decode()
        if kind == "erasure":
            continue
        done = client.post(page("request", lang), {"kind": kind, "confirm": "yes"})
        read[f"after {kind}"] = client.get(done["Location"]).content.decode()
    read.update({f"{name}, at the end": text for name, text in _pages(client, lang).items()})
    read["erased"] = client.post(
        page("request", lang), {"kind": "erasure", "confirm": "yes"}
    ).content.decode()
    jobs_run_queued()
    # ... and every message the register can send her about a request
    request = SubjectRequest.objects.filter(kind="access").first()
    assert request is not None
    request.decided_at = request.received_at
    for template in sorted(EMAILS.glob(f"*_{lang}.txt")):
        if template.name.startswith("dpo_"):
            continue  # to staff, in Finnish
        notify._send(
            template.name.removesuffix(f"_{lang}.txt"),
            lang,
            SUBJECT_EMAIL,
            request=request,
            kind_label=RightKind(request.kind).label,
            code="12345678",
            url=f"https://rekisteri.example{page('sign_in', lang)}?t=x",
            notice_url=f"https://rekisteri.example{page('notice', lang)}",
            effective_on=dt.date(2027, 1, 1),
            changes=[],
            certificate={"kept": [{"hold": "accounting_vouchers"}]},
        )
    for message in smtp.to(SUBJECT_EMAIL):
        read[f"e-mail {message['Subject']}"] = f"{message['Subject']} {smtp.body(message)}"

    # Then none of it shows the register's internals or the wrong language
    problems = {
        name: found for name, text in read.items() if (found := _problems(_visible(text), lang))
    }
    assert problems == {}
    assert len([n for n in read if n.startswith("e-mail")]) >= 10


def test_plain_dates_read_as_dates_and_choices_as_words(aino: Subject, aino_client: Client) -> None:
    # Given Aino, a woman identified with a mobile certificate, customer since 2.1.2024,
    # who did something in the service the company has a name for
    _with_every_kind_of_datum(aino)
    action, action_words = next(iter(keys.policy().portal.usage_actions.items()))
    s.usage_event_record(
        actor=SYSTEM,
        person_id=aino.pk,
        source=keys.usage_source(),
        action=action,
        occurred_at=dt.datetime(2025, 5, 6, 7, 8, tzinfo=dt.UTC),
    )

    # When she opens her page in the register's language
    shown = _visible(aino_client.get(page("my")).content.decode())

    # Then the day she became a customer is a date, and coded values are words
    lang = keys.language()
    with translation.override(lang):
        amount = formats.number_format(Decimal("120.00"), decimal_pos=2)

        def datum(field: str, value: object) -> str:
            return f"{capfirst(str(FIELD_LABELS[field]))} {value}"

        assert datum("started_on", when_display(dt.date(2024, 1, 2))) in shown
        if keys.collects("person.gender"):
            assert datum("gender", VALUE_LABELS["gender"]["female"]) in shown
        if keys.collects("identity_verification.method"):
            method = VALUE_LABELS["identity_verification.method"]["mobile_certificate"]
            assert datum("identity_verification.method", method) in shown
        assert datum("method", VALUE_LABELS["payment.method"]["bank_transfer"]) in shown
        assert datum("amount", amount) in shown
        # and what the service reported she did is in the company's words, not its code
        assert datum("action", action_words(lang)) in shown
    assert action not in shown
    # and the card's token, which means nothing to her, is left out
    assert "a1b2c3d4" not in shown


def _public_pages(lang: Language) -> tuple[str, ...]:
    """The pages the portal serves without a session, with an old or mistyped token."""
    return (
        page("home", lang),
        page("sign_in", lang),
        reverse(f"my-link-{lang}") + "?t=old",
        reverse(f"my-email-confirm-{lang}") + "?t=old",
        reverse(f"my-email-undo-{lang}") + "?t=old",
        reverse(f"opt-out-{lang}", args=["old"]),
        reverse(f"survey-{lang}", args=["old"]),
        page("notice", lang),
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pages_before_signing_in_are_in_the_persons_words_too(
    aino: Subject, lang: Language
) -> None:
    # Given a visitor who has not signed in, following old or mistyped links
    client = Client()
    pages = _public_pages(lang)

    # When they open each page the portal serves without a session
    read = {path: client.get(path).content.decode() for path in pages}
    assert all(client.get(path).status_code != 302 for path in pages)
    read["wrong password"] = client.post(
        pages[1], {"method": "password", "username": "aino", "password": "x"}
    ).content.decode()
    read["link used"] = client.post(pages[2], {"t": "old"}).content.decode()

    # Then none of them shows a raw key, an ISO time, a literal or the wrong language
    problems = {
        name: found for name, text in read.items() if (found := _problems(_visible(text), lang))
    }
    assert problems == {}


REFUSED = (
    {
        "kind": "rectification",
        "street_address": "Uusi katu 1",
        "postal_code": "ABCDE",
        "city": "Oulu",
    },
    {"kind": "rectification", "email": "not-an-address"},
    {"kind": "rectification", "phone": "12"},
    {"kind": "rectification"},
    {"kind": "rectification", "street_address": "x" * 300, "postal_code": "00100", "city": "Oulu"},
)
# A code name as services write them: "address.postal_code", "street_address".
CODE_NAME = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_refused_correction_says_what_to_fix_in_the_persons_words(
    aino: Subject, aino_client: Client, lang: Language
) -> None:
    # When Aino proposes corrections the register refuses
    answers = [aino_client.post(page("request", lang), data) for data in REFUSED]

    # Then each answer names the problem in her language, without code names
    controller = keys.policy().controller.name
    for answer in answers:
        assert answer.status_code == 400
        text = _visible(answer.content.decode())
        assert _problems(text, lang) == []
        assert CODE_NAME.findall(text.replace(controller, "")) == []
    # the postal code, by the shape the controller's country writes it in
    first = _visible(answers[0].content.decode())
    with translation.override(lang):
        field = str(gettext_lazy("postal code"))
        shapes = {
            str(gettext_lazy("The %(field)s must be %(count)s digits."))
            % {"field": field, "count": 5},
            str(gettext_lazy("The %(field)s must be written like %(example)s."))
            # A shape other than digits alone reads by the controller's own postal code.
            % {"field": field, "example": keys.policy().controller.postal_code},
        }
    assert any(shape in first for shape in shapes), (shapes, first)
