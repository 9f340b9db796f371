"""The one mapping from the register's errors to what a portal page says.

Services speak English to logs and the API; a person reads the portal in their
language. The error's machine code (and, for a refused field, the field and the
rule the service names in ``data``) picks the sentence here, never the English
message: every portal view answers a ``RekisteriError`` through ``error_page``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rekisteri.analytics.error_codes import AnalyticsCode
from rekisteri.audit.services import audit_refusals_keep
from rekisteri.core.errors import CoreCode, RekisteriError
from rekisteri.core.middleware import InputCode
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.portal.views import _page
from rekisteri.register.error_codes import RegisterCode
from rekisteri.rights.error_codes import RightsCode


class PortalCode(StrEnum):
    """Refusals the portal's own pages make before any service is asked."""

    CHOICE_UNKNOWN = "choice_unknown"


# Whole sentences, by the error's code.
CODES: dict[str, Promise] = {
    RightsCode.SIGN_IN_FAILED: gettext_lazy("The username or the password is wrong."),
    RightsCode.SIGN_IN_LINK_INVALID: gettext_lazy(
        "The link has expired or has been used. Ask for a new one."
    ),
    RegisterCode.LINK_INVALID: gettext_lazy(
        "The link is not valid any more: it has expired, or the change was already "
        "confirmed, undone or replaced by a later one."
    ),
    RightsCode.RECTIFICATION_EMPTY: gettext_lazy(
        "Give at least one new detail: an e-mail address, a phone number or a postal address."
    ),
    RightsCode.ADDRESS_INCOMPLETE: gettext_lazy(
        "Give the whole postal address: street address, postal code and city."
    ),
    AnalyticsCode.SURVEY_ANSWERED: gettext_lazy("You have answered this survey already."),
    AnalyticsCode.SURVEY_LINK_INVALID: gettext_lazy(
        "The survey link is not valid. Copy the whole link from the message."
    ),
    AnalyticsCode.SURVEY_LINK_EXPIRED: gettext_lazy("The survey has closed."),
    AnalyticsCode.SURVEY_CLOSED: gettext_lazy("The survey has closed."),
    AnalyticsCode.SURVEY_RATING_INVALID: gettext_lazy("Choose a rating from 1 to 5."),
    AnalyticsCode.SURVEY_TEXT_TOO_LONG: gettext_lazy(
        "Your answer can be at most 5,000 characters long."
    ),
    AnalyticsCode.SURVEY_ANSWER_EMPTY: gettext_lazy(
        "Give a rating, an answer in your own words, or both."
    ),
    AnalyticsCode.SURVEY_ANSWER_NOT_STORED: gettext_lazy(
        "Your answer was not stored: you have withdrawn your consent to surveys, or the "
        "processing of your data is restricted."
    ),
    PortalCode.CHOICE_UNKNOWN: gettext_lazy("Choose one of the buttons on the page."),
    InputCode.UNSTORABLE_TEXT: gettext_lazy(
        "The request contains characters that cannot be stored (such as a NUL "
        "character). Remove them and try again."
    ),
    CoreCode.THROTTLED: gettext_lazy("Too many attempts. Wait a moment and try again."),
}

# The form's fields, as the services name them in ``data["field"]``.
FORM_FIELDS: dict[str, Promise] = {
    "email": gettext_lazy("e-mail address"),
    "phone": gettext_lazy("phone number"),
    "address.street_address": gettext_lazy("street address"),
    "address.postal_code": gettext_lazy("postal code"),
    "address.city": gettext_lazy("city"),
    "reason": gettext_lazy("what is wrong"),
}

# A refused field, by the error's code.
FIELD_CODES: dict[str, Promise] = {
    RegisterCode.INVALID_EMAIL: gettext_lazy("The %(field)s is not a valid e-mail address."),
    RegisterCode.INVALID_PHONE: gettext_lazy("The %(field)s is not a phone number."),
    RegisterCode.INVALID_POSTAL_CODE: gettext_lazy("The %(field)s is not in the right form."),
}

# A refused text field, by the rule the service names in ``data["rule"]``.
TEXT_RULES: dict[str, Promise] = {
    "required": gettext_lazy("Fill in the %(field)s."),
    "one_line": gettext_lazy("The %(field)s must be one line of ordinary text."),
    "control": gettext_lazy("The %(field)s must be one line of ordinary text."),
    "unstorable": gettext_lazy("The %(field)s is not in the right form."),
}


def _field_text(error: RekisteriError) -> str:
    """A refusal of one of the form's fields in the person's words; empty if it is none."""
    field = error.data.get("field")
    if not isinstance(field, str) or field not in FORM_FIELDS:
        return ""
    name = str(FORM_FIELDS[field])
    if error.code == RegisterCode.NOT_COLLECTED:
        return _("We do not collect your %(field)s.") % {"field": name}
    rule = error.data.get("rule")
    if error.code == RegisterCode.INVALID_POSTAL_CODE and rule == "digits":
        return _("The %(field)s must be %(count)s digits.") % {
            "field": name,
            "count": error.data.get("digits", ""),
        }
    if error.code == RegisterCode.INVALID_POSTAL_CODE:
        # A shape other than digits alone (Sweden's "123 45"): the controller's own
        # postal code shows it.
        return _("The %(field)s must be written like %(example)s.") % {
            "field": name,
            "example": policy_get().controller.postal_code,
        }
    if error.code in FIELD_CODES:
        return str(FIELD_CODES[error.code]) % {"field": name}
    if error.code == RegisterCode.INVALID_TEXT and rule == "too_long":
        return _("The %(field)s can be at most %(count)s characters long.") % {
            "field": name,
            "count": error.data.get("max_length", ""),
        }
    if error.code == RegisterCode.INVALID_TEXT and isinstance(rule, str) and rule in TEXT_RULES:
        return str(TEXT_RULES[rule]) % {"field": name}
    return ""


def error_text(error: RekisteriError) -> str:
    """The error in the person's language: by its code, or its field's rule; never a code."""
    if error.code in CODES:
        return str(CODES[error.code])
    return _field_text(error) or _("Please check what you entered.")


def error_page(
    request: HttpRequest, lang: Language, error: RekisteriError, template: str, **context: Any
) -> HttpResponse:
    """``template`` with the error said on it, answered with the error's HTTP status."""
    # A refused read stays in the audit trail though its transaction was rolled back.
    audit_refusals_keep(error)
    return _page(
        request, template, lang, status=error.http_status, error=error_text(error), **context
    )
