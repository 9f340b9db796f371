"""Recording consents, withdrawals and objections: events are appended, never rewritten."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record, audit_record_many
from rekisteri.consent.marketing import (
    Basis,
    MarketingChannel,
    channel_require,
    marketing_decisions,
    opt_out_read,
    own_marketing_purpose,
    purpose_require_direct_marketing,
)
from rekisteri.consent.models import ConsentAction, ConsentEvent, ConsentText
from rekisteri.consent.scopes import scope_name, scope_problem
from rekisteri.consent.selectors import consent_latest, direct_marketing_objections
from rekisteri.consent.transfers import TRANSFER_SCOPE_PREFIX, transfers_end_for_withdrawal
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.channels import ConsentChannel, channel_parse
from rekisteri.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PolicyRefusal
from rekisteri.policy.schema import SourceRecord
from rekisteri.policy.selectors import (
    language_default,
    languages_offered,
    languages_phrase,
    notice_version_current,
    policy_get,
)
from rekisteri.register.gate import person_living
from rekisteri.register.models import Delivery
from rekisteri.register.selectors import (
    people_refusals_record,
    person_not_found,
    person_refusal,
    purpose_require,
)
from rekisteri.register.services import collected_require, people_lock


class ConsentCode(StrEnum):
    UNKNOWN_SCOPE = "unknown_scope"


# Consent is given or withdrawn through one of these.
CHANNELS = tuple(ConsentChannel.values)
MAX_TEXT = 10_000


def scope_require(scope: str, action: ConsentAction | None = None) -> str:
    """Refuse a scope the policy does not list, or one ``action`` does not apply to."""
    problem = scope_problem(policy_get(), scope, action)
    if problem is not None:
        raise InvalidInput(
            f"scope: {problem}", code=ConsentCode.UNKNOWN_SCOPE, data={"field": "scope"}
        )
    return scope


def action_require(action: str) -> ConsentAction:
    try:
        return ConsentAction(action)
    except ValueError:
        raise InvalidInput(
            f"action: must be one of {', '.join(ConsentAction)}", data={"field": "action"}
        ) from None


def consent_text_hash(*, text: str, language: str) -> str:
    return hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()


def consent_text_store(*, text: str, language: str) -> str:
    """Keep a text people are shown, once; its hash is what each event refers to."""
    if not text.strip() or len(text) > MAX_TEXT:
        raise InvalidInput(
            f"text: give the text shown, at most {MAX_TEXT} characters", data={"field": "text"}
        )
    if language not in languages_offered():
        raise InvalidInput(f"language: {languages_phrase()}", data={"field": "language"})
    text_hash = consent_text_hash(text=text, language=language)
    ConsentText.objects.get_or_create(
        text_hash=text_hash,
        defaults={"language": language, "text": text, "first_shown_at": clock.now()},
    )
    return text_hash


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    person_id: int,
    scope: str,
    action: ConsentAction | str,
    channel: str,
    text: str = "",
    language: str = "",
    text_hash: str = "",
) -> ConsentEvent:
    """Append one choice of the person to the ledger, with the notice version in force.

    ``text`` is what the person was shown when they chose; it is stored once
    and the event refers to it by hash (Art. 7(1): the controller must be able
    to show what was agreed to).
    """
    chosen = action_require(action)
    scope = scope_name(scope)
    scope_require(scope, chosen)
    if chosen == ConsentAction.LIFTED and actor.kind == ActorKind.API_KEY:
        # Art. 21: only the person lifts their objection, on their own pages or in writing.
        raise Forbidden("an objection is lifted by the person only", data={"field": "action"})
    if text and chosen != ConsentAction.GRANTED:
        raise InvalidInput("text: only a consent comes with a text", data={"field": "text"})
    channel = channel_parse(channel, ConsentChannel)
    if not people_lock([person_id]):
        raise NotFound(f"there is no person {person_id}", data={"person_id": person_id})
    if chosen == ConsentAction.GRANTED and not (text or text_hash):
        raise InvalidInput(
            "text: a consent needs the text the person agreed to", data={"field": "text"}
        )
    if chosen == ConsentAction.LIFTED:
        latest = consent_latest(person_id=person_id, scopes=[scope])
        if latest is None or latest.action != ConsentAction.OBJECTED:
            raise Conflict("there is no objection to lift on this scope", data={"scope": scope})
    if text:
        text_hash = consent_text_store(text=text, language=language or language_default())
    version = notice_version_current()
    now = clock.now()
    event = ConsentEvent.objects.create(
        person_id=person_id,
        scope=scope,
        action=chosen,
        channel=channel,
        text_hash=text_hash,
        notice_version=version.number if version else None,
        occurred_at=now,
        stored_at=now,
        source=policy_get().source_for(
            SourceRecord.STAFF_ENTRIES
            if actor.kind == ActorKind.STAFF
            else SourceRecord.SUBJECT_CHOICES
        ),
    )
    audit_record(
        actor=actor,
        event=AuditEvent.CONSENT_CHANGED,
        person_id=person_id,
        categories=policy_get().categories_of("consent_event.scope"),
        data={"scope": scope, "action": str(chosen), "event": event.pk},
    )
    if chosen == ConsentAction.WITHDRAWN and scope.startswith(TRANSFER_SCOPE_PREFIX):
        # The transfer rested on this consent: it ends with it.
        transfers_end_for_withdrawal(actor=actor, person_id=person_id, scope=scope)
    return event


@transaction.atomic
def consent_choose(
    *,
    actor: Actor,
    person_id: int,
    scope: str,
    action: ConsentAction | str,
    channel: str,
    text: str = "",
    language: str = "",
) -> None:
    """A choice the person makes themself, with what it implies for their prohibitions.

    Lifting the prohibition of direct marketing as a whole lifts every purpose-wide
    one; allowing a channel lifts the person's own prohibitions of that channel.
    """
    chosen = action_require(action)
    objected = direct_marketing_objections(person_id=person_id)
    lifts: list[str] = []
    if chosen == ConsentAction.LIFTED:
        purpose_wide = scope == own_marketing_purpose()
        lifts = [s for s in objected if ":" not in s] if purpose_wide else [scope]
    elif chosen == ConsentAction.GRANTED and ":" in scope:
        lifts = [s for s in objected if s.endswith(":" + scope.partition(":")[2])]
    for lifted in lifts:
        consent_record(
            actor=actor,
            person_id=person_id,
            scope=lifted,
            action=ConsentAction.LIFTED,
            channel=channel,
        )
    if chosen != ConsentAction.LIFTED:
        consent_record(
            actor=actor,
            person_id=person_id,
            scope=scope,
            action=chosen,
            channel=channel,
            text=text,
            language=language,
        )


@dataclass(frozen=True)
class OptedOut:
    purpose: str
    channel: MarketingChannel
    everywhere: bool
    # False when the person had already opted out, or is no longer in the register.
    recorded: bool


def marketing_opt_out(*, actor: Actor, token: str, everywhere: bool = False) -> OptedOut:
    """The link in every message: stop direct marketing on its channel, or on all.

    Recorded as an objection (Art. 21(3)), which no consent overrides. Used
    twice, it records nothing new; for a forgotten person it does nothing, as
    there is nothing left to market to.
    """
    found = opt_out_read(token)
    scope = found.purpose if everywhere else f"{found.purpose}:{found.channel}"
    alive = person_living(found.person_id)
    latest = consent_latest(person_id=found.person_id, scopes=[scope]) if alive else None
    recorded = alive and (latest is None or latest.action != ConsentAction.OBJECTED)
    if recorded:
        consent_record(
            actor=actor,
            person_id=found.person_id,
            scope=scope,
            action=ConsentAction.OBJECTED,
            channel="email",
        )
    return OptedOut(found.purpose, found.channel, everywhere, recorded)


MAX_DELIVERIES = 1000


# What a caller is told of a person not recorded: a campaign that already reached
# someone it may market to, or nothing (unknown, restricted, objected, no consent, no
# address all read the same, so that the answer says nothing of a person the caller
# may not market to).
ALREADY_SENT = "already_sent"
NOT_FOUND = "not_found"


@dataclass
class DeliveriesRecorded:
    recorded: list[int] = field(default_factory=list)
    # Person id -> ALREADY_SENT or NOT_FOUND, never the marketing rule that refused.
    refused: dict[int, str] = field(default_factory=dict)
    # Person id -> the delivery row recorded for them.
    delivery_ids: dict[int, int] = field(default_factory=dict)
    # Person id -> the rule that refused them: for the audit trail only.
    reasons: dict[int, str] = field(default_factory=dict)


# A message's time may lag (a batch reported later), never lead: the future is refused.
SENT_AT_SLACK = dt.timedelta(minutes=5)


def _deliveries(
    *,
    actor: Actor,
    purpose: str,
    channel: str,
    campaign: str,
    person_ids: list[int],
    sent_at: dt.datetime | None,
) -> DeliveriesRecorded:
    purpose_require_direct_marketing(purpose)
    # The purpose gate's check: only a caller that holds the purpose may market for it.
    purpose_require(actor=actor, purpose=purpose)
    chosen = channel_require(channel)
    campaign = campaign.strip()
    if not campaign or len(campaign) > 100:
        raise InvalidInput("campaign: 1 to 100 characters", data={"field": "campaign"})
    unique = sorted(set(person_ids))
    if not unique or len(unique) > MAX_DELIVERIES:
        raise InvalidInput(
            f"person_ids: 1 to {MAX_DELIVERIES} people at a time", data={"field": "person_ids"}
        )
    when = sent_at or clock.now()
    if when > clock.now() + SENT_AT_SLACK:
        raise InvalidInput("sent_at: a message cannot have been sent in the future")
    collected_require(Delivery, {"channel": str(chosen), "campaign": campaign, "sent_at": when})
    # Locked before the rules are read: no delivery is stored for a person erased meanwhile.
    people_lock(unique)
    decisions = marketing_decisions(purpose=purpose, channel=chosen, person_ids=unique)
    # A campaign reaches a person once per channel: a retry records nothing twice.
    already = set(
        Delivery.objects.filter(
            person_id__in=unique, campaign=campaign, channel=str(chosen)
        ).values_list("person_id", flat=True)
    )
    result = DeliveriesRecorded()
    source = policy_get().source_for(SourceRecord.MARKETING_DELIVERIES)
    rows = []
    for pid in unique:
        decision = decisions.get(pid)
        if not isinstance(decision, Basis):
            result.refused[pid] = NOT_FOUND
            result.reasons[pid] = str(decision or NOT_FOUND)
        elif pid in already:
            result.refused[pid] = ALREADY_SENT
        else:
            result.recorded.append(pid)
            rows.append(
                Delivery(
                    person_id=pid,
                    channel=str(chosen),
                    campaign=campaign,
                    sent_at=when,
                    stored_at=clock.now(),
                    source=source,
                )
            )
    for row in Delivery.objects.bulk_create(rows):
        result.delivery_ids[row.person_id] = row.pk
    if result.recorded:
        audit_record_many(
            actor=actor,
            event=AuditEvent.PERSON_CHANGED,
            person_ids=result.recorded,
            categories=policy_get().categories_of("delivery.campaign"),
            purpose=purpose,
            data={"delivery": "recorded", "campaign": campaign, "channel": str(chosen)},
        )
    return result


@transaction.atomic
def deliveries_record(
    *,
    actor: Actor,
    purpose: str,
    channel: str,
    campaign: str,
    person_ids: list[int],
    sent_at: dt.datetime | None = None,
) -> DeliveriesRecorded:
    """Record that a message was sent to each person, if the rules still allow it.

    The rules are applied again at sending time: someone who objected or was
    restricted after the audience was drawn is refused, not recorded. The
    caller must hold the purpose; each refusal is audited with its reason,
    which the answer does not carry.
    """
    result = _deliveries(
        actor=actor,
        purpose=purpose,
        channel=channel,
        campaign=campaign,
        person_ids=person_ids,
        sent_at=sent_at,
    )
    people_refusals_record(
        actor=actor,
        purpose=purpose,
        refused=result.reasons,
        data={"delivery": "refused", "campaign": campaign.strip(), "channel": channel},
    )
    return result


@transaction.atomic
def delivery_record(
    *,
    actor: Actor,
    purpose: str,
    channel: str,
    campaign: str,
    person_id: int,
    sent_at: dt.datetime | None = None,
) -> Delivery:
    """Record one message sent to one person, if the rules allow it; a person they do not
    allow is answered as one who does not exist (the refusal is audited, with its reason)."""
    result = _deliveries(
        actor=actor,
        purpose=purpose,
        channel=channel,
        campaign=campaign,
        person_ids=[person_id],
        sent_at=sent_at,
    )
    if person_id in result.reasons:
        raise person_refusal(
            person_not_found(person_id),
            actor=actor,
            purpose=purpose,
            person_id=person_id,
            why=result.reasons[person_id],
            data={"delivery": "refused", "campaign": campaign.strip(), "channel": channel},
        )
    if person_id not in result.delivery_ids:
        raise PolicyRefusal(
            "this campaign already reached the person on this channel",
            data={"reason": ALREADY_SENT},
        )
    return Delivery.objects.get(pk=result.delivery_ids[person_id])
