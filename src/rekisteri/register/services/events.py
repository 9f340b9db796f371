"""What happens with a person, recorded as it happens: use of the service, contacts,
visits, feedback, service cases, content and data they gave."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction

from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.channels import ContactChannel, channel_parse
from rekisteri.core.errors import InvalidInput
from rekisteri.register import validation as v
from rekisteri.register.models import (
    ConsentedDatum,
    ContactEvent,
    Feedback,
    IdentityVerification,
    ServiceCase,
    UsageEvent,
    UserContent,
    WebVisit,
)
from rekisteri.register.services.writing import collected_require, person_row_add


@transaction.atomic
def usage_event_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    action: str,
    detail: str = "",
    occurred_at: dt.datetime | None = None,
) -> UsageEvent:
    return person_row_add(
        actor=actor,
        model=UsageEvent,
        person_id=person_id,
        source=source,
        action=v.clean_text(action, field="action", max_length=100),
        detail=v.clean_text(detail, field="detail", max_length=500, required=False),
        occurred_at=occurred_at or clock.now(),
    )


# The channels a contact happens by, as the one vocabulary names them.
CONTACT_CHANNELS = tuple(ContactChannel.values)


@transaction.atomic
def contact_event_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    channel: str,
    direction: str,
    summary: str = "",
    occurred_at: dt.datetime | None = None,
) -> ContactEvent:
    channel = channel_parse(channel, ContactChannel)
    if direction not in ("in", "out"):
        raise InvalidInput("direction: must be 'in' or 'out'", data={"field": "direction"})
    return person_row_add(
        actor=actor,
        model=ContactEvent,
        person_id=person_id,
        source=source,
        channel=channel,
        direction=direction,
        summary=v.clean_text(
            summary, field="summary", max_length=5000, required=False, multiline=True
        ),
        occurred_at=occurred_at or clock.now(),
    )


@transaction.atomic
def web_visit_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    ip_address: str,
    page: str,
    cookie_id: str = "",
    user_agent: str = "",
    occurred_at: dt.datetime | None = None,
) -> WebVisit:
    try:
        validate_ipv46_address(ip_address)
    except ValidationError:
        raise InvalidInput(
            "ip_address: is not an IPv4 or IPv6 address", data={"field": "ip_address"}
        ) from None
    return person_row_add(
        actor=actor,
        model=WebVisit,
        person_id=person_id,
        source=source,
        ip_address=ip_address,
        page=v.clean_text(page, field="page", max_length=500),
        cookie_id=v.clean_text(cookie_id, field="cookie_id", max_length=64, required=False),
        user_agent=v.clean_text(user_agent, field="user_agent", max_length=500, required=False),
        occurred_at=occurred_at or clock.now(),
    )


@transaction.atomic
def feedback_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    text: str = "",
    rating: int | None = None,
    theme: str = "",
    given_at: dt.datetime | None = None,
) -> Feedback:
    if not text.strip() and rating is None:
        raise InvalidInput("give a text, a rating or both")
    return person_row_add(
        actor=actor,
        model=Feedback,
        person_id=person_id,
        source=source,
        text=v.clean_text(text, field="text", max_length=5000, required=False, multiline=True),
        rating=v.clean_rating(rating) if rating is not None else None,
        theme=v.clean_text(theme, field="theme", max_length=100, required=False),
        given_at=given_at or clock.now(),
    )


@transaction.atomic
def service_case_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    subject: str,
    description: str = "",
    opened_at: dt.datetime | None = None,
) -> ServiceCase:
    return person_row_add(
        actor=actor,
        model=ServiceCase,
        person_id=person_id,
        source=source,
        subject=v.clean_text(subject, field="subject", max_length=200),
        description=v.clean_text(
            description, field="description", max_length=10000, required=False, multiline=True
        ),
        opened_at=opened_at or clock.now(),
    )


@transaction.atomic
def identity_verification_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    method: str,
    result: str,
    verified_at: dt.datetime | None = None,
) -> IdentityVerification:
    """Record how a person was identified; never a copy of an identity document."""
    collected_require(IdentityVerification, {"method": method, "result": result})
    if result not in VERIFICATION_RESULTS:
        raise InvalidInput(
            f"result: must be one of {', '.join(VERIFICATION_RESULTS)}", data={"field": "result"}
        )
    return person_row_add(
        actor=actor,
        model=IdentityVerification,
        person_id=person_id,
        source=source,
        method=v.clean_text(method, field="method", max_length=50),
        result=result,
        verified_at=verified_at or clock.now(),
    )


VERIFICATION_RESULTS = ("success", "failure")


@transaction.atomic
def user_content_add(
    *, actor: Actor, person_id: int, source: str, title: str, body: str = "", url: str = ""
) -> UserContent:
    collected_require(UserContent, {"title": title, "body": body, "url": url})
    return person_row_add(
        actor=actor,
        model=UserContent,
        person_id=person_id,
        source=source,
        title=v.clean_text(title, field="title", max_length=200),
        body=v.clean_text(body, field="body", max_length=20000, required=False, multiline=True),
        url=v.clean_url(url, field="url") if url else "",
    )


@transaction.atomic
def consented_datum_add(
    *, actor: Actor, person_id: int, source: str, label: str, value: str
) -> ConsentedDatum:
    """Keep a datum the person gave under a separate consent (notice §5, last item)."""
    collected_require(ConsentedDatum, {"label": label, "value": value})
    return person_row_add(
        actor=actor,
        model=ConsentedDatum,
        person_id=person_id,
        source=source,
        label=v.clean_text(label, field="label", max_length=100),
        value=v.clean_text(value, field="value", max_length=5000, multiline=True),
    )
