"""The one mapping from the register's errors to what a console page says.

Services speak English to logs and the API ("field: rule"); staff read the
console in their language. The machine code and the field a service names
pick the sentence here; a message never shows through untranslated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from types import TracebackType
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rekisteri.analytics.disclosure import min_cell_size
from rekisteri.analytics.error_codes import AnalyticsCode
from rekisteri.audit.services import audit_refusals_keep
from rekisteri.console.words import field_label
from rekisteri.core.errors import (
    Conflict,
    CoreCode,
    Forbidden,
    NotFound,
    PolicyRefusal,
    RekisteriError,
    Throttled,
)
from rekisteri.core.middleware import InputCode
from rekisteri.policy.selectors import policy_get
from rekisteri.register.error_codes import RegisterCode
from rekisteri.rights.error_codes import RightsCode
from rekisteri.staff.services import StaffCode

# Fields services name that are not fields of the register's data.
FORM_FIELDS: dict[str, Promise] = {
    "email": gettext_lazy("e-mail address"),
    "phone": gettext_lazy("phone number"),
    "password": gettext_lazy("password"),
    "code": gettext_lazy("code"),
    "note": gettext_lazy("what you checked"),
    "received_on": gettext_lazy("received on"),
    "received_at": gettext_lazy("received on"),
    "kind": gettext_lazy("right"),
    "channel": gettext_lazy("channel"),
    "language": gettext_lazy("language of the answer"),
    "details": gettext_lazy("what the letter asks"),
    "address": gettext_lazy("postal address"),
    "months": gettext_lazy("extension in months"),
    "q": gettext_lazy("search"),
    "action": gettext_lazy("action"),
    "customership": gettext_lazy("customership"),
    "customer_months_min": gettext_lazy("customer for at least (months)"),
    "active_within_days": gettext_lazy("used the service within (days)"),
    "rating_min": gettext_lazy("average rating at least"),
    "rating_max": gettext_lazy("average rating at most"),
    "marketable_by": gettext_lazy("may be marketed to by"),
    "consented_to": gettext_lazy("has consented to"),
    "service": gettext_lazy("uses the service"),
}

# What a rule a service names means, said to a person.
RULES: dict[str, Promise] = {
    "is required": gettext_lazy("this is required."),
    "contains characters that cannot be stored": gettext_lazy(
        "contains characters that cannot be stored."
    ),
    "contains control characters": gettext_lazy("contains characters that cannot be stored."),
    "is not a valid e-mail address": gettext_lazy("this is not a valid e-mail address."),
    "is not a phone number": gettext_lazy("this is not a phone number."),
    "is not a valid phone number": gettext_lazy("this is not a valid phone number."),
    "must not contain a personal identity code; the register keeps it elsewhere": gettext_lazy(
        "do not write a personal identity code here."
    ),
    "give a date as YYYY-MM-DD": gettext_lazy("give a date, for example 31.1.2026."),
    "give a number": gettext_lazy("give a number."),
    "must not be above rating_max": gettext_lazy("must not be above the highest rating."),
    "1 to 100 characters": gettext_lazy("give 1 to 100 characters."),
    "at most 100 characters": gettext_lazy("give at most 100 characters."),
    "choose one from the list": gettext_lazy("no service is named so; choose one from the list."),
    "a purpose that rests on consent": gettext_lazy("choose a purpose that rests on consent."),
    "say what was checked (never copy an identity document)": gettext_lazy(
        "say what you checked (never copy an identity document)."
    ),
    "one or two": gettext_lazy("one or two months."),
    "the subject must be told why": gettext_lazy("the person must be told why."),
    "a refusal must say why": gettext_lazy("a refusal must say why."),
    "a request is registered after it arrived": gettext_lazy("the date cannot be in the future."),
}

CODES: dict[str, Promise] = {
    StaffCode.WRONG_CODE: gettext_lazy(
        "The code does not match. Enter the newest code your authenticator app shows."
    ),
    StaffCode.NO_SECOND_FACTOR: gettext_lazy(
        "This account has no second factor yet. Ask an administrator for a new enrolment link."
    ),
    StaffCode.ENROLMENT_INVALID: gettext_lazy(
        "The link has expired or has been used. Ask an administrator for a new one."
    ),
    RegisterCode.EMAIL_TAKEN: gettext_lazy("The e-mail address belongs to another person."),
    RegisterCode.PURPOSE_DOES_NOT_COVER: gettext_lazy(
        "Your role's purposes do not allow changing contact details."
    ),
    RightsCode.NOT_VERIFIED: gettext_lazy("Verify the requester's identity first."),
    RightsCode.INVALID_STATE: gettext_lazy(
        "The request has already been answered or cannot move to that state."
    ),
    InputCode.UNSTORABLE_TEXT: gettext_lazy("The form contains characters that cannot be stored."),
    CoreCode.THROTTLED: gettext_lazy("Too many attempts. Wait a moment and try again."),
    RegisterCode.SEARCH_TOO_SHORT: gettext_lazy("Give at least two characters to search for."),
    AnalyticsCode.SEGMENT_NO_FILTER: gettext_lazy("Choose at least one filter."),
    AnalyticsCode.SEGMENT_NAME_TAKEN: gettext_lazy(
        "You already have a segment of that name: choose another name."
    ),
    AnalyticsCode.SEGMENT_NOT_FOUND: gettext_lazy("Choose a saved segment from the list."),
    RightsCode.CODE_WRONG: gettext_lazy("The code is not right."),
    RightsCode.CODE_NOT_VALID: gettext_lazy(
        "No valid code is waiting for this request: send a new one."
    ),
    RightsCode.NO_VERIFIED_ADDRESS: gettext_lazy(
        "The person has no verified e-mail address: verify their identity another way."
    ),
    RightsCode.DEADLINE_PASSED: gettext_lazy(
        "The deadline has passed: an extension must be told to the person within the first month."
    ),
    RightsCode.EXTENDED_ALREADY: gettext_lazy("A request can be extended only once."),
    RightsCode.NOT_HANDLER: gettext_lazy(
        "Only the data protection officer handles data subject requests."
    ),
    RightsCode.RESTRICTION_LIFTED_ALREADY: gettext_lazy("This restriction was already lifted."),
    RightsCode.RESTRICTION_NOT_GRANTED: gettext_lazy(
        "Only a restriction that was granted can be lifted."
    ),
}

_NUMBER_RANGE = re.compile(r"^give a number from (\d+) to (\d+)$")

_FIELD_RULE = re.compile(r"^([a-z_]+): (.+)$", re.S)


def error_field(error: RekisteriError) -> str:
    """The form field an error is about, as the service named it; empty if none."""
    named = error.data.get("field")
    if isinstance(named, str):
        return named
    found = _FIELD_RULE.match(error.message)
    return found[1] if found else ""


def _field_name(field: str) -> str:
    label = FORM_FIELDS.get(field)
    return str(label) if label is not None else field_label(field)


# A refused field, by its code (and for a text, the rule the register's validation names).
FIELD_CODES: dict[str, Promise] = {
    RegisterCode.INVALID_EMAIL: RULES["is not a valid e-mail address"],
}
TEXT_RULES: dict[str, Promise] = {
    "required": RULES["is required"],
    "unstorable": RULES["contains characters that cannot be stored"],
    "control": RULES["contains control characters"],
    "identity_code": RULES[
        "must not contain a personal identity code; the register keeps it elsewhere"
    ],
}


def _field_rule_text(error: RekisteriError) -> str:
    """A field the register's validation refused, by code and rule; empty if none applies."""
    field = error.data.get("field")
    rule = error.data.get("rule")
    if not isinstance(field, str):
        return ""
    if error.code in FIELD_CODES:
        said = FIELD_CODES[error.code]
    elif error.code == RegisterCode.INVALID_TEXT and isinstance(rule, str) and rule in TEXT_RULES:
        said = TEXT_RULES[rule]
    else:
        return ""
    return f"{_field_name(field).capitalize()}: {said}"


def error_text(error: RekisteriError) -> str:
    """The error in the reader's language: by its code, its field's rule, or its kind."""
    if error.code == RegisterCode.INVALID_POSTAL_CODE:
        # The rule is that of the controller's country, which need not be Finland: its
        # own postal code shows the shape.
        return _(
            "The postal code is not valid: write it as the register's country does, "
            "for example %(example)s."
        ) % {"example": policy_get().controller.postal_code}
    if error.code in CODES:
        return str(CODES[error.code])
    if isinstance(error.data.get("earliest"), str):
        # A date before the register began: the deadline would have run for ages.
        return _("%(field)s: the date cannot be before the register began (%(earliest)s).") % {
            "field": _field_name(error_field(error)).capitalize(),
            "earliest": formats.date_format(
                dt.date.fromisoformat(error.data["earliest"]), "SHORT_DATE_FORMAT"
            ),
        }
    if isinstance(error, PolicyRefusal) and isinstance(error.data.get("size"), str):
        # A segment too small to describe; no one at all reads the same, so a typo may hide here.
        return _(
            "The segment has fewer than %(n)s people, or no one: check the spelling of the "
            "filters, or widen it. Nothing about so few people is shown."
        ) % {"n": min_cell_size()}
    by_rule = _field_rule_text(error)
    if by_rule:
        return by_rule
    found = _FIELD_RULE.match(error.message)
    if found and found[1] == "password":
        # The password rules speak through Django's validators, already translated.
        return found[2]
    if found and found[2] in RULES:
        return f"{_field_name(found[1]).capitalize()}: {RULES[found[2]]}"
    number = _NUMBER_RANGE.match(found[2]) if found else None
    if found and number:
        return _("%(field)s: give a number from %(low)s to %(high)s.") % {
            "field": _field_name(found[1]).capitalize(),
            "low": number[1],
            "high": number[2],
        }
    if isinstance(error, NotFound):
        return _("Not found, or your role's purposes do not let you see it.")
    if isinstance(error, Forbidden):
        return _("Your role may not do this.")
    if isinstance(error, Throttled):
        return str(CODES[CoreCode.THROTTLED])
    if isinstance(error, Conflict):
        return _("This cannot be done in the current state.")
    field = error_field(error)
    if field:
        return _("Check this field: %(field)s.") % {"field": _field_name(field)}
    return _("The input was not accepted. Check what you entered.")


def error_page(request: HttpRequest, error: RekisteriError) -> HttpResponse:
    """A page that says what went wrong, with the error's HTTP status."""
    # A refused read stays in the audit trail though its transaction was rolled back.
    audit_refusals_keep(error)
    # After a refused form, back is the page the form was on; else the console's home.
    back = request.path if request.method == "POST" else "/console/"
    return render(
        request,
        "console/error.html",
        {"message": error_text(error), "back": back},
        status=error.http_status,
    )


@dataclass
class Refusal:
    """A register error a page says beside its form, rather than on the error page.

    Used as ``with refusal_caught() as refused:``; the view goes on after the block.
    """

    error: RekisteriError | None = None

    def __enter__(self) -> Refusal:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(value, RekisteriError):
            return False
        # As on the error page: a refused read stays in the audit trail.
        audit_refusals_keep(value)
        self.error = value
        return True

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def text(self) -> str:
        return "" if self.error is None else error_text(self.error)

    @property
    def field(self) -> str:
        """The form field the error is about, as the service named it; empty if none."""
        return "" if self.error is None else error_field(self.error)

    @property
    def status(self) -> int:
        return 200 if self.error is None else self.error.http_status


def refusal_caught() -> Refusal:
    """A block whose register error the page says itself, in the reader's language."""
    return Refusal()


def html_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view whose register errors become the console's error page, never a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except RekisteriError as error:
            return error_page(request, error)

    return wrapper
