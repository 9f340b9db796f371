"""The register obeys another company's description: other keys, marketing on consent only.

Beispiel Analytik GmbH (``beispiel_gmbh.toml``) shares no purpose, category,
source or role key with Mainioco, and has no direct marketing on legitimate
interest. Everything here runs on it through the real services and doors.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from rekisteri.analytics.reports import report_get, reports_for
from rekisteri.analytics.segments import SegmentDefinition, segment_save
from rekisteri.consent import marketing
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.consent.services import consent_record, deliveries_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.policy.loader import load_policy
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.register.models import Customership, Delivery, Feedback, Rectification
from rekisteri.register.selectors import people_search
from rekisteri.rights import services as rs
from rekisteri.rights.models import RequestState, VerificationMethod
from rekisteri.staff.services import staff_actor, staff_create
from tests.conftest import SmtpInbox

BEISPIEL = Path(__file__).with_name("beispiel_gmbh.toml")
PASSWORD = "leise rieselt der schnee"


@pytest.fixture(autouse=True)
def beispiel(settings: Any, db: None) -> None:
    settings.REKISTERI_POLICY = BEISPIEL


def _member(role: str) -> Actor:
    """A staff member of ``role`` as the register sees them: the purposes the policy gives."""
    user = User.objects.filter(username=role).first()
    if user is None:
        user, _token = staff_create(actor=SYSTEM, username=role, role=role)
    return staff_actor(user=user, origin="test")


def _register(first_name: str = "Greta", *, customer: bool = True) -> int:
    person = s.person_register(
        actor=SYSTEM,
        source="betroffene",
        person=s.PersonIn(
            first_name=first_name,
            last_name="Hansen",
            email=f"{first_name.lower()}@example.de",
            address=s.AddressIn("Große Elbstraße 145", "22767", "Hamburg", "DE"),
        ),
        username=first_name.lower(),
        password=PASSWORD,
    )
    if customer:
        s.customership_start(actor=SYSTEM, person_id=person.pk, source="plattform")
    return person.pk


def _subscribed(person_id: int) -> None:
    """The person asks for the newsletter by e-mail themself, in the portal."""
    consent_record(
        actor=Actor(ActorKind.SUBJECT, str(person_id), origin="test"),
        person_id=person_id,
        scope="newsletter:email",
        action=ConsentAction.GRANTED,
        channel="portal",
        text="Beispiel Analytik GmbH may send me its newsletter by e-mail.",
    )


def _newsletter_by_email(person_id: int) -> marketing.Basis | marketing.Refusal:
    return marketing.marketing_decisions(
        purpose="newsletter", channel="email", person_ids=[person_id]
    )[person_id]


def test_the_description_is_another_companys_with_marketing_on_consent_only() -> None:
    policy = load_policy(BEISPIEL).policy
    mainioco = load_policy(Path(__file__).parents[2] / "policies" / "mainioco.toml").policy

    assert policy_get().controller.name == "Beispiel Analytik GmbH"
    for table in ("purposes", "categories", "sources", "roles", "recipients", "retention"):
        assert not set(getattr(policy, table)) & set(getattr(mainioco, table)), table
    direct = [p for p in policy.purposes.values() if p.direct_marketing]
    assert [p.legal_basis for p in direct] == [LegalBasis.CONSENT]


def test_staff_search_works_for_its_roles() -> None:
    pid = _register()

    for role, purpose in (("kundenservice", "kundenbetreuung"), ("datenschutz", "kundenkonto")):
        found = people_search(actor=_member(role), purpose=purpose, query="Hansen")
        assert [(hit.person_id, hit.email) for hit in found] == [(pid, "greta@example.de")]


def test_reports_open_for_the_purposes_its_roles_hold() -> None:
    statistics, newsletter, service = (
        _member("statistik"),
        _member("werbeteam"),
        _member("kundenservice"),
    )

    assert reports_for(statistics) == ["customerships", "services", "usage", "feedback"]
    assert reports_for(newsletter) == ["campaigns"]
    assert reports_for(service) == ["feedback"]
    assert report_get(actor=statistics, key="customerships").purpose == "auswertung"
    assert report_get(actor=statistics, key="feedback").purpose == "zufriedenheit"
    assert report_get(actor=newsletter, key="campaigns").purpose == "newsletter"


def test_an_objection_to_direct_marketing_is_recorded_and_effective() -> None:
    pid = _register()
    _subscribed(pid)
    assert _newsletter_by_email(pid) == marketing.Basis.CONSENT

    request = rs.request_create(
        actor=_member("datenschutz"), person_id=pid, kind="objection_direct_marketing",
        channel="letter",
    )  # fmt: skip

    assert request.state == RequestState.FULFILLED
    assert ConsentEvent.objects.filter(
        person_id=pid, scope="newsletter", action=ConsentAction.OBJECTED
    ).exists()
    # Art. 21(3): the objection wins over the consent given before it.
    assert _newsletter_by_email(pid) == marketing.Refusal.OBJECTED


def test_ending_the_customership_works_and_ends_the_newsletter() -> None:
    pid = _register()
    _subscribed(pid)
    handler = _member("datenschutz")
    request = rs.request_create(actor=handler, person_id=pid, kind="deletion", channel="letter")
    rs.request_verify(
        actor=handler,
        request_id=request.pk,
        method=VerificationMethod.STAFF_CHECK,
        note="known caller",
    )

    answered = rs.request_fulfil(actor=handler, request_id=request.pk)

    assert answered.state == RequestState.FULFILLED
    assert not Customership.objects.filter(person_id=pid, ended_on__isnull=True).exists()
    assert _newsletter_by_email(pid) == marketing.Refusal.OBJECTED


def test_the_choices_page_renders_and_takes_a_prohibition_of_direct_marketing() -> None:
    pid = _register()
    _subscribed(pid)
    client = Client()
    signed_in = client.post(
        "/en/my/sign-in", {"method": "password", "username": "greta", "password": PASSWORD}
    )
    assert signed_in.status_code == 302

    page = client.get("/en/my/choices")

    assert page.status_code == 200
    assert "Prohibit all direct marketing" in page.content.decode()
    assert 'name="scope" value="newsletter"' in page.content.decode()
    client.post("/en/my/choices/change", {"scope": "newsletter", "action": "objected"})
    assert _newsletter_by_email(pid) == marketing.Refusal.OBJECTED


def test_the_marketing_audience_needs_no_purpose_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    subscriber = _register("Greta")
    _register("Hanna")

    call_command("marketing", "audience", "--channel", "email")

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(int(r["person_id"]), r["basis"]) for r in rows] == []
    _subscribed(subscriber)
    call_command("marketing", "audience", "--channel", "email")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(int(r["person_id"]), r["basis"]) for r in rows] == [(subscriber, "consent")]


def test_a_rectification_by_staff_stores_a_source_the_policy_lists() -> None:
    pid = _register()

    s.person_rectify(
        actor=_member("kundenservice"),
        person_id=pid,
        reason="the customer called: a typo in the address",
        purpose="kundenbetreuung",
        email="greta.hansen@example.de",
    )

    rectification = Rectification.objects.get(person_id=pid)
    assert rectification.source == "serviceteam"
    assert rectification.source in policy_get().sources


def test_a_consent_recorded_by_staff_stores_a_source_the_policy_lists() -> None:
    pid = _register()

    event = consent_record(
        actor=_member("werbeteam"),
        person_id=pid,
        scope="umfragen",
        action=ConsentAction.GRANTED,
        channel="customer_service",
        text="Beispiel Analytik GmbH may ask me to take part in customer surveys.",
    )

    assert event.source == "serviceteam"
    assert event.source in policy_get().categories["einwilligungen"].sources


def test_a_survey_answer_and_a_newsletter_delivery_are_stored_under_its_sources(
    smtp: SmtpInbox, tmp_path: Path, settings: Any
) -> None:
    # Six people: the segment's released size must not wobble under the threshold here.
    settings.REKISTERI_ANALYTICS_NOISE = 0
    people = [_register(name) for name in ("Anna", "Berta", "Clara", "Dora", "Emma", "Frida")]
    for pid in people:
        consent_record(
            actor=Actor(ActorKind.SUBJECT, str(pid), origin="test"),
            person_id=pid,
            scope="umfragen",
            action=ConsentAction.GRANTED,
            channel="portal",
            text="Beispiel Analytik GmbH may ask me to take part in customer surveys.",
        )
    segment_save(
        actor=_member("werbeteam"),
        name="Hamburg",
        purpose="umfragen",
        definition=SegmentDefinition.from_form({"consented_to": "umfragen"}),
    )
    question = tmp_path / "question.txt"
    question.write_text("How happy are you with the reports?", encoding="utf-8")

    call_command(
        "survey", "send", "--segment", "Hamburg", "--name", "Autumn",
        "--question-file", str(question), "--language", "en",
    )  # fmt: skip

    body = smtp.body(smtp.to("anna@example.de")[0])
    assert "Beispiel Analytik GmbH may ask you" in body
    assert "Mainio" not in body
    path = "/" + re.search(r"https?://\S+?/(en/survey/\S+)", body).group(1)  # type: ignore[union-attr]
    assert Client().post(path, {"rating": "4", "text": "Good."}).status_code == 200
    assert Feedback.objects.get().source == "umfrage"

    _subscribed(people[0])
    recorded = deliveries_record(
        actor=_member("werbeteam"),
        purpose="newsletter",
        channel="email",
        campaign="Autumn",
        person_ids=[people[0]],
    )
    assert recorded.recorded == [people[0]]
    assert Delivery.objects.get().source == "versand"
