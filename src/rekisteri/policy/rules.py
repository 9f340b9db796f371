"""Checks that need the whole policy: references between parts, and the law.

Each check yields a ``Problem`` with the key path it concerns, so that the
loader can name the offending key and its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pydantic import BaseModel
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fi import ytunnus
from stdnum.se import orgnr

from rekisteri.core import clock
from rekisteri.policy.schema import (
    ErasureAction,
    LegalBasis,
    Policy,
    RetentionEvent,
    Right,
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
    business_id = policy.controller.business_id
    if policy.controller.country == "SE":
        # A Swedish controller's organisationsnummer; the per-country choice of
        # register (controller.country) replaces this when it lands.
        try:
            orgnr.validate(business_id)
        except ValidationError:
            yield Problem(
                ("controller", "business_id"),
                f"{business_id!r} is not a valid Swedish organisation number "
                "(organisationsnummer): expected 556036-0793",
            )
    else:
        yield from _check_finnish_business_id(business_id)
    yield from _check_controller_contact(policy)


def _check_finnish_business_id(business_id: str) -> Iterator[Problem]:
    try:
        ytunnus.validate(business_id)
    except InvalidChecksum:
        yield Problem(
            ("controller", "business_id"),
            f"{business_id!r} is not a valid Finnish business id (Y-tunnus): "
            "the check digit does not match",
        )
    except ValidationError:
        yield Problem(
            ("controller", "business_id"),
            f"{business_id!r} is not a Finnish business id (Y-tunnus): expected 1234567-8",
        )


def _check_controller_contact(policy: Policy) -> Iterator[Problem]:
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
