"""The loaded register description's keys, found by what they mean.

Tests never name a company's purposes, sources, roles or categories: they ask
here, so that the suite runs under any description (``REKISTERI_POLICY``).
Each helper picks by a meaning the description declares (a source's ``kind`` and
``records``, a purpose's ``serves`` and ``direct_marketing``, a role's
``handles_requests``, the fields a category holds), the way the code does.
"""

from __future__ import annotations

from collections.abc import Iterable

from rekisteri.consent.marketing import own_marketing_purpose
from rekisteri.policy.schema import (
    Language,
    LegalBasis,
    Policy,
    PurposeUse,
    SourceKind,
    SourceRecord,
)
from rekisteri.policy.selectors import policy_get
from rekisteri.register.services import contact_write_purposes


def policy() -> Policy:
    return policy_get()


def is_mainioco() -> bool:
    """Whether Mainioco's own description is loaded (tests of its words need it)."""
    return policy().policy.id == "mainioco"


def language() -> Language:
    """The register's default language: the one unprefixed pages speak."""
    return policy().policy.languages[0]


# Sources -------------------------------------------------------------------------


def subject_source() -> str:
    """The person themself: the source that records their own choices."""
    return policy().source_for(SourceRecord.SUBJECT_CHOICES)


def staff_source() -> str:
    """The company's staff: the source that records staff entries."""
    return policy().source_for(SourceRecord.STAFF_ENTRIES)


def survey_source() -> str:
    return policy().source_for(SourceRecord.SURVEY_ANSWERS)


def marketing_source() -> str:
    return policy().source_for(SourceRecord.MARKETING_DELIVERIES)


def source_of(field: str, *kinds: SourceKind) -> str:
    """A source the policy lists for the category of ``field``, of one of ``kinds``
    (any kind when none is given), in the order the policy lists them."""
    found = sources_of(field, *kinds)
    if not found:
        raise LookupError(f"the policy lists no source of {kinds} for {field}")
    return found[0]


def sources_of(field: str, *kinds: SourceKind) -> list[str]:
    p = policy()
    category = category_of(field)
    return [
        key for key in p.categories[category].sources if not kinds or p.sources[key].kind in kinds
    ]


def service_source_for(*fields: str) -> str:
    """The company's service writing ``fields``: a source listed for every category of
    them, the person's or what is observed, preferring one the register does not write
    under itself (the analysis service over "the person in the portal")."""
    p = policy()
    common = [
        key
        for key in sources_of(fields[0], SourceKind.SUBJECT, SourceKind.OBSERVED)
        if all(key in sources_of(field) for field in fields[1:])
    ]
    if not common:
        raise LookupError(f"no one source of the policy writes all of {fields}")
    return next((key for key in common if not p.sources[key].records), common[0])


def service_source() -> str:
    """The company's own service, which reports customerships and use of it."""
    return source_of("customership.started_on", SourceKind.SUBJECT, SourceKind.OBSERVED)


def usage_source() -> str:
    """What is seen of the person's use of the service."""
    return source_of("usage_event.action", SourceKind.SUBJECT, SourceKind.OBSERVED)


def web_source() -> str:
    return source_of("web_visit.ip_address")


def billing_source() -> str:
    """Who reports invoices and payments: a payment provider where the policy names one."""
    return (sources_of("invoice.number", SourceKind.THIRD_PARTY) or sources_of("invoice.number"))[0]


def third_party_source(field: str = "email_address.address") -> str:
    return source_of(field, SourceKind.THIRD_PARTY)


# Categories ----------------------------------------------------------------------


def category_of(field: str) -> str:
    """The category that holds ``field`` ("email_address.address" -> contact details)."""
    found = policy().category_of_field(field)
    if found is None:
        raise LookupError(f"the policy collects no {field}")
    return found


def collects(field: str) -> bool:
    return policy().category_of_field(field) is not None


def contact_category() -> str:
    return category_of("email_address.address")


# Purposes ------------------------------------------------------------------------


def relationship_purpose() -> str:
    """The purpose of the customer relationship itself: of those that may keep contact
    details correct, the one that opens the most categories."""
    p = policy()

    def opened(purpose: str) -> int:
        return sum(purpose in c.purposes for c in p.categories.values())

    return max(contact_write_purposes(), key=opened)


def purposes_of(field: str) -> tuple[str, ...]:
    return policy().categories[category_of(field)].purposes


def marketing_purpose() -> str:
    """The direct-marketing purpose objections are recorded on (the company's own)."""
    found = own_marketing_purpose()
    if found is None:
        raise LookupError("the policy does no direct marketing")
    return found


def marketing_purposes() -> list[str]:
    return [k for k, v in policy().purposes.items() if v.direct_marketing]


def consent_marketing_purpose() -> str | None:
    """A direct-marketing purpose that rests on consent alone, if the policy has one."""
    return next(
        (
            k
            for k, v in policy().purposes.items()
            if v.direct_marketing and v.legal_basis == LegalBasis.CONSENT
        ),
        None,
    )


def serving(use: PurposeUse) -> str:
    found = policy().purposes_serving(use)
    if not found:
        raise LookupError(f"no purpose of the policy serves {use}")
    return found[0]


def statistics_purpose() -> str:
    return serving(PurposeUse.STATISTICS)


def feedback_purpose() -> str:
    return serving(PurposeUse.FEEDBACK)


def survey_purpose() -> str:
    """The purpose surveys are sent for; its consent lets a person be asked."""
    return serving(PurposeUse.SURVEYS)


def consent_purposes() -> list[str]:
    """Purposes that rest on consent, not direct marketing ones."""
    return [
        k
        for k, v in policy().purposes.items()
        if v.legal_basis == LegalBasis.CONSENT and not v.direct_marketing
    ]


def interest_purpose() -> str:
    """A purpose on legitimate interest, not direct marketing (one may object to it)."""
    return next(
        k
        for k, v in policy().purposes.items()
        if v.legal_basis == LegalBasis.LEGITIMATE_INTEREST and not v.direct_marketing
    )


def purpose_not_reading(field: str) -> str:
    """A purpose of the policy that the category of ``field`` does not serve."""
    used = set(purposes_of(field))
    return next(k for k in policy().purposes if k not in used)


# Roles ---------------------------------------------------------------------------


def request_role() -> str:
    """The role that handles data subject requests (the data protection officer)."""
    return policy().request_handler_roles()[0]


def _roles(where: Iterable[tuple[str, bool]]) -> str:
    return next(key for key, ok in where if ok)


def service_role() -> str:
    """Customer service: a role that holds the relationship purpose, handles no requests
    and sees people, not only aggregates."""
    purpose = relationship_purpose()
    return _roles(
        (k, purpose in r.purposes and not r.handles_requests and not r.aggregates_only)
        for k, r in policy().roles.items()
    )


def marketing_role() -> str:
    """A role that holds the company's own marketing and handles no requests."""
    purpose = marketing_purpose()
    return _roles(
        (k, purpose in r.purposes and not r.handles_requests) for k, r in policy().roles.items()
    )


def analyst_role() -> str:
    return _roles((k, r.aggregates_only) for k, r in policy().roles.items())


def role_purposes(role: str) -> frozenset[str]:
    return frozenset(policy().roles[role].purposes)


# Words ---------------------------------------------------------------------------


def words(text: object, lang: Language | None = None) -> str:
    """A translatable text as the register says it in ``lang`` (by default its own)."""
    from django.utils import translation

    with translation.override(lang or language()):
        return str(text)
