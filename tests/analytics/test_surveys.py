"""Surveys reach only those who consented to research; answers become their feedback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from rekisteri.analytics.segments import SegmentDefinition, segment_save
from rekisteri.analytics.surveys import SURVEY_PATHS
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.register.models import EmailAddress, Feedback
from tests import policy_keys as keys
from tests.analytics.people import person
from tests.conftest import SmtpInbox

pytestmark = pytest.mark.django_db
RESEARCHER = Actor(ActorKind.STAFF, "4", purposes=frozenset({keys.survey_purpose()}))


def someone(*, consents: bool) -> str:
    """A Kuopio customer, with or without a research consent; their e-mail address."""
    pid = person(research=consents)
    return EmailAddress.objects.get(person_id=pid).address


def test_a_survey_reaches_the_consenting_and_an_answer_is_stored_once_as_feedback(
    smtp: SmtpInbox, tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Any
) -> None:
    # One more than the smallest cell the policy shows: the segment's released size
    # must not wobble under the threshold here.
    settings.REKISTERI_ANALYTICS_NOISE = 0
    size = keys.policy().anonymisation.min_cell_size + 1
    consenting = [someone(consents=True) for _ in range(size)]
    others = [someone(consents=False) for _ in range(2)]
    segment_save(
        actor=RESEARCHER,
        name="Kuopio",
        purpose=keys.survey_purpose(),
        definition=SegmentDefinition.from_form({"consented_to": keys.survey_purpose()}),
    )
    question = tmp_path / "kysymys.txt"
    question.write_text("Kuinka tyytyväinen olet raportteihin?", encoding="utf-8")
    call_command(
        "survey", "send", "--segment", "Kuopio", "--name", "Syksy 2026",
        "--question-file", str(question),
    )  # fmt: skip
    assert f"sent to {size} people" in capsys.readouterr().out
    assert sorted(a for m in smtp.messages for a in [str(m["To"])]) == sorted(consenting)
    assert all(smtp.to(a) == [] for a in others)

    body = smtp.body(smtp.to(consenting[0])[0])
    assert "Kuinka tyytyväinen olet raportteihin?" in body
    # The link to the survey page in the person's language (the register's own here).
    survey_path = re.escape(SURVEY_PATHS[keys.language()])
    path = re.search(rf"https?://[^/\s]+({survey_path}\S+)", body).group(1)  # type: ignore[union-attr]
    client = Client()
    page = client.get(path)
    assert "Kuinka tyytyväinen" in page.content.decode()
    answered = client.post(path, {"rating": "4", "text": "Hyvät, mutta hitaat."})
    assert answered.status_code == 200
    feedback = Feedback.objects.get()
    assert (feedback.source, feedback.rating, feedback.theme) == (
        keys.survey_source(),
        4,
        "survey: Syksy 2026",
    )
    assert client.post(path, {"rating": "5"}).status_code == 409
    assert client.post(path[:-4] + "abcd", {"rating": "5"}).status_code == 400
    assert Feedback.objects.count() == 1

    # A rating off the scale, or an answer far too long, is refused, not bent to fit.
    second = re.search(  # type: ignore[union-attr]
        rf"https?://[^/\s]+({survey_path}\S+)", smtp.body(smtp.to(consenting[1])[0])
    ).group(1)
    assert client.post(second, {"rating": "-1"}).status_code == 400
    assert client.post(second, {"rating": "٣"}).status_code == 400
    assert client.post(second, {"text": "x" * 5001}).status_code == 400
    # Consent withdrawn since the invitation: the answer is not stored.
    pid = EmailAddress.objects.get(address=consenting[1]).person_id
    consent_record(
        actor=SYSTEM,
        person_id=pid,
        scope=keys.survey_purpose(),
        action="withdrawn",
        channel="portal",
    )
    refused = client.post(second, {"rating": "3"})
    assert refused.status_code == 409
    assert Feedback.objects.count() == 1

    with pytest.raises(CommandError, match="sent already"):
        call_command(
            "survey", "send", "--segment", "Kuopio", "--name", "Syksy 2026",
            "--question-file", str(question),
        )  # fmt: skip
    assert len(smtp.messages) == size
