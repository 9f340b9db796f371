"""Data subject requests filed by an integrating system for a person it authenticated."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, StrictInt, StrictStr, model_validator

from rekisteri.api import schemas as s
from rekisteri.api.api import ERRORS, actor_for, idempotent
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import languages_offered
from rekisteri.register.selectors import PersonIdentifier
from rekisteri.rights.models import RightKind, SubjectRequest
from rekisteri.rights.selectors import request_get
from rekisteri.rights.services import request_file_by_client
from rekisteri.staff.keys import Scope

router = Router(tags=["requests"])


def _errors(*statuses: int) -> dict[int, type[s.ErrorOut]]:
    return dict.fromkeys(statuses or ERRORS, s.ErrorOut)


class RectifiedAddressIn(s.In):
    street_address: s.Text200
    postal_code: Annotated[StrictStr, Field(min_length=1, max_length=10)]
    city: s.Text100


class RequestDetailsIn(s.In):
    """What is asked: a rectification's proposed contact data, and the person's reason."""

    email: Annotated[StrictStr, Field(min_length=3, max_length=254)] | None = None
    phone: Annotated[StrictStr, Field(min_length=1, max_length=32)] | None = None
    address: RectifiedAddressIn | None = None
    reason: Annotated[StrictStr, Field(max_length=500)] | None = None


class RequestCreateIn(s.In):
    """The person by exactly one of: the register's id, an e-mail address on file, or the
    username or external id of their account. An erasure names them by one the calling
    system authenticated (email, username or external_id), never by the register's id."""

    person_id: Annotated[StrictInt, Field(ge=1, le=2**62)] | None = None
    email: Annotated[StrictStr, Field(min_length=3, max_length=254)] | None = None
    username: Annotated[StrictStr, Field(min_length=1, max_length=150)] | None = None
    external_id: Annotated[StrictStr, Field(min_length=1, max_length=100)] | None = None
    kind: RightKind
    # Any language the policy offers; without it, the register's default one.
    language: Language | None = None
    details: RequestDetailsIn | None = None

    @model_validator(mode="after")
    def _one_person_and_details_that_fit(self) -> RequestCreateIn:
        given = [self.person_id, self.email, self.username, self.external_id]
        if sum(value is not None for value in given) != 1:
            raise ValueError(
                "give the person as person_id, email, username or external_id, exactly one"
            )
        details = self.details
        proposes = details is not None and (
            details.email is not None or details.phone is not None or details.address is not None
        )
        if proposes and self.kind != RightKind.RECTIFICATION:
            # Dropping them silently would lose what the person asked for.
            raise ValueError("details: email, phone and address belong to a rectification")
        return self


class RequestOut(Schema):
    id: int
    kind: str
    # received, verified, review (waits for the data protection officer), fulfilled, rejected.
    state: str
    received_on: dt.date
    due_on: dt.date
    duplicate_of: int | None
    extended: bool


def _state(found: SubjectRequest) -> dict[str, Any]:
    # Plain JSON: an idempotent write stores this answer to replay it.
    return {
        "id": found.pk,
        "kind": found.kind,
        "state": found.state,
        "received_on": found.received_on.isoformat(),
        "due_on": found.due_on.isoformat(),
        "duplicate_of": found.duplicate_of_id,
        "extended": found.extended_at is not None,
    }


@router.post("", response={201: RequestOut, **_errors()}, summary="File a data subject request")
def request_file(request: HttpRequest, payload: RequestCreateIn) -> Status[dict[str, Any]]:
    """The calling system has authenticated the person itself (its own sign-in). An
    erasure reaches only a person the key's purposes may read, and waits for the data
    protection officer's review (state "review") unless the register's policy says
    this system's erasures need none."""
    actor = actor_for(request, Scope.REQUESTS_WRITE)

    def write() -> dict[str, Any]:
        identified = payload.person_id is None
        filed = request_file_by_client(
            actor=actor,
            kind=payload.kind,
            person_id=payload.person_id,
            identifier=(
                PersonIdentifier(
                    email=payload.email, username=payload.username, external_id=payload.external_id
                )
                if identified
                else None
            ),
            language=payload.language or languages_offered()[0],
            details=payload.details.model_dump(exclude_none=True) if payload.details else None,
        )
        return _state(filed)

    return idempotent(request, payload.model_dump(mode="json"), write)


@router.get(
    "/{request_id}",
    response={200: RequestOut, **_errors()},
    summary="Read the state of a request this key filed",
)
def request_read(request: HttpRequest, request_id: s.PathId) -> dict[str, Any]:
    actor = actor_for(request, Scope.REQUESTS_WRITE)
    # Another filer's request looks exactly like one that does not exist.
    return _state(request_get(request_id=request_id, filed_by=actor))
