"""Consents, marketing audiences and deliveries, and web site visitors' cookie choices."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictStr

from rekisteri.api import schemas as s
from rekisteri.api.api import ERRORS, actor_for, idempotent
from rekisteri.consent import cookies, marketing, selectors, services
from rekisteri.consent.models import ConsentAction
from rekisteri.core.errors import Forbidden, NotFound
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import languages_offered
from rekisteri.register.selectors import person_access
from rekisteri.staff.keys import Scope

router = Router(tags=["consent and marketing"])

Purpose = Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
Channel = s.MarketingChannelIn


def _errors() -> dict[int, type[s.ErrorOut]]:
    return dict.fromkeys(ERRORS, s.ErrorOut)


class AudienceQuery(Schema):
    purpose: Purpose
    channel: Channel
    after: Annotated[int, Field(ge=0, le=2**62)] = 0
    limit: Annotated[int, Field(ge=1, le=5000)] = 1000


class RecipientOut(Schema):
    person_id: int
    first_name: str
    last_name: str
    address: str
    basis: str
    opt_out_url: str


class AudiencePageOut(Schema):
    people: list[RecipientOut]
    # Pass as `after` for the next page; null when this was the last.
    next_after: int | None


@router.get(
    "/marketing/audience",
    response={200: AudiencePageOut, **_errors()},
    summary="Who may be marketed to on a channel, page by page",
)
def audience(request: HttpRequest, query: Query[AudienceQuery]) -> dict[str, Any]:
    """Everyone the rules allow (restriction, objection, consent, the Information Society
    Code's rules on e-mail and SMS), in id order; each person comes with why (`basis`) and
    the opt-out link the message must carry. Each person handed out is audited as read."""
    actor = actor_for(request, Scope.MARKETING)
    page = marketing.audience_page(
        actor=actor,
        purpose=query.purpose,
        channel=query.channel,
        after=query.after,
        limit=query.limit,
    )
    return {
        "people": page,
        "next_after": page[-1].person_id if len(page) == query.limit else None,
    }


class DeliveriesIn(s.In):
    purpose: Purpose
    channel: Channel
    campaign: s.Text100
    person_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=2**62)]], Field(min_length=1, max_length=1000)
    ]
    sent_at: s.Moment | None = None


class DeliveriesOut(Schema):
    recorded: list[int]
    # Person id -> "already_sent" (this campaign reached them on this channel before) or
    # "not_found": no one the key may market to on this channel has that id. Why someone
    # may not be marketed to is not said.
    refused: dict[int, str]


@router.post(
    "/marketing/deliveries",
    response={201: DeliveriesOut, **_errors()},
    summary="Record messages sent; the rules are checked again first",
)
def deliveries(request: HttpRequest, payload: DeliveriesIn) -> Status[dict[str, Any]]:
    """The key must hold the purpose, a direct-marketing purpose of the policy."""
    actor = actor_for(request, Scope.MARKETING)

    def write() -> dict[str, Any]:
        result = services.deliveries_record(
            actor=actor,
            purpose=payload.purpose,
            channel=payload.channel,
            campaign=payload.campaign,
            person_ids=payload.person_ids,
            sent_at=payload.sent_at,
        )
        return {"recorded": result.recorded, "refused": result.refused}

    return idempotent(request, payload.model_dump(mode="json"), write)


class ConsentQuery(Schema):
    purpose: Purpose


class ConsentEventOut(Schema):
    scope: str
    action: str
    channel: str
    occurred_at: Any
    notice_version: int | None


class ConsentsOut(Schema):
    # The latest choice on each scope: what holds now.
    current: dict[str, str]
    history: list[ConsentEventOut]


@router.get(
    "/people/{person_id}/consents",
    response={200: ConsentsOut, **_errors()},
    summary="A person's consents and prohibitions, now and in history",
)
def consents_read(
    request: HttpRequest, person_id: s.PathId, query: Query[ConsentQuery]
) -> dict[str, Any]:
    actor = actor_for(request, Scope.PEOPLE_READ)
    access = person_access(actor=actor, purpose=query.purpose, person_id=person_id)
    if not access.may_see("consent_event.scope"):
        raise NotFound(
            "the purpose does not open the person's choices", data={"purpose": query.purpose}
        )
    state = selectors.consent_state(person_id=person_id)
    return {
        "current": {scope: str(e.action) for scope, e in sorted(state.items())},
        "history": selectors.consent_history(person_id=person_id),
    }


class ConsentIn(s.In):
    scope: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    action: Literal["granted", "withdrawn", "objected", "lifted"]
    # The words the person agreed to, as they saw them; needed for "granted".
    text: Annotated[StrictStr, Field(min_length=1, max_length=10_000)] | None = None
    # Any language the policy offers; without it, the register's default one.
    language: Language | None = None


@router.post(
    "/people/{person_id}/consents",
    response={201: s.CreatedOut, **_errors()},
    summary="Append a choice the person made in the calling system",
)
def consent_create(
    request: HttpRequest, person_id: s.PathId, payload: ConsentIn
) -> Status[dict[str, Any]]:
    actor = actor_for(request, Scope.PEOPLE_WRITE)
    if payload.scope.partition(":")[0] not in actor.purposes:
        raise Forbidden(
            "this API key may not record choices for that purpose", data={"field": "scope"}
        )

    def write() -> dict[str, Any]:
        event = services.consent_record(
            actor=actor,
            person_id=person_id,
            scope=payload.scope,
            action=ConsentAction(payload.action),
            channel="api",
            text=payload.text or "",
            language=payload.language or languages_offered()[0],
        )
        return {"id": event.pk}

    return idempotent(request, payload.model_dump(mode="json"), write)


class CookieChoiceOut(Schema):
    categories: list[str]
    decided_at: Any
    notice_version: int | None
    gpc: bool
    # False after 12 months or a change of the cookie notice: ask the visitor again.
    in_force: bool


@router.get(
    "/cookie-consents/{visitor_id}",
    response={200: CookieChoiceOut, **_errors()},
    summary="A web site visitor's current cookie choice",
)
def cookie_choice(request: HttpRequest, visitor_id: str) -> Any:
    actor_for(request, Scope.COOKIES_READ)
    choice = cookies.cookie_choice_current(visitor_id=visitor_id[:64])
    if choice is None:
        raise NotFound("this visitor has made no choice", data={})
    return choice
