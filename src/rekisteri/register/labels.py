"""Words for the register's fields and their coded values, as a person reads them.

The policy names categories; the fields inside them are the register's own
columns, so their names and the values of their closed lists are put into
words here, through Django's translation machinery. Call with the reader's
language active (``translation.override``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rekisteri.core.channels import Channel
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get

# By field name; a "table.field" entry wins where one name means two things.
FIELD_LABELS: dict[str, Promise] = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "address": gettext_lazy("e-mail address"),
    "number": gettext_lazy("number"),
    "phone_number.number": gettext_lazy("phone number"),
    "invoice.number": gettext_lazy("invoice number"),
    "street_address": gettext_lazy("street address"),
    "postal_code": gettext_lazy("postal code"),
    "city": gettext_lazy("city"),
    "country": gettext_lazy("country"),
    "personal_identity_code": gettext_lazy("personal identity code"),
    "birth_year": gettext_lazy("year of birth"),
    "gender": gettext_lazy("gender"),
    "job_title": gettext_lazy("job title"),
    "username": gettext_lazy("username"),
    "password_stored": gettext_lazy("password stored (as a hash)"),
    "external_id": gettext_lazy("customer number in the service"),
    "started_on": gettext_lazy("started"),
    "ended_on": gettext_lazy("ended"),
    "end_reason": gettext_lazy("reason for ending"),
    "occurred_at": gettext_lazy("time"),
    "amount": gettext_lazy("amount"),
    "currency": gettext_lazy("currency"),
    "paid_at": gettext_lazy("paid"),
    "method": gettext_lazy("payment method"),
    "identity_verification.method": gettext_lazy("way of identification"),
    "result": gettext_lazy("result"),
    "issued_on": gettext_lazy("invoice date"),
    "due_on": gettext_lazy("due date"),
    "billing_name": gettext_lazy("name on the invoice"),
    "billing_address": gettext_lazy("billing address"),
    "name": gettext_lazy("name"),
    "organisation.name": gettext_lazy("organisation"),
    "business_id": gettext_lazy("business ID"),
    "logo": gettext_lazy("logo"),
    "presentation_video": gettext_lazy("presentation video"),
    "website": gettext_lazy("website"),
    "title": gettext_lazy("title"),
    "organisation_role.title": gettext_lazy("your role in the organisation"),
    "body": gettext_lazy("content"),
    "url": gettext_lazy("web address"),
    "text": gettext_lazy("text"),
    "rating": gettext_lazy("rating"),
    "theme": gettext_lazy("topic"),
    "given_at": gettext_lazy("given"),
    "subject": gettext_lazy("subject"),
    "description": gettext_lazy("description"),
    "resolution": gettext_lazy("resolution"),
    "opened_at": gettext_lazy("case opened"),
    "closed_at": gettext_lazy("case closed"),
    "delivery.opened_at": gettext_lazy("message opened"),
    "clicked_at": gettext_lazy("link clicked"),
    "sent_at": gettext_lazy("sent"),
    "campaign": gettext_lazy("campaign"),
    "channel": gettext_lazy("channel"),
    "consent_event.channel": gettext_lazy("made through"),
    "direction": gettext_lazy("direction"),
    "summary": gettext_lazy("summary"),
    "action": gettext_lazy("action"),
    "consent_event.action": gettext_lazy("choice"),
    "scope": gettext_lazy("what the choice concerns"),
    "notice_version": gettext_lazy("version of the privacy notice shown"),
    "detail": gettext_lazy("detail"),
    "page": gettext_lazy("page"),
    "ip_address": gettext_lazy("IP address"),
    "cookie_id": gettext_lazy("cookie identifier"),
    "user_agent": gettext_lazy("browser"),
    "brand": gettext_lazy("card type"),
    "last_four": gettext_lazy("last four digits of the card"),
    "expires": gettext_lazy("card valid until"),
    "e_invoice_address": gettext_lazy("e-invoice address"),
    "reference": gettext_lazy("reference"),
    "service": gettext_lazy("service"),
    "state": gettext_lazy("state"),
    "decided_at": gettext_lazy("decided"),
    "label": gettext_lazy("datum"),
    "value": gettext_lazy("value"),
    "field": gettext_lazy("corrected datum"),
    "reason": gettext_lazy("reason"),
    "restricted_since": gettext_lazy("processing restricted since"),
    "verified_at": gettext_lazy("confirmed by you"),
    "identity_verification.verified_at": gettext_lazy("time"),
}

# Keys, hashes and bookkeeping that mean nothing to a person (the JSON file of the
# access package still holds every one of them).
HIDDEN_FIELDS = frozenset(
    {
        "table",
        "id",
        "source",
        "stored_at",
        "pseudonym",
        "erased_at",
        "new_email_row",
        "text_hash",
        "provider_token",
        "organisation",
        "made_by",
    }
)

# The closed lists of coded values, by field.
VALUE_LABELS: dict[str, dict[str, Promise]] = {
    "gender": {
        "female": gettext_lazy("female"),
        "male": gettext_lazy("male"),
        "other": gettext_lazy("other"),
        "undisclosed": gettext_lazy("not told"),
    },
    "consent_event.action": {
        "granted": gettext_lazy("agreed"),
        "withdrawn": gettext_lazy("refused or withdrawn"),
        "objected": gettext_lazy("prohibited"),
        "lifted": gettext_lazy("prohibition lifted"),
    },
    "consent_event.channel": {
        "portal": gettext_lazy("your own pages"),
        "api": gettext_lazy("our service"),
        "form": gettext_lazy("a form"),
        "customer_service": gettext_lazy("customer service"),
        "letter": gettext_lazy("a letter"),
        "email": gettext_lazy("a link in a message"),
        "sms": gettext_lazy("a text message"),
    },
    "identity_verification.method": {
        "bank_credentials": gettext_lazy("online banking credentials"),
        "mobile_certificate": gettext_lazy("mobile certificate"),
        "email_link": gettext_lazy("a link sent by e-mail"),
    },
    "result": {
        "success": gettext_lazy("succeeded"),
        "failed": gettext_lazy("failed"),
        "cancelled": gettext_lazy("cancelled"),
    },
    # A channel in the one vocabulary's words.
    "channel": {channel.value: channel.label for channel in Channel},
    "direction": {
        "in": gettext_lazy("from you to us"),
        "out": gettext_lazy("from us to you"),
    },
    "payment.method": {
        "card": gettext_lazy("card"),
        "invoice": gettext_lazy("invoice"),
        "e_invoice": gettext_lazy("e-invoice"),
        "bank_transfer": gettext_lazy("bank transfer"),
    },
    # The reason the register itself records when a customership ends on request.
    "end_reason": {"ended at the customer's request": gettext_lazy("ended at your request")},
    "email_change.state": {
        "pending": gettext_lazy("waiting for the new address to be confirmed"),
        "confirmed": gettext_lazy("confirmed from the new address"),
        "undone": gettext_lazy("undone from the old address"),
        "superseded": gettext_lazy("replaced by a later change"),
        "settled": gettext_lazy("confirmed, and the old address removed"),
    },
}

COUNTRY_NAMES: dict[str, Promise] = {
    "FI": gettext_lazy("Finland"),
    "SE": gettext_lazy("Sweden"),
    "NO": gettext_lazy("Norway"),
    "DK": gettext_lazy("Denmark"),
    "EE": gettext_lazy("Estonia"),
    "DE": gettext_lazy("Germany"),
    "US": gettext_lazy("United States"),
    "GB": gettext_lazy("United Kingdom"),
}


def field_label(table: str, field: str) -> str:
    """The name of one field, e.g. "phone number" for ``phone_number.number``."""
    label = FIELD_LABELS.get(f"{table}.{field}") or FIELD_LABELS.get(field)
    return str(label) if label is not None else field.replace("_", " ")


def when_display(value: dt.date | dt.datetime) -> str:
    """A plain date as a date, a moment in the register's time zone, both in local format."""
    if isinstance(value, dt.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _parsed_when(value: str) -> dt.date | dt.datetime | None:
    """The ISO dates and times the register's selectors hand out, and nothing else."""
    if len(value) < 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def scope_display(scope: str, lang: Language) -> str:
    """A consent scope ("purpose" or "purpose:channel") in the policy's words."""
    purpose, _sep, channel = scope.partition(":")
    purposes = policy_get().purposes
    name = purposes[purpose].name(lang) if purpose in purposes else scope
    if channel:
        words = VALUE_LABELS["channel"].get(channel)
        return f"{name} ({words if words is not None else channel})"
    return name


def usage_action_text(code: str, lang: Language) -> str:
    """A usage event's action in the company's words (``[portal.usage_actions]``); a code
    the company has not named is shown as its service reported it."""
    words = policy_get().portal.usage_actions.get(code)
    return words(lang) if words is not None else code


def value_display(table: str, field: str, value: Any, lang: Language) -> str:
    """One stored value in words: choices named, dates as dates, yes and no, amounts."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "scope" and isinstance(value, str):
        return scope_display(value, lang)
    if table == "usage_event" and field == "action" and isinstance(value, str):
        return usage_action_text(value, lang)
    choices = VALUE_LABELS.get(f"{table}.{field}") or VALUE_LABELS.get(field)
    if choices is not None and str(value) in choices:
        return str(choices[str(value)])
    if field == "country" and isinstance(value, str):
        return str(COUNTRY_NAMES.get(value, value))
    if isinstance(value, dt.date):
        return when_display(value)
    if isinstance(value, str):
        when = _parsed_when(value)
        if when is not None:
            return when_display(when)
        if field == "amount":
            try:
                return formats.number_format(Decimal(value), decimal_pos=2)
            except InvalidOperation:
                return value
    return str(value)


def row_display(row: dict[str, Any], lang: Language) -> list[tuple[str, str]]:
    """The fields of one row of ``person_data`` a person would read, labelled, in order."""
    table = str(row.get("table", ""))
    return [
        (field_label(table, name), value_display(table, name, value, lang))
        for name, value in row.items()
        if name not in HIDDEN_FIELDS and value not in (None, "")
    ]
