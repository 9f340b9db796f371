"""What staff read: the register's keys, values and audit entries in words.

Names come from the policy where it has them (categories, purposes, sources,
roles); the register's own field and value keys are translated here, once for
every console page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.core.actors import ActorKind
from rekisteri.core.channels import Channel
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.register.labels import usage_action_text
from rekisteri.staff.selectors import staff_names

NO_VALUE = "\N{EN DASH}"

FIELD_LABELS: dict[str, Promise] = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "address": gettext_lazy("e-mail address"),
    "verified_at": gettext_lazy("confirmed"),
    "number": gettext_lazy("phone number"),
    "street_address": gettext_lazy("street address"),
    "postal_code": gettext_lazy("postal code"),
    "city": gettext_lazy("city"),
    "country": gettext_lazy("country"),
    "personal_identity_code": gettext_lazy("personal identity code"),
    "birth_year": gettext_lazy("year of birth"),
    "gender": gettext_lazy("gender"),
    "job_title": gettext_lazy("job title"),
    "restricted_since": gettext_lazy("processing restricted since"),
    "username": gettext_lazy("username"),
    "password_stored": gettext_lazy("password stored (as a hash)"),
    "external_id": gettext_lazy("identifier in the service"),
    "scope": gettext_lazy("choice"),
    "action": gettext_lazy("what was done"),
    "channel": gettext_lazy("channel"),
    "notice_version": gettext_lazy("privacy notice version"),
    "occurred_at": gettext_lazy("time"),
    "name": gettext_lazy("name"),
    "business_id": gettext_lazy("business ID"),
    "logo": gettext_lazy("logo"),
    "presentation_video": gettext_lazy("presentation video"),
    "website": gettext_lazy("website"),
    "organisation": gettext_lazy("organisation"),
    "title": gettext_lazy("title"),
    "body": gettext_lazy("text"),
    "url": gettext_lazy("link"),
    "method": gettext_lazy("method"),
    "result": gettext_lazy("result"),
    "started_on": gettext_lazy("started"),
    "ended_on": gettext_lazy("ended"),
    "end_reason": gettext_lazy("reason for ending"),
    "detail": gettext_lazy("detail"),
    "direction": gettext_lazy("direction"),
    "summary": gettext_lazy("summary"),
    "provider_token": gettext_lazy("card token of the payment provider"),
    "brand": gettext_lazy("card brand"),
    "last_four": gettext_lazy("last four digits"),
    "expires": gettext_lazy("valid until"),
    "e_invoice_address": gettext_lazy("e-invoice address"),
    "reference": gettext_lazy("reference"),
    "service": gettext_lazy("service"),
    "amount": gettext_lazy("amount"),
    "currency": gettext_lazy("currency"),
    "paid_at": gettext_lazy("paid"),
    "issued_on": gettext_lazy("issued"),
    "due_on": gettext_lazy("due"),
    "billing_name": gettext_lazy("billing name"),
    "billing_address": gettext_lazy("billing address"),
    "ip_address": gettext_lazy("IP address"),
    "cookie_id": gettext_lazy("cookie identifier"),
    "user_agent": gettext_lazy("browser"),
    "page": gettext_lazy("page"),
    "campaign": gettext_lazy("campaign"),
    "sent_at": gettext_lazy("sent"),
    "opened_at": gettext_lazy("time opened"),
    "clicked_at": gettext_lazy("time clicked"),
    "text": gettext_lazy("text"),
    "rating": gettext_lazy("rating"),
    "theme": gettext_lazy("theme"),
    "given_at": gettext_lazy("given"),
    "subject": gettext_lazy("subject"),
    "description": gettext_lazy("description"),
    "resolution": gettext_lazy("resolution"),
    "opened_on": gettext_lazy("opened"),
    "closed_at": gettext_lazy("time closed"),
    "state": gettext_lazy("state"),
    "field": gettext_lazy("field"),
    "reason": gettext_lazy("reason"),
    "made_by": gettext_lazy("made by"),
    "label": gettext_lazy("datum"),
    "value": gettext_lazy("value"),
}

# Keys and bookkeeping that tell staff nothing (the source and time have columns of their own).
HIDDEN_FIELDS = frozenset(
    {"table", "id", "source", "stored_at", "pseudonym", "erased_at", "new_email_row", "text_hash"}
    # The organisation a role is in: an id; the organisation's own row names it.
    | {"organisation"}
)
# Where one table's field means something else than the same name elsewhere.
TABLE_FIELD_LABELS: dict[str, Promise] = {
    "organisation_role.title": gettext_lazy("position in the organisation"),
    "usage_event.action": gettext_lazy("what was done in the service"),
    "invoice.number": gettext_lazy("invoice number"),
    "payment.method": gettext_lazy("payment method"),
    "identity_verification.method": gettext_lazy("identification method"),
}

VALUE_LABELS: dict[str, Promise] = {
    # Gender
    "female": gettext_lazy("female"),
    "male": gettext_lazy("male"),
    "other": gettext_lazy("other"),
    "undisclosed": gettext_lazy("not told"),
    # Consent actions
    "granted": gettext_lazy("consent given"),
    "withdrawn": gettext_lazy("consent withdrawn"),
    "objected": gettext_lazy("objected"),
    "lifted": gettext_lazy("objection lifted"),
    # Channels, in the one vocabulary's words
    **{channel.value: channel.label for channel in Channel},
    "banner": gettext_lazy("cookie banner"),
    # Contact directions
    "in": gettext_lazy("from the customer"),
    "out": gettext_lazy("to the customer"),
    # Payment methods
    "card": gettext_lazy("payment card"),
    "invoice": gettext_lazy("invoice"),
    "e_invoice": gettext_lazy("e-invoice"),
    "bank_transfer": gettext_lazy("bank transfer"),
    # Identification methods and their results
    "bank_credentials": gettext_lazy("online banking credentials"),
    "mobile_certificate": gettext_lazy("mobile certificate"),
    "email_link": gettext_lazy("link sent by e-mail"),
    "success": gettext_lazy("succeeded"),
    "failed": gettext_lazy("failed"),
    "cancelled": gettext_lazy("cancelled"),
    # E-mail changes
    "pending": gettext_lazy("waiting for the new address to be confirmed"),
    "confirmed": gettext_lazy("confirmed from the new address"),
    "undone": gettext_lazy("undone from the old address"),
    "superseded": gettext_lazy("replaced by a later change"),
    "settled": gettext_lazy("confirmed, and the old address removed"),
    # Customership states
    "active": gettext_lazy("active"),
    "ended": gettext_lazy("ended"),
    "never": gettext_lazy("never a customer"),
}

# The contact details a rectification names, by the key it records.
RECTIFIED_FIELDS: dict[str, Promise] = {
    "email": gettext_lazy("e-mail address"),
    "phone": gettext_lazy("phone number"),
    "address": gettext_lazy("postal address"),
}

# Fields whose values are keys of the list above, not free text.
CODED_FIELDS = frozenset(
    {"gender", "action", "channel", "direction", "method", "result", "customership", "state"}
)


def when_text(value: dt.datetime | dt.date | None) -> str:
    """A date, or a time in the register's time zone, as people write them."""
    if value is None:
        return NO_VALUE
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        # Translators: a date and time, "3.11.2026 klo 14.05" in Finnish (Django date format).
        return formats.date_format(local, _("j M Y, H:i"))
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _parsed_when(text: str) -> dt.datetime | dt.date | None:
    if len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def scope_text(scope: str, lang: Language) -> str:
    """A consent scope (a purpose, or a purpose on one channel) in the policy's words."""
    policy = policy_get()
    purpose, _sep, channel = scope.partition(":")
    if purpose in policy.purposes:
        name = policy.purposes[purpose].name(lang)
    elif purpose in policy.cookies:
        name = _("cookies: %(name)s") % {"name": policy.cookies[purpose].name(lang)}
    elif purpose == "disclosure" and channel in policy.recipients:
        return _("disclosure to %(recipient)s") % {
            "recipient": policy.recipients[channel].name(lang)
        }
    else:
        name = purpose
    return f"{name} ({value_text('channel', channel, lang)})" if channel else name


def value_text(field: str, value: Any, lang: Language) -> str:
    """One stored value as staff should read it."""
    if value is None or value == "":
        return NO_VALUE
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.date):
        return when_text(value)
    text = str(value)
    if field == "scope":
        return scope_text(text, lang)
    if field == "source" or field == "made_by":
        source = policy_get().sources.get(text)
        if source is not None:
            return source.name(lang)
    if field == "action" and text in policy_get().portal.usage_actions:
        return usage_action_text(text, lang)
    if field in CODED_FIELDS and text in VALUE_LABELS:
        return str(VALUE_LABELS[text])
    if field == "amount" and re.fullmatch(r"-?\d+\.\d+", text):
        # Money as the reader writes it: 149,00 in Finnish.
        return formats.number_format(Decimal(text), 2, use_l10n=True)
    if field == "field":
        # A rectification names the field it changed by the register's key.
        return str(RECTIFIED_FIELDS.get(text) or field_label(text))
    when = _parsed_when(text) if isinstance(value, str) else None
    return when_text(when) if when is not None else text


def field_label(name: str, table: str = "") -> str:
    label = TABLE_FIELD_LABELS.get(f"{table}.{name}") or FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


@dataclass(frozen=True)
class Datum:
    label: str
    value: str


def datum_fields(row: dict[str, Any], lang: Language) -> list[Datum]:
    """A row of person_data() as labelled values, leaving out keys, bookkeeping and blanks."""
    table = str(row.get("table", ""))
    return [
        Datum(field_label(name, table), value_text(name, value, lang))
        for name, value in row.items()
        if name not in HIDDEN_FIELDS and value not in (None, "")
    ]


def categories_text(keys: Iterable[str], lang: Language) -> str:
    categories = policy_get().categories
    return "; ".join(categories[k].name(lang) if k in categories else k for k in keys)


def purpose_text(key: str, lang: Language) -> str:
    purposes = policy_get().purposes
    if key in purposes:
        return purposes[key].name(lang)
    right = key.removeprefix("right:")
    if right != key:
        return _("the person's own request (%(right)s)") % {"right": right_text(right)}
    return key


def right_text(kind: str) -> str:
    # The request kinds carry their own translated labels.
    from rekisteri.rights.models import RightKind

    return str(RightKind(kind).label) if kind in RightKind.values else kind


def _actor_text(entry: AuditEntry, names: dict[str, Any], lang: Language) -> str:
    if entry.actor_kind == ActorKind.STAFF:
        staff = names.get(entry.actor_id)
        if staff is None:
            return _("a staff member")
        return f"{staff.name} ({staff.role})" if staff.role else staff.name
    if entry.actor_kind == ActorKind.SUBJECT:
        return _("The person themself")
    if entry.actor_kind == ActorKind.API_KEY:
        return _("An integrating system")
    if entry.actor_id == "retention":
        return _("The retention sweep")
    return _("The register")


EVENT_VERBS: dict[str, Promise] = {
    AuditEvent.PERSON_READ: gettext_lazy("read"),
    AuditEvent.PERSON_READ_REFUSED: gettext_lazy("was refused reading"),
    AuditEvent.PERSON_CREATED: gettext_lazy("registered the person"),
    AuditEvent.PERSON_CHANGED: gettext_lazy("changed"),
    AuditEvent.PEOPLE_IMPORTED: gettext_lazy("imported the person"),
    AuditEvent.DATA_EXPORTED: gettext_lazy("exported"),
    AuditEvent.DISCLOSURE: gettext_lazy("disclosed"),
    AuditEvent.PERSON_ERASED: gettext_lazy("erased the person's data"),
    AuditEvent.RESTRICTION_CHANGED: gettext_lazy("changed the restriction of processing"),
    AuditEvent.CONSENT_CHANGED: gettext_lazy("recorded a choice"),
    AuditEvent.REQUEST_CHANGED: gettext_lazy("handled a request"),
    AuditEvent.SUBJECT_SIGNED_IN: gettext_lazy("signed in to the portal"),
    AuditEvent.EMAIL_CHANGE_CONFIRMED: gettext_lazy("confirmed a new e-mail address"),
    AuditEvent.EMAIL_CHANGE_UNDONE: gettext_lazy("undid a change of e-mail address"),
}


@dataclass(frozen=True)
class HistoryLine:
    sentence: str
    when: str


def history_sentences(entries: Sequence[AuditEntry], lang: Language) -> list[HistoryLine]:
    """Audit entries as sentences: who (role) did what, to which data, for what, when."""
    names = staff_names(
        user_ids={e.actor_id for e in entries if e.actor_kind == ActorKind.STAFF}, lang=lang
    )
    lines = []
    for entry in entries:
        who = _actor_text(entry, names, lang)
        verb = str(EVENT_VERBS.get(entry.event, entry.event))
        what = categories_text(entry.categories, lang) if entry.categories else ""
        sentence = f"{who} {verb} {what}".strip() if what else f"{who} {verb}"
        if entry.purpose:
            sentence = f"{sentence}: {purpose_text(entry.purpose, lang)}"
        lines.append(HistoryLine(sentence[:1].upper() + sentence[1:], when_text(entry.occurred_at)))
    return lines


def request_answer(result: dict[str, Any], lang: Language) -> list[str]:
    """What answering a request did, in sentences (the result keeps ids and counts)."""
    lines: list[str] = []
    if "package" in result:
        lines.append(_("A copy of the person's data was prepared for them to download."))
    if result.get("objected_purposes"):
        lines.append(
            _("The objection was recorded for: %(purposes)s.")
            % {"purposes": "; ".join(purpose_text(p, lang) for p in result["objected_purposes"])}
        )
    if "customerships_ended" in result:
        lines.append(
            ngettext(
                "%(count)d customership was ended.",
                "%(count)d customerships were ended.",
                int(result["customerships_ended"]),
            )
            % {"count": int(result["customerships_ended"])}
        )
    certificate = result.get("certificate")
    if isinstance(certificate, dict):
        erased = sum(int(n) for n in certificate.get("erased", {}).values())
        anonymised = sum(int(n) for n in certificate.get("anonymised", {}).values())
        lines.append(
            _(
                "The person's data were erased: %(erased)d records deleted, "
                "%(anonymised)d anonymised."
            )
            % {"erased": erased, "anonymised": anonymised}
        )
        for kept in certificate.get("kept", []):
            category = str(kept.get("category", "")) if isinstance(kept, dict) else ""
            if category:
                until = _parsed_when(str(kept.get("until") or ""))
                lines.append(
                    _("Kept under a legal hold until %(until)s: %(category)s.")
                    % {
                        "category": categories_text([category], lang),
                        "until": when_text(until) if until else NO_VALUE,
                    }
                )
    if result.get("recipients_to_tell") == []:
        lines.append(_("The person's data were disclosed to no one, so no recipient was told."))
    if result.get("lifted_at"):
        when = _parsed_when(str(result["lifted_at"]))
        lines.append(
            _("The restriction was lifted on %(when)s.")
            % {"when": when_text(when) if when else NO_VALUE}
        )
    if result.get("answered_by"):
        lines.append(
            _("Answered together with request %(first)s.") % {"first": result["answered_by"]}
        )
    return lines
