"""Checks that need the whole policy: references between parts, and the law.

Each check yields a ``Problem`` with the key path it concerns, so that the
loader can name the offending key and its line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from rekisteri.core import clock, countries
from rekisteri.policy.schema import (
    ErasureAction,
    LegalBasis,
    Policy,
    PurposeUse,
    RetentionEvent,
    Right,
    SourceKind,
    SourceRecord,
    Text,
)

Path = tuple[str | int, ...]

# Rights every notice must describe, whatever the legal bases (Art. 13(2)(b), (d)).
ALWAYS_REQUIRED_RIGHTS = frozenset(
    {
        Right.ACCESS,
        Right.RECTIFICATION,
        Right.OBJECTION_DIRECT_MARKETING,
        Right.DELETION,
        Right.ERASURE,
        Right.PORTABILITY,
        Right.RESTRICTION,
        Right.COMPLAINT,
    }
)


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


def check_policy(policy: Policy) -> list[Problem]:
    """Return every contradiction in the policy; an empty list means it holds."""
    return [
        *_check_languages(policy),
        *_check_controller(policy),
        *_check_purposes(policy),
        *_check_categories(policy),
        *_check_not_collected(policy),
        *_check_retention(policy),
        *_check_recipients(policy),
        *_check_cookies(policy),
        *_check_rights(policy),
        *_check_roles(policy),
        *_check_roles_meanings(policy),
        *_check_source_records(policy),
    ]


def _unknown(kind: str, key: str, known: object) -> str:
    choices = ", ".join(sorted(str(k) for k in known))  # type: ignore[attr-defined]
    return f"unknown {kind} {key!r} (known: {choices})"


def _check_languages(policy: Policy) -> Iterator[Problem]:
    languages = policy.policy.languages
    for i, lang in enumerate(languages):
        if lang in languages[:i]:
            yield Problem(("policy", "languages", i), f"the language {lang!r} is named twice")
    for path, text in _texts(policy, ()):
        missing = [lang for lang in dict.fromkeys(languages) if not text.has(lang)]
        if missing:
            yield Problem(
                path,
                "the text must be given in every language the register offers "
                f"([policy] languages); missing: {', '.join(missing)}",
            )


def _texts(value: object, path: Path) -> Iterator[tuple[Path, Text]]:
    """Every Text in the policy, with its key path."""
    if isinstance(value, Text):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), (*path, name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(item, (*path, str(key)))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _texts(item, (*path, i))


def _check_controller(policy: Policy) -> Iterator[Problem]:
    yield from _check_country(policy)
    controller = policy.controller
    if controller.data_protection_officer is None and (
        controller.data_protection_officer_required is not False
    ):
        yield Problem(
            ("controller", "data_protection_officer"),
            "the notice must give the data protection officer's contact "
            "(GDPR Art. 13(1)(b), 14(1)(b)); where Art. 37(1) requires no officer, say so "
            "with data_protection_officer_required = false",
        )
    text_date = policy.policy.text_date
    if text_date is not None and text_date > clock.today():
        yield Problem(("policy", "text_date"), "the date of the text is in the future")


def _check_country(policy: Policy) -> Iterator[Problem]:
    """The controller's address and business id by its country's rules; its holidays
    and time zone must be known, since request deadlines and dates depend on them."""
    controller = policy.controller
    try:
        countries.country_get(controller.country)
    except countries.Refused as refused:
        yield Problem(("controller", "country"), refused.reason)
        return
    checks: list[tuple[str, str, Callable[[str, str], str]]] = [
        ("business_id", controller.business_id, countries.business_id_clean),
        ("postal_code", controller.postal_code, countries.postal_code_clean),
    ]
    for key, value, clean in checks:
        try:
            clean(controller.country, value)
        except countries.Refused as refused:
            yield Problem(("controller", key), f"{value!r} {refused.reason}")
    holidays_problem = countries.holiday_calendar_check(controller.country, controller.subdivision)
    if holidays_problem:
        yield Problem(("controller", "subdivision"), holidays_problem)
    if controller.time_zone is not None:
        zone_problem = countries.time_zone_check(controller.time_zone)
        if zone_problem:
            yield Problem(("controller", "time_zone"), zone_problem)


def _check_purposes(policy: Policy) -> Iterator[Problem]:
    for key, purpose in policy.purposes.items():
        relies_on_interest = purpose.legal_basis == LegalBasis.LEGITIMATE_INTEREST
        if relies_on_interest and purpose.legitimate_interest is None:
            yield Problem(
                ("purposes", key, "legitimate_interest"),
                "a purpose based on legitimate interest must state the interest "
                "(GDPR Art. 13(1)(d))",
            )
        if not relies_on_interest and purpose.legitimate_interest is not None:
            yield Problem(
                ("purposes", key, "legitimate_interest"),
                f"states a legitimate interest but its legal basis is {purpose.legal_basis}",
            )
        if purpose.direct_marketing and purpose.legal_basis not in {
            LegalBasis.CONSENT,
            LegalBasis.LEGITIMATE_INTEREST,
        }:
            yield Problem(
                ("purposes", key, "legal_basis"),
                "direct marketing rests on consent or legitimate interest, "
                f"not {purpose.legal_basis}",
            )
        for i, use in enumerate(purpose.serves):
            if use == PurposeUse.CAMPAIGNS and not purpose.direct_marketing:
                yield Problem(
                    ("purposes", key, "serves", i),
                    "only a direct-marketing purpose (direct_marketing = true) "
                    "serves the campaign report",
                )
            if use == PurposeUse.SURVEYS and PurposeUse.SEGMENTS not in purpose.serves:
                yield Problem(
                    ("purposes", key, "serves", i),
                    "a survey goes to a saved segment of its purpose: "
                    "a purpose that serves surveys also serves segments",
                )
    surveys = policy.purposes_serving(PurposeUse.SURVEYS)
    for key in surveys[1:]:
        yield Problem(
            ("purposes", key, "serves"),
            f"only one purpose may serve surveys; {surveys[0]!r} does already",
        )


def _check_categories(policy: Policy) -> Iterator[Problem]:
    declared_in: dict[str, str] = {}
    for key, category in policy.categories.items():
        base: Path = ("categories", key)
        for i, purpose in enumerate(category.purposes):
            if purpose not in policy.purposes:
                yield Problem((*base, "purposes", i), _unknown("purpose", purpose, policy.purposes))
        for i, source in enumerate(category.sources):
            if source not in policy.sources:
                yield Problem((*base, "sources", i), _unknown("source", source, policy.sources))
        if category.retention not in policy.retention:
            yield Problem(
                (*base, "retention"),
                _unknown("retention rule", category.retention, policy.retention),
            )
        for i, field in enumerate(category.fields):
            if field in declared_in:
                yield Problem(
                    (*base, "fields", i),
                    f"field {field!r} is already declared in category {declared_in[field]!r}; "
                    "each field belongs to exactly one category",
                )
            else:
                declared_in[field] = key
        yield from _check_erasure(policy, key)


def _check_erasure(policy: Policy, key: str) -> Iterator[Problem]:
    category = policy.categories[key]
    base: Path = ("categories", key)
    if category.erasure == ErasureAction.ANONYMISE and category.anonymise is None:
        yield Problem(
            (*base, "anonymise"),
            "erasure = 'anonymise' needs anonymise = 'scrub_text' or 'structured_only'",
        )
    if category.erasure != ErasureAction.ANONYMISE and category.anonymise is not None:
        yield Problem((*base, "anonymise"), "anonymise is only for erasure = 'anonymise'")
    if category.erasure == ErasureAction.HOLD:
        if category.hold is None:
            yield Problem((*base, "hold"), "erasure = 'hold' needs the retention rule of the hold")
        elif category.hold not in policy.retention:
            yield Problem(
                (*base, "hold"), _unknown("retention rule", category.hold, policy.retention)
            )
        elif policy.retention[category.hold].law is None:
            yield Problem(
                (*base, "hold"),
                f"retention rule {category.hold!r} names no law; a legal hold needs one",
            )
        if not category.keep_fields:
            yield Problem(
                (*base, "keep_fields"),
                "a legal hold keeps the data minimised: list the fields it keeps",
            )
    else:
        if category.hold is not None:
            yield Problem((*base, "hold"), "hold is only for erasure = 'hold'")
        if category.keep_fields:
            yield Problem((*base, "keep_fields"), "keep_fields is only for erasure = 'hold'")
    for i, field in enumerate(category.keep_fields):
        if field not in category.fields:
            yield Problem(
                (*base, "keep_fields", i),
                f"field {field!r} is not one of this category's fields",
            )


def _check_not_collected(policy: Policy) -> Iterator[Problem]:
    for i, field in enumerate(policy.not_collected):
        category = policy.category_of_field(field)
        if category is not None:
            yield Problem(
                ("not_collected", i),
                f"{field} is declared not collected, but category {category!r} collects it",
            )


def _check_retention(policy: Policy) -> Iterator[Problem]:
    for key, rule in policy.retention.items():
        if (rule.months is None) == (rule.years is None):
            yield Problem(("retention", key), "give the period as exactly one of months or years")
        if rule.fallback is not None and rule.after != RetentionEvent.CUSTOMERSHIP_END:
            yield Problem(
                ("retention", key, "fallback"),
                "only a rule counted from the end of a customership needs a fallback",
            )
        elif rule.fallback is not None:
            if rule.fallback not in policy.retention:
                yield Problem(
                    ("retention", key, "fallback"),
                    _unknown("retention rule", rule.fallback, policy.retention),
                )
            elif policy.retention[rule.fallback].after == rule.after:
                yield Problem(
                    ("retention", key, "fallback"),
                    "a fallback must run from another event than the rule it stands in for",
                )


def _check_recipients(policy: Policy) -> Iterator[Problem]:
    for key, recipient in policy.recipients.items():
        for i, category in enumerate(recipient.categories):
            if category not in policy.categories:
                yield Problem(
                    ("recipients", key, "categories", i),
                    _unknown("category", category, policy.categories),
                )
    for key, transfer in policy.transfers.items():
        for i, recipient_key in enumerate(transfer.recipients):
            if recipient_key not in policy.recipients:
                yield Problem(
                    ("transfers", key, "recipients", i),
                    _unknown("recipient", recipient_key, policy.recipients),
                )


def _check_cookies(policy: Policy) -> Iterator[Problem]:
    if policy.cookies and not any(c.necessary for c in policy.cookies.values()):
        yield Problem(("cookies",), "declare the strictly necessary cookies as one category")
    for key, cookie in policy.cookies.items():
        for i, purpose in enumerate(cookie.purposes):
            if purpose not in policy.purposes:
                yield Problem(
                    ("cookies", key, "purposes", i), _unknown("purpose", purpose, policy.purposes)
                )


def _check_rights(policy: Policy) -> Iterator[Problem]:
    bases = {purpose.legal_basis for purpose in policy.purposes.values()}
    required = set(ALWAYS_REQUIRED_RIGHTS)
    if LegalBasis.LEGITIMATE_INTEREST in bases:
        required.add(Right.OBJECTION)  # Art. 21(1)
    if LegalBasis.CONSENT in bases:
        required.add(Right.WITHDRAW_CONSENT)  # Art. 13(2)(c)
    for right in sorted(required - set(policy.rights)):
        yield Problem(("rights", str(right)), f"the notice must describe the right {str(right)!r}")


def _check_roles(policy: Policy) -> Iterator[Problem]:
    for key, role in policy.roles.items():
        for i, purpose in enumerate(role.purposes):
            if purpose not in policy.purposes:
                yield Problem(
                    ("roles", key, "purposes", i), _unknown("purpose", purpose, policy.purposes)
                )


def _check_roles_meanings(policy: Policy) -> Iterator[Problem]:
    if policy.roles and not policy.request_handler_roles():
        yield Problem(
            ("roles",),
            "no role handles data subject requests: give one handles_requests = true "
            "(GDPR Art. 12(3) requires every request to be answered)",
        )
    for key, role in policy.roles.items():
        if not role.purposes and not role.handles_requests:
            yield Problem(
                ("roles", key),
                "the role grants no purpose and handles no requests: no one could do "
                "anything holding it",
            )
        if role.handles_requests and not role.sees_restricted:
            yield Problem(
                ("roles", key, "handles_requests"),
                "a role that handles requests must see restricted people "
                "(sees_restricted = true): a request often restricts its own person",
            )


# The kinds of source each meaning may have, and when the register needs it.
_RECORD_KINDS: dict[SourceRecord, frozenset[SourceKind]] = {
    SourceRecord.SUBJECT_CHOICES: frozenset({SourceKind.SUBJECT}),
    SourceRecord.STAFF_ENTRIES: frozenset({SourceKind.STAFF}),
    SourceRecord.SURVEY_ANSWERS: frozenset({SourceKind.SUBJECT}),
    SourceRecord.MARKETING_DELIVERIES: frozenset({SourceKind.OBSERVED, SourceKind.STAFF}),
}


# A field of what the register writes under each meaning's source: a consent, a
# rectification of contact details (and the details themselves), a survey answer
# (stored as feedback), a marketing delivery. Each one's category must list the source.
_RECORD_FIELDS: dict[SourceRecord, tuple[str, ...]] = {
    SourceRecord.SUBJECT_CHOICES: ("consent_event.scope",),
    SourceRecord.STAFF_ENTRIES: (
        "consent_event.scope",
        "rectification.reason",
        "email_address.address",
        "phone_number.number",
        "postal_address.street_address",
    ),
    SourceRecord.SURVEY_ANSWERS: ("feedback.rating",),
    SourceRecord.MARKETING_DELIVERIES: ("delivery.campaign",),
}


def _record_needed(policy: Policy, record: SourceRecord) -> str | None:
    """Why the register needs a source for ``record`` under this policy, or None."""
    if record == SourceRecord.SURVEY_ANSWERS:
        surveys = policy.purposes_serving(PurposeUse.SURVEYS)
        return f"purpose {surveys[0]!r} serves surveys" if surveys else None
    if record == SourceRecord.MARKETING_DELIVERIES:
        direct = [k for k, p in policy.purposes.items() if p.direct_marketing]
        return f"purpose {direct[0]!r} is direct marketing" if direct else None
    # Consents are recorded under every policy, by the person and by staff.
    return "every register records consents and choices"


def _check_source_records(policy: Policy) -> Iterator[Problem]:
    declared: dict[SourceRecord, str] = {}
    for key, source in policy.sources.items():
        for i, record in enumerate(source.records):
            path: Path = ("sources", key, "records", i)
            if record in declared:
                yield Problem(
                    path,
                    f"{str(record)!r} is recorded under source {declared[record]!r} already; "
                    "exactly one source records it",
                )
                continue
            declared[record] = key
            kinds = _RECORD_KINDS[record]
            if source.kind not in kinds:
                yield Problem(
                    path,
                    f"a source that records {str(record)!r} is of kind "
                    f"{' or '.join(sorted(kinds))}, not {source.kind}",
                )
            refusing = sorted(
                {
                    category
                    for field in _RECORD_FIELDS[record]
                    if (category := policy.category_of_field(field)) is not None
                    and key not in policy.categories[category].sources
                }
            )
            if refusing and _record_needed(policy, record) is not None:
                named = ", ".join(map(repr, refusing))
                yield Problem(
                    path,
                    f"the register writes {str(record)!r} under this source, but "
                    + (
                        f"the category {named} does not list it among its sources"
                        if len(refusing) == 1
                        else f"the categories {named} do not list it among their sources"
                    ),
                )
    for record in SourceRecord:
        why = _record_needed(policy, record)
        if record not in declared and why is not None:
            yield Problem(
                ("sources",),
                f"no source records {str(record)!r} ({why}): "
                f'give one source records = ["{record}"]',
            )
