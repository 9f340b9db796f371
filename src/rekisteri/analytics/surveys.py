"""Feedback and satisfaction surveys (notice §4): sent to those who consented to research.

The invitation carries a signed link (ids only) that works without signing
in; the answer is stored as the person's feedback, under the source the policy
declares for survey answers. The purpose is the one the policy says serves surveys.
Who was invited is not kept apart from the audit trail: the survey counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.analytics.error_codes import AnalyticsCode
from rekisteri.analytics.models import Segment, Survey
from rekisteri.analytics.segments import SegmentDefinition, members_of, segment_figures
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rekisteri.policy.schema import PurposeUse, SourceRecord
from rekisteri.policy.selectors import (
    language_default,
    languages_offered,
    languages_phrase,
    policy_get,
)
from rekisteri.register.gate import ReadKind, people_gate, person_living, person_open_for
from rekisteri.register.selectors import feedback_given
from rekisteri.register.services import feedback_record

_SALT = "rekisteri.analytics.survey"
# An invitation can be answered for two months.
ANSWER_DAYS = 60
# Where an invitation is sent: the newest e-mail address of each member.
SURVEY_ADDRESS = "email_address.address"
SURVEY_PATHS = {"fi": "/kysely/", "en": "/en/survey/", "sv": "/sv/enkat/"}


def survey_theme(survey: Survey) -> str:
    return f"survey: {survey.name}"[:100]


def survey_token(person_id: int, survey_id: int) -> str:
    return signing.dumps([person_id, survey_id], salt=_SALT)


@dataclass(frozen=True)
class Invitation:
    person_id: int
    survey: Survey


def invitation_read(token: str) -> Invitation:
    try:
        person_id, survey_id = signing.loads(
            token[:300], salt=_SALT, max_age=ANSWER_DAYS * 24 * 3600
        )
    except signing.SignatureExpired:
        raise InvalidInput(
            "the survey link has expired",
            code=AnalyticsCode.SURVEY_LINK_EXPIRED,
            data={"field": "token"},
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput(
            "the survey link is not valid",
            code=AnalyticsCode.SURVEY_LINK_INVALID,
            data={"field": "token"},
        ) from None
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or not person_living(int(person_id)):
        raise NotFound("the survey is no longer open", code=AnalyticsCode.SURVEY_CLOSED)
    return Invitation(int(person_id), survey)


def survey_send(
    *, actor: Actor, segment_name: str, name: str, question: str, language: str = ""
) -> Survey:
    """E-mail the survey to the segment's members whose purpose stays open to them."""
    serving = policy_get().purposes_serving(PurposeUse.SURVEYS)
    held = [p for p in serving if p in actor.purposes]
    if not held:
        raise Forbidden(
            "surveys need the purpose that serves them, which this role does not hold",
            data={"purposes": serving},
        )
    segment = Segment.objects.filter(name=segment_name, purpose__in=held).first()
    if segment is None:
        raise NotFound("there is no segment of that name for the survey purpose", data={})
    purpose = segment.purpose
    name, question = name.strip(), question.strip()
    if not 1 <= len(name) <= 90:
        raise InvalidInput("name: 1 to 90 characters", data={"field": "name"})
    if not 1 <= len(question) <= 2000:
        raise InvalidInput("question: 1 to 2000 characters", data={"field": "question"})
    language = language or language_default()
    if language not in languages_offered():
        raise InvalidInput(f"language: {languages_phrase()}", data={"field": "language"})
    read = people_gate(
        actor=actor, purpose=purpose, kind=ReadKind.PROCESSING, fields=(SURVEY_ADDRESS,)
    )
    try:
        survey = Survey.objects.create(
            name=name,
            question=question,
            language=language,
            segment=segment,
            created_by=actor.id,
            created_at=clock.now(),
        )
    except IntegrityError:
        raise Conflict("a survey of that name was sent already", data={"field": "name"}) from None
    definition = SegmentDefinition.from_form(segment.definition)
    # The research purpose counts only people whose research consent stands; a survey
    # of fewer people than the threshold would not be anonymous research.
    segment_figures(actor=actor, definition=definition, purpose=purpose)
    members = members_of(definition, read)
    addresses = dict(
        sorted(
            (row["person_id"], row["value"])
            for row in read.addresses(SURVEY_ADDRESS, people=members)
        )
    )
    messages = []
    for pid, address in addresses.items():
        link = settings.REKISTERI_BASE_URL + SURVEY_PATHS[language] + survey_token(pid, survey.pk)
        with translation.override(language):
            text = render_to_string(
                f"analytics/email/survey_{language}.txt",
                {
                    "question": question,
                    "link": link,
                    "days": ANSWER_DAYS,
                    "controller": policy_get().controller.name,
                },
            )
        subject, _, body = text.strip().partition("\n")
        messages.append(
            EmailMessage(
                subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [address]
            )
        )
    sent = get_connection().send_messages(messages) or 0
    survey.sent_count = sent
    survey.save(update_fields=["sent_count"])
    read.record(list(addresses), data={"survey": survey.pk})
    return survey


@transaction.atomic
def survey_answer(*, token: str, rating: int | None, text: str) -> None:
    """Store the answer as the person's feedback, under the survey answers' source; once."""
    invitation = invitation_read(token)
    purpose = Segment.objects.get(pk=invitation.survey.segment_id).purpose
    theme = survey_theme(invitation.survey)
    if rating is None and not text.strip():
        raise InvalidInput("give a text, a rating or both", code=AnalyticsCode.SURVEY_ANSWER_EMPTY)
    if rating is not None and not 1 <= rating <= 5:
        raise InvalidInput(
            "rating: choose 1 to 5",
            code=AnalyticsCode.SURVEY_RATING_INVALID,
            data={"field": "rating"},
        )
    if len(text) > 5000:
        raise InvalidInput(
            "text: at most 5000 characters",
            code=AnalyticsCode.SURVEY_TEXT_TOO_LONG,
            data={"field": "text"},
        )
    if not person_open_for(person_id=invitation.person_id, purpose=purpose, lock=True):
        # Consent withdrawn, or processing restricted, since the invitation went.
        raise Conflict(
            "your answer was not stored: you have withdrawn your consent to surveys, "
            "or the processing of your data is restricted",
            code=AnalyticsCode.SURVEY_ANSWER_NOT_STORED,
        )
    if feedback_given(person_id=invitation.person_id, theme=theme):
        raise Conflict("you have answered this survey already", code=AnalyticsCode.SURVEY_ANSWERED)
    feedback_record(
        actor=Actor(ActorKind.SUBJECT, str(invitation.person_id), origin="survey"),
        person_id=invitation.person_id,
        source=policy_get().source_for(SourceRecord.SURVEY_ANSWERS),
        text=text,
        rating=rating,
        theme=theme,
    )
