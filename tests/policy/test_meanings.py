"""What a thing means is declared in the policy and checked at load, naming the key.

Purposes say which features they open (``serves``), sources what the register
writes under them (``records``), roles whether they handle data subject requests.
A description whose meanings cannot work is refused, every problem by line and key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rekisteri.consent.models import ConsentEvent
from rekisteri.policy.loader import PolicyError, parse_policy
from rekisteri.policy.schema import PurposeUse, SourceRecord
from rekisteri.rights import services as rs
from rekisteri.rights.models import RequestState
from tests.rights.conftest import DPO, Subject, aino

__all__ = ["aino"]


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the policy")


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the fixture edit {old!r} no longer matches the policy"
    return text.replace(old, new, 1)


def test_mainioco_declares_each_meaning_once(mainioco_text: str) -> None:
    policy = parse_policy(mainioco_text).policy

    assert policy.purposes_serving(PurposeUse.STATISTICS) == ["analytics"]
    assert policy.purposes_serving(PurposeUse.SEGMENTS) == ["analytics", "marketing", "research"]
    assert policy.source_for(SourceRecord.STAFF_ENTRIES) == "customer_service"
    assert policy.source_for(SourceRecord.SUBJECT_CHOICES) == "subject"
    assert policy.request_handler_roles() == ["dpo"]
    assert policy.categories_of("consent_event.scope", "person.restricted_since") == ["choices"]


HANDLER = "sees_restricted = true\n# Handles the data subject requests (Art. 12-22).\n"

# Each case: an edit, the key path the refusal names, words of its message, and the
# text of the line it points at.
BROKEN = [
    pytest.param(
        (HANDLER + "handles_requests = true\n", "sees_restricted = true\n"),
        "roles",
        "no role handles data subject requests",
        "[roles.customer_service]",
        id="no-one-handles-requests",
    ),
    pytest.param(
        (HANDLER, "# Handles the data subject requests (Art. 12-22).\n"),
        "roles.dpo.handles_requests",
        "must see restricted people",
        "handles_requests = true",
        id="handler-blind-to-restricted",
    ),
    pytest.param(
        (
            'en = "administrator" }\npurposes = ["identification", "fraud_prevention"]',
            'en = "administrator" }\npurposes = []',
        ),
        "roles.administrator",
        "grants no purpose and handles no requests",
        "[roles.administrator]",
        id="role-that-grants-nothing",
    ),
    pytest.param(
        ('serves = ["feedback_report"]', 'serves = ["campaign_report"]'),
        "purposes.feedback.serves[0]",
        "only a direct-marketing purpose",
        'serves = ["campaign_report"]',
        id="campaigns-without-direct-marketing",
    ),
    pytest.param(
        ('serves = ["feedback_report"]', 'serves = ["reports"]'),
        "purposes.feedback.serves[0]",
        "'statistics'",
        'serves = ["reports"]',
        id="unknown-feature",
    ),
    pytest.param(
        ('serves = ["surveys", "segments"]', 'serves = ["surveys"]'),
        "purposes.research.serves[0]",
        "also serves segments",
        'serves = ["surveys"]',
        id="surveys-without-segments",
    ),
    pytest.param(
        ('serves = ["statistics", "segments"]', 'serves = ["statistics", "segments", "surveys"]'),
        "purposes.research.serves",
        "only one purpose may serve surveys; 'analytics' does already",
        'serves = ["surveys", "segments"]',
        id="two-survey-purposes",
    ),
    pytest.param(
        ('records = ["survey_answers"]\n', ""),
        "sources",
        "no source records 'survey_answers' (purpose 'research' serves surveys)",
        "[sources.subject]",
        id="survey-answers-without-a-source",
    ),
    pytest.param(
        ('records = ["delivered_marketing"]', 'records = ["delivered_marketing", "staff_entries"]'),
        "sources.marketing.records[1]",
        "recorded under source 'customer_service' already",
        'records = ["delivered_marketing", "staff_entries"]',
        id="two-sources-for-one-record",
    ),
    pytest.param(
        ('records = ["subject_choices"]', 'records = ["staff_entries"]'),
        "sources.subject.records[0]",
        "of kind staff, not subject",
        'records = ["staff_entries"]',
        id="staff-entries-under-the-subject",
    ),
    pytest.param(
        ('sources = ["subject", "research"]', 'sources = ["subject"]'),
        "sources.research.records[0]",
        "writes 'survey_answers' under this source, but the category 'feedback' does not list it",
        'records = ["survey_answers"]',
        id="survey-answers-from-a-source-feedback-does-not-list",
    ),
]


@pytest.mark.parametrize(("edit", "path", "words", "line_text"), BROKEN)
def test_a_meaning_that_cannot_work_is_refused_naming_the_key_and_its_line(
    mainioco_text: str, edit: tuple[str, str], path: str, words: str, line_text: str
) -> None:
    broken = _replace(mainioco_text, *edit)
    expected_line = _line_of(broken, line_text)

    with pytest.raises(PolicyError) as refused:
        parse_policy(broken, source="broken.toml")

    message = refused.value.message
    assert f"broken.toml:{expected_line}: {path}: " in message
    assert words in message


def _without_direct_marketing(mainioco_text: str) -> str:
    text = _replace(
        mainioco_text, "direct_marketing = true\nlegitimate_interest", "legitimate_interest"
    )
    text = _replace(text, 'serves = ["campaign_report", "segments"]', 'serves = ["segments"]')
    return _replace(
        text, 'legal_basis = "consent"\ndirect_marketing = true\n', 'legal_basis = "consent"\n'
    )


@pytest.fixture
def no_marketing(settings: Any, tmp_path: Path, mainioco_text: str) -> None:
    """Mainioco's description with no direct marketing at all."""
    path = tmp_path / "no-marketing.toml"
    path.write_text(_without_direct_marketing(mainioco_text), encoding="utf-8")
    parse_policy(path.read_text(encoding="utf-8"))
    settings.REKISTERI_POLICY = path


def test_an_objection_to_direct_marketing_is_answered_where_nothing_is_marketed(
    no_marketing: None, aino: Subject
) -> None:
    request = rs.request_create(
        actor=DPO, person_id=aino.pk, kind="objection_direct_marketing", channel="letter"
    )

    assert request.state == RequestState.FULFILLED
    assert not ConsentEvent.objects.filter(person_id=aino.pk, action="objected").exists()


def test_the_choices_page_renders_where_nothing_is_marketed(
    no_marketing: None, aino: Subject
) -> None:
    client = Client()
    client.post(
        "/en/my/sign-in",
        {"method": "password", "username": "aino", "password": "kaunis lumi sataa hiljaa"},
    )

    page = client.get("/en/my/choices")

    assert page.status_code == 200
    assert "Prohibit all direct marketing" not in page.content.decode()
    assert "Consents" in page.content.decode()


def test_the_meanings_are_no_part_of_the_notice(mainioco_text: str) -> None:
    """Declaring what a thing means for the code makes no new notice version."""
    default = parse_policy(mainioco_text)
    fewer_features = _replace(mainioco_text, 'serves = ["feedback_report"]', "serves = []")
    other_words = _replace(mainioco_text, 'en = "customer service" }', 'en = "service desk" }')

    assert parse_policy(fewer_features).content_hash == default.content_hash
    # The notice's own words still make a new version.
    assert parse_policy(other_words).content_hash != default.content_hash
    assert "serves" not in default.canonical["purposes"]["feedback"]
    assert "records" not in default.canonical["sources"]["subject"]
    assert "handles_requests" not in default.canonical["roles"]["dpo"]
