"""What a policy lets the demo write, read from it once per run.

Which tables and fields the policy collects, which sources it lists for each
table's categories (and which it declares for what the register records itself),
which consent scopes it has, which purpose is direct marketing and on what basis,
how long its retention rules keep history, and the words of the controller's
country. The plan draws only from these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rekisteri.consent.services import consent_text_hash
from rekisteri.demo.names import Words, words_for
from rekisteri.policy.schema import (
    LegalBasis,
    Policy,
    RetentionEvent,
    RetentionRule,
    SourceKind,
    SourceRecord,
)
from rekisteri.policy.selectors import policy_get

# The data fields the demo writes in each table, in the order it stores the
# tables (people and organisations first: the other rows point at them).
PLANNED_FIELDS: dict[str, tuple[str, ...]] = {
    "Person": (
        "first_name", "last_name", "personal_identity_code", "birth_year", "gender", "job_title",
    ),
    "Organisation": ("name", "business_id", "website", "presentation_video"),
    "EmailAddress": ("address", "verified_at"),
    "EmailChange": ("new_email_row",),
    "PhoneNumber": ("number",),
    "PostalAddress": ("street_address", "postal_code", "city", "country"),
    "OrganisationRole": ("organisation", "title"),
    "ServiceAccount": ("username", "external_id", "password_hash"),
    "IdentityVerification": ("method", "result", "verified_at"),
    "Customership": ("started_on", "ended_on", "end_reason"),
    "UsageEvent": ("action", "detail", "occurred_at"),
    "ContactEvent": ("channel", "direction", "summary", "occurred_at"),
    "PaymentCard": ("provider_token", "brand", "last_four", "expires"),
    "BillingAccount": ("e_invoice_address", "reference"),
    "ServiceSubscription": ("service", "started_on", "ended_on"),
    "Payment": ("amount", "currency", "paid_at", "method"),
    "Invoice": (
        "number", "amount", "issued_on", "due_on", "billing_name", "billing_address",
    ),
    "WebVisit": ("ip_address", "cookie_id", "user_agent", "page", "occurred_at"),
    "Delivery": ("channel", "campaign", "sent_at", "opened_at", "clicked_at"),
    "Feedback": ("text", "rating", "theme", "given_at"),
    "ServiceCase": ("subject", "description", "resolution", "opened_at", "closed_at"),
    "UserContent": ("title", "body", "url"),
    "ConsentedDatum": ("label", "value"),
    "Rectification": ("field", "reason", "made_by"),
    "ConsentEvent": (
        "scope", "action", "channel", "text_hash", "notice_version", "occurred_at",
    ),
}  # fmt: skip
MODEL_NAMES: tuple[str, ...] = tuple(PLANNED_FIELDS)
# Rows that only make sense beside another table's.
NEEDS: dict[str, str] = {"OrganisationRole": "Organisation", "EmailChange": "EmailAddress"}
# Where a table's history is the service's own record of use, a source of those
# kinds is drawn when the policy allows one; elsewhere any source it allows.
KINDS: dict[str, tuple[SourceKind, ...]] = {
    "Person": (SourceKind.SUBJECT,),
    "UsageEvent": (SourceKind.OBSERVED, SourceKind.SUBJECT),
    "ServiceSubscription": (SourceKind.OBSERVED, SourceKind.SUBJECT),
}
# Tables written by the register under the source the policy declares for the record.
RECORDS: dict[str, SourceRecord] = {
    "Rectification": SourceRecord.STAFF_ENTRIES,
    "Delivery": SourceRecord.MARKETING_DELIVERIES,
}
# The consent ledger's channels the demo uses; staff record a choice by the last.
CONSENT_CHANNELS = ("portal", "form")
STAFF_CHANNEL = "customer_service"


def table_key(name: str) -> str:
    """The policy's name of a table: "EmailAddress" -> "email_address"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class DemoRules:
    """What the policy lets the demo write, read from it once per run."""

    words: Words
    # The controller's country: the register checks identity codes and business ids
    # by its rules, whatever country the words come from.
    country: str
    # The tables the demo fills, and the sources each may name (drawn from evenly).
    sources: Mapping[str, tuple[str, ...]]
    # By table, the fields the policy does not collect: left at their defaults.
    dropped: Mapping[str, frozenset[str]]
    identity_codes: bool
    # The scopes a person may consent on: purposes on consent, and direct marketing.
    consent_scopes: tuple[str, ...]
    # The scope of the direct-marketing purpose people are sent marketing under.
    marketing_scope: str | None
    # Whether that purpose lets customers be sent marketing until they refuse
    # (legitimate interest), or only those who consented.
    marketing_without_consent: bool
    # The text each scope's consent shows, in ``text_language``, with its hash.
    consent_texts: Mapping[str, str]
    consent_hashes: Mapping[str, str]
    text_language: str
    # The consent ledger's channel -> the source its events name.
    consent_channels: Mapping[str, str]
    services: tuple[str, ...]
    brand: str
    # The source under which staff correct a contact detail or store a new one.
    staff_source: str | None
    # How many days of history each retention rule keeps: an ex-customer's since
    # the customership ended, a prospect's since registering, and by table the
    # rows kept by their own time. None where no rule of the kind applies.
    customer_days: int | None = None
    prospect_days: int | None = None
    event_days: Mapping[str, int] = field(default_factory=dict)

    def fills(self, name: str) -> bool:
        return name in self.sources


def _record_source(policy: Policy, record: SourceRecord) -> str | None:
    try:
        return policy.source_for(record)
    except LookupError:
        return None


def _days(rules: list[RetentionRule]) -> int | None:
    """The days the shortest of ``rules`` surely keeps: a month has at least 28."""
    return min((rule.total_months * 28 for rule in rules), default=None)


def _retention_days(
    policy: Policy, tables: Mapping[str, set[str]]
) -> tuple[int | None, int | None, dict[str, int]]:
    """Days of history the policy keeps for ex-customers, prospects and by table."""
    used = [policy.retention[category.retention] for category in policy.categories.values()]
    customer = [rule for rule in used if rule.after == RetentionEvent.CUSTOMERSHIP_END]
    prospect = [rule for rule in used if rule.after == RetentionEvent.REGISTERED]
    prospect += [policy.retention[rule.fallback] for rule in customer if rule.fallback]
    events: dict[str, int] = {}
    for name, categories in tables.items():
        days = _days(
            [
                rule
                for category in categories
                if (rule := policy.retention[policy.categories[category].retention]).after
                == RetentionEvent.EVENT_TIME
            ]
        )
        if days is not None:
            events[name] = days
    return _days(customer), _days(prospect), events


def demo_rules(policy: Policy | None = None) -> DemoRules:
    """Read what the demo may write from ``policy`` (default: the loaded one)."""
    policy = policy or policy_get()
    collected = {
        f"{table_key(name)}.{field}": policy.category_of_field(f"{table_key(name)}.{field}")
        for name, fields in PLANNED_FIELDS.items()
        for field in fields
    }
    dropped = {
        name: frozenset(
            field for field in fields if collected[f"{table_key(name)}.{field}"] is None
        )
        for name, fields in PLANNED_FIELDS.items()
    }
    sources: dict[str, tuple[str, ...]] = {}
    tables: dict[str, set[str]] = {}
    for name, fields in PLANNED_FIELDS.items():
        categories = {
            category
            for field in fields
            if (category := collected[f"{table_key(name)}.{field}"]) is not None
        }
        tables[name] = categories
        if not categories or (name in NEEDS and NEEDS[name] not in sources):
            continue  # the policy collects nothing the table holds
        # A source the policy lists for every category the row writes (notice §7).
        allowed = tuple(
            key
            for key in policy.sources
            if all(key in policy.categories[category].sources for category in categories)
        )
        if name in RECORDS:
            recorded = _record_source(policy, RECORDS[name])
            allowed = (recorded,) if recorded in allowed else allowed
        kinds = KINDS.get(name, ())
        preferred = tuple(key for key in allowed if policy.sources[key].kind in kinds)
        if preferred or allowed:
            sources[name] = preferred or allowed

    words = words_for(country=policy.controller.country, languages=policy.policy.languages)
    staff = _record_source(policy, SourceRecord.STAFF_ENTRIES)
    choices = _record_source(policy, SourceRecord.SUBJECT_CHOICES)
    consent_channels: dict[str, str] = {}
    allowed_consent = sources.get("ConsentEvent", ())
    if choices in allowed_consent:
        consent_channels.update(dict.fromkeys(CONSENT_CHANNELS, choices))
    if staff in allowed_consent:
        consent_channels[STAFF_CHANNEL] = staff
    if not consent_channels:
        sources.pop("ConsentEvent", None)

    purposes = policy.purposes
    scopes = tuple(
        key
        for key, purpose in purposes.items()
        if purpose.legal_basis == LegalBasis.CONSENT or purpose.direct_marketing
    )
    marketing = next((key for key, p in purposes.items() if p.direct_marketing), None)
    if marketing is None:
        sources.pop("Delivery", None)
    language = (
        words.language if words.language in policy.policy.languages else policy.policy.languages[0]
    )
    texts = {
        scope: words.consent_text.format(
            controller=policy.controller.name, purpose=purposes[scope].name(language)
        )
        for scope in scopes
    }
    brand = policy.controller.name.split()[0]
    customer_days, prospect_days, event_days = _retention_days(policy, tables)
    return DemoRules(
        words=words,
        country=policy.controller.country,
        sources=sources,
        dropped=dropped,
        # The demo makes only Finnish identity codes.
        identity_codes=policy.controller.country == "FI"
        and "personal_identity_code" not in dropped["Person"],
        consent_scopes=scopes,
        marketing_scope=marketing,
        marketing_without_consent=marketing is not None
        and purposes[marketing].legal_basis != LegalBasis.CONSENT,
        consent_texts=texts,
        consent_hashes={
            scope: consent_text_hash(text=text, language=language) for scope, text in texts.items()
        },
        text_language=language,
        consent_channels=consent_channels,
        services=tuple(f"{brand} {tier}" for tier in words.service_tiers),
        brand=brand,
        staff_source=staff
        if staff in sources.get("EmailAddress", ()) and staff in sources.get("EmailChange", ())
        else None,
        customer_days=customer_days,
        prospect_days=prospect_days,
        event_days=event_days,
    )
