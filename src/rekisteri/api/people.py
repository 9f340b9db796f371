"""People, their contact data, customerships and events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictStr

from rekisteri.api import schemas as s
from rekisteri.api.api import ERRORS, NOT_COLLECTED, actor_for, idempotent
from rekisteri.consent.marketing import marketing_purpose_of
from rekisteri.consent.services import delivery_record
from rekisteri.core.actors import Actor
from rekisteri.register import selectors, services
from rekisteri.register.models import Delivery
from rekisteri.register.selectors import EVENT_KINDS, person_access_for_act
from rekisteri.staff.keys import Scope

router = Router(tags=["people"])


def _errors(*statuses: int) -> dict[int, type[s.ErrorOut]]:
    return dict.fromkeys(statuses or ERRORS, s.ErrorOut)


class PurposeQuery(Schema):
    purpose: Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class EventsQuery(PurposeQuery):
    kind: Annotated[StrictStr, Field(pattern="^(" + "|".join(EVENT_KINDS) + ")$")] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=10**9)] = 0


def _address(address: s.AddressIn | None) -> services.AddressIn | None:
    if address is None:
        return None
    return services.AddressIn(
        address.street_address, address.postal_code, address.city, address.country
    )


@router.post(
    "",
    response={201: s.CreatedOut, **_errors()},
    summary="Register a person",
    description=NOT_COLLECTED,
)
def person_create(request: HttpRequest, payload: s.PersonCreateIn) -> Status[dict[str, Any]]:
    actor = actor_for(request, Scope.PEOPLE_WRITE)

    def write() -> dict[str, Any]:
        organisation = payload.organisation
        person = services.person_register(
            actor=actor,
            source=payload.source,
            person=services.PersonIn(
                first_name=payload.first_name,
                last_name=payload.last_name,
                email=payload.email,
                phone=payload.phone,
                address=_address(payload.address),
                personal_identity_code=payload.personal_identity_code,
                birth_year=payload.birth_year,
                gender=payload.gender,
                job_title=payload.job_title,
                organisation=(
                    services.OrganisationIn(
                        organisation.name,
                        organisation.business_id,
                        organisation.website,
                        organisation.title,
                    )
                    if organisation
                    else None
                ),
            ),
            username=payload.account.username if payload.account else None,
            password=payload.account.password if payload.account else None,
        )
        return {"id": person.pk}

    return idempotent(request, payload.model_dump(mode="json"), write)


@router.post("/lookup", response={200: s.PersonOut, **_errors()}, summary="Read a person by e-mail")
def person_lookup(request: HttpRequest, payload: s.LookupIn) -> dict[str, Any]:
    """The e-mail travels in the body, never in the URL."""
    actor = actor_for(request, Scope.PEOPLE_READ)
    access = selectors.person_access_by_email(
        actor=actor, purpose=payload.purpose, email=payload.email
    )
    return selectors.person_view(access)


@router.get(
    "/{person_id}", response={200: s.PersonOut, **_errors()}, summary="Read a person for a purpose"
)
def person_read(
    request: HttpRequest, person_id: s.PathId, query: Query[PurposeQuery]
) -> dict[str, Any]:
    actor = actor_for(request, Scope.PEOPLE_READ)
    access = selectors.person_access(actor=actor, purpose=query.purpose, person_id=person_id)
    return selectors.person_view(access)


@router.get(
    "/{person_id}/data",
    response={200: dict[str, list[dict[str, Any]]], **_errors()},
    summary="Read all of a person's data that a purpose opens, by policy category",
)
def person_data_read(
    request: HttpRequest, person_id: s.PathId, query: Query[PurposeQuery]
) -> dict[str, list[dict[str, Any]]]:
    actor = actor_for(request, Scope.PEOPLE_READ)
    access = selectors.person_access(actor=actor, purpose=query.purpose, person_id=person_id)
    return selectors.person_data(access)


@router.patch(
    "/{person_id}/contact",
    response={200: s.CreatedOut, **_errors()},
    summary="Update contact data for a purpose that covers them",
    description=(
        "The key must hold the named purpose, and the policy must let that purpose "
        "change contact details. A new e-mail address is stored at once; the portal's "
        "sign-in links go to it only after the person confirms it from a link sent "
        "there, and the person's previous address is told, with a link that undoes it. "
        + NOT_COLLECTED
    ),
)
def contact_update(
    request: HttpRequest,
    person_id: s.PathId,
    query: Query[PurposeQuery],
    payload: s.ContactUpdateIn,
) -> Status[dict[str, Any]]:
    actor = actor_for(request, Scope.PEOPLE_WRITE)

    def write() -> dict[str, Any]:
        # Through the gate first: a person the purpose may not read (restricted,
        # objecting) is no one to change, answered as an unknown id and audited.
        person_access_for_act(actor=actor, purpose=query.purpose, person_id=person_id)
        person = services.person_contact_update(
            actor=actor,
            person_id=person_id,
            source=payload.source,
            purpose=query.purpose,
            email=payload.email,
            phone=payload.phone,
            address=_address(payload.address),
        )
        return {"id": person.pk}

    return idempotent(
        request, {**payload.model_dump(mode="json"), "purpose": query.purpose}, write, status=200
    )


@router.post(
    "/{person_id}/customerships",
    response={201: s.CreatedOut, **_errors()},
    summary="Start a customership",
)
def customership_start(
    request: HttpRequest, person_id: s.PathId, payload: s.CustomershipStartIn
) -> Status[dict[str, Any]]:
    actor = actor_for(request, Scope.PEOPLE_WRITE)

    def write() -> dict[str, Any]:
        person_access_for_act(actor=actor, person_id=person_id, data={"write": "customership"})
        customership = services.customership_start(
            actor=actor, person_id=person_id, source=payload.source, started_on=payload.started_on
        )
        return {"id": customership.pk}

    return idempotent(request, payload.model_dump(mode="json"), write)


@router.post(
    "/{person_id}/customerships/{customership_id}/end",
    response={200: s.CreatedOut, **_errors()},
    summary="End a customership",
)
def customership_end(
    request: HttpRequest,
    person_id: s.PathId,
    customership_id: s.PathId,
    payload: s.CustomershipEndIn,
) -> Status[dict[str, Any]]:
    actor = actor_for(request, Scope.PEOPLE_WRITE)

    def write() -> dict[str, Any]:
        customership = services.customership_end(
            actor=actor,
            person_id=person_id,
            customership_id=customership_id,
            ended_on=payload.ended_on,
            reason=payload.reason,
        )
        return {"id": customership.pk}

    return idempotent(request, payload.model_dump(mode="json"), write, status=200)


@router.get(
    "/{person_id}/events",
    response={200: s.EventPageOut, **_errors()},
    summary="List a person's events, newest first",
)
def events_list(
    request: HttpRequest, person_id: s.PathId, query: Query[EventsQuery]
) -> selectors.EventPage:
    actor = actor_for(request, Scope.EVENTS_READ)
    access = selectors.person_access(actor=actor, purpose=query.purpose, person_id=person_id)
    return selectors.person_events(access, kind=query.kind, limit=query.limit, offset=query.offset)


def _event_route(path: str, schema: type[s.In], record: Any, summary: str) -> None:
    """One POST route per event kind, each with its own schema in the OpenAPI."""

    def handler(request: HttpRequest, person_id: s.PathId, payload: Any) -> Status[dict[str, Any]]:
        actor = actor_for(request, Scope.EVENTS_WRITE)
        fields = payload.model_dump()

        def write() -> dict[str, Any]:
            row = record(actor=actor, person_id=person_id, **fields)
            return {"id": row.pk}

        return idempotent(request, payload.model_dump(mode="json"), write)

    handler.__annotations__["payload"] = schema
    handler.__name__ = f"event_{path.replace('-', '_')}"
    router.post(
        f"/{{person_id}}/events/{path}",
        response={201: s.CreatedOut, **_errors()},
        summary=summary,
        description=NOT_COLLECTED,
        operation_id=handler.__name__,
    )(handler)


_event_route("usage", s.UsageIn, services.usage_event_record, "Record a service usage event")
_event_route("contact", s.ContactIn, services.contact_event_record, "Record a contact")
_event_route("web-visits", s.WebVisitIn, services.web_visit_record, "Record a web visit")


def _delivery_by_the_rules(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    channel: str,
    campaign: str,
    sent_at: dt.datetime | None = None,
) -> Delivery:
    """A delivery is recorded only where the marketing rules allow it (as /marketing/deliveries),
    for a direct-marketing purpose the key holds; anyone else reads as no one."""
    services.source_require(
        source, services.model_fields_named(Delivery, ("channel", "campaign", "sent_at"))
    )
    return delivery_record(
        actor=actor,
        purpose=marketing_purpose_of(actor),
        channel=channel,
        campaign=campaign,
        person_id=person_id,
        sent_at=sent_at,
    )


_event_route(
    "deliveries",
    s.DeliveryIn,
    _delivery_by_the_rules,
    "Record a marketing delivery (checked against the marketing rules)",
)
_event_route("payments", s.PaymentIn, services.payment_record, "Record a payment")
_event_route("invoices", s.InvoiceIn, services.invoice_record, "Record an invoice")
_event_route("feedback", s.FeedbackIn, services.feedback_record, "Record feedback")
_event_route("service-cases", s.ServiceCaseIn, services.service_case_record, "Open a service case")
