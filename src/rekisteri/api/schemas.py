"""The shapes of the API's requests and answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    model_validator,
)

from rekisteri.core.channels import ContactChannel, MarketingChannel, channel_name
from rekisteri.core.text import UNSTORABLE

Text100 = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Text200 = Annotated[StrictStr, Field(min_length=1, max_length=200)]
SourceKey = Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
# Ids in the path arrive as text; the range keeps them within a bigint.
PathId = Annotated[int, Field(ge=1, le=2**62)]


def _in_range(value: dt.date) -> dt.date:
    # Far ends of the calendar overflow time zone arithmetic; no register event is there.
    year = value.year
    if not 1900 <= year <= 2100:
        raise ValueError("must be between the years 1900 and 2100")
    return value


Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
Day = Annotated[dt.date, AfterValidator(_in_range)]
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2, ge=-(10**9), le=10**9)]


def _channel_word(value: object) -> object:
    """A channel's former name read as today's; anything else is the enum's to judge."""
    return channel_name(value) if isinstance(value, str) else value


# A channel by its one name; an older client's former name ("post") is still accepted,
# and every answer says the one name.
MarketingChannelIn = Annotated[MarketingChannel, BeforeValidator(_channel_word)]
ContactChannelIn = Annotated[ContactChannel, BeforeValidator(_channel_word)]


def _storable(value: Any) -> Any:
    if isinstance(value, str) and UNSTORABLE.search(value):
        raise ValueError("contains characters that cannot be stored (NUL or a lone surrogate)")
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


class In(Schema):
    # Unknown keys are refused, not silently dropped: a typo must not lose data.
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _only_storable_text(cls, data: Any) -> Any:
        # JSON can carry NUL and lone surrogates; no database stores them.
        return _storable(data)


class ErrorOut(Schema):
    code: str
    message: str
    data: dict[str, Any]


class CreatedOut(Schema):
    id: int


class AddressIn(In):
    street_address: Text200
    postal_code: Annotated[StrictStr, Field(min_length=1, max_length=10)]
    city: Text100
    # The controller's country when left out.
    country: Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")] | None = None


class AccountIn(In):
    username: Annotated[StrictStr, Field(min_length=1, max_length=150)]
    password: Annotated[StrictStr, Field(min_length=12, max_length=200)]


class OrganisationIn(In):
    name: Text200
    business_id: Annotated[StrictStr, Field(max_length=40)] | None = None
    website: Annotated[StrictStr, Field(max_length=500)] = ""
    title: Annotated[StrictStr, Field(max_length=200)] = ""


class PersonCreateIn(In):
    source: SourceKey
    first_name: Text100
    last_name: Text100
    email: Annotated[StrictStr, Field(max_length=254)] | None = None
    phone: Annotated[StrictStr, Field(max_length=32)] | None = None
    address: AddressIn | None = None
    personal_identity_code: Annotated[StrictStr, Field(max_length=20)] | None = None
    birth_year: Annotated[StrictInt, Field(ge=1900, le=2100)] | None = None
    gender: Literal["", "female", "male", "other", "undisclosed"] = ""
    job_title: Annotated[StrictStr, Field(max_length=200)] = ""
    account: AccountIn | None = None
    organisation: OrganisationIn | None = None


class ContactUpdateIn(In):
    source: SourceKey
    email: Annotated[StrictStr, Field(max_length=254)] | None = None
    phone: Annotated[StrictStr, Field(max_length=32)] | None = None
    address: AddressIn | None = None


class LookupIn(In):
    email: Annotated[StrictStr, Field(min_length=3, max_length=254)]
    purpose: SourceKey


class CustomershipStartIn(In):
    source: SourceKey
    started_on: Day | None = None


class CustomershipEndIn(In):
    ended_on: Day | None = None
    reason: Annotated[StrictStr, Field(max_length=200)] = ""


class UsageIn(In):
    source: SourceKey
    action: Text100
    detail: Annotated[StrictStr, Field(max_length=500)] = ""
    occurred_at: Moment | None = None


class ContactIn(In):
    source: SourceKey
    channel: ContactChannelIn
    direction: Literal["in", "out"]
    summary: Annotated[StrictStr, Field(max_length=5000)] = ""
    occurred_at: Moment | None = None


class WebVisitIn(In):
    source: SourceKey
    ip_address: Annotated[StrictStr, Field(min_length=2, max_length=45)]
    page: Annotated[StrictStr, Field(min_length=1, max_length=500)]
    cookie_id: Annotated[StrictStr, Field(max_length=64)] = ""
    user_agent: Annotated[StrictStr, Field(max_length=500)] = ""
    occurred_at: Moment | None = None


class DeliveryIn(In):
    source: SourceKey
    channel: MarketingChannelIn
    campaign: Text100
    sent_at: Moment | None = None


class PaymentIn(In):
    source: SourceKey
    amount: Money
    currency: Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    method: Annotated[StrictStr, Field(max_length=30)] = ""
    paid_at: Moment | None = None


class InvoiceIn(In):
    source: SourceKey
    number: Annotated[StrictStr, Field(min_length=1, max_length=50)]
    amount: Money
    issued_on: Day
    due_on: Day
    billing_name: Text200
    billing_address: Annotated[StrictStr, Field(min_length=1, max_length=300)]


class FeedbackIn(In):
    source: SourceKey
    text: Annotated[StrictStr, Field(max_length=5000)] = ""
    rating: Annotated[StrictInt, Field(ge=1, le=5)] | None = None
    theme: Annotated[StrictStr, Field(max_length=100)] = ""
    given_at: Moment | None = None


class ServiceCaseIn(In):
    source: SourceKey
    subject: Text200
    description: Annotated[StrictStr, Field(max_length=10000)] = ""
    opened_at: Moment | None = None


class Provenanced(Schema):
    source: str
    stored_at: dt.datetime


class NameOut(Provenanced):
    first_name: str
    last_name: str


class EmailOut(Provenanced):
    address: str


class PhoneOut(Provenanced):
    number: str


class AddressOut(Provenanced):
    street_address: str
    postal_code: str
    city: str
    country: str


class DemographicsOut(Provenanced):
    birth_year: int | None
    gender: str
    job_title: str


class AccountOut(Provenanced):
    username: str
    external_id: str


class CustomershipOut(Provenanced):
    id: int
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str


class OrganisationOut(Provenanced):
    id: int
    name: str
    business_id: str | None
    title: str


class PersonOut(Schema):
    """The categories the stated purpose opens; the others are absent."""

    id: int
    purpose: str
    name: NameOut | None = None
    emails: list[EmailOut] | None = None
    phones: list[PhoneOut] | None = None
    addresses: list[AddressOut] | None = None
    demographics: DemographicsOut | None = None
    personal_identity_code_masked: str | None = None
    account: AccountOut | None = None
    customerships: list[CustomershipOut] | None = None
    organisations: list[OrganisationOut] | None = None


class EventOut(Schema):
    kind: str
    id: int
    at: str
    source: str
    stored_at: dt.datetime
    data: dict[str, Any]


class EventPageOut(Schema):
    items: list[EventOut]
    count: int
    limit: int
    offset: int
