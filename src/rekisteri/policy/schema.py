"""The register description as typed, frozen data.

One TOML file states what the privacy notice promises; these models are its
shape. They refuse unknown keys and coercions (a string where a number belongs),
and ``rules.py`` checks how the parts refer to each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictInt,
    StrictStr,
    model_serializer,
    model_validator,
)

Key = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# A field of the register's data model: "<model>.<field>", both in snake case;
# "*.<field>" is a column every personal-data table carries (provenance).
FieldRef = Annotated[StrictStr, Field(pattern=r"^([a-z][a-z0-9_]*|\*)\.[a-z][a-z0-9_]*$")]
NonEmpty = Annotated[StrictStr, Field(min_length=1)]
Email = Annotated[StrictStr, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
CountryCode = Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]

# The languages Rekisteri can speak; a policy offers some of them ([policy] languages).
Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en")
# What a register offers when its policy does not say: Mainioco's two languages.
DEFAULT_LANGUAGES: tuple[Language, ...] = ("fi", "en")
# Each language's own name for itself, as a language switcher shows it.
LANGUAGE_NAMES: dict[Language, str] = {"fi": "suomi", "sv": "svenska", "en": "English"}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Frozen):
    """A text of the notice in the languages the policy offers.

    The loader refuses a Text that lacks one of ``[policy] languages``; one that
    is asked for a language the policy does not offer answers in another.
    """

    fi: NonEmpty | None = None
    sv: NonEmpty | None = None
    en: NonEmpty | None = None

    @model_validator(mode="after")
    def _some_language(self) -> Text:
        if self.fi is None and self.sv is None and self.en is None:
            raise ValueError("give the text in at least one language (fi, sv, en)")
        return self

    @model_serializer(mode="wrap")
    def _present_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, str]:
        # A language not given is left out, so that a stored notice version of a
        # policy that offers fi and en keeps its content (and hash) unchanged.
        return {lang: text for lang, text in handler(self).items() if text is not None}

    def has(self, lang: Language) -> bool:
        return getattr(self, lang) is not None

    def __call__(self, lang: Language) -> str:
        for candidate in (lang, "en", "fi", "sv"):
            text: str | None = getattr(self, candidate)
            if text is not None:
                return text
        raise AssertionError("a Text holds at least one language")  # the validator ensures it


class LegalBasis(StrEnum):
    """GDPR Art. 6(1) (a)-(f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTEREST = "legitimate_interest"


class Origin(StrEnum):
    """How the register came to hold a datum; Art. 20 covers provided and observed."""

    PROVIDED = "provided"
    OBSERVED = "observed"
    DERIVED = "derived"


class SourceKind(StrEnum):
    """Who a source is, which decides what the person may take with them (Art. 20).

    Portability covers what the person provided, actively or by using the
    service (what was observed of their use); not what the company's staff
    recorded, nor what third parties supplied (EDPB WP242 rev.01).
    """

    SUBJECT = "subject"
    OBSERVED = "observed"
    STAFF = "staff"
    THIRD_PARTY = "third_party"


class SourceRecord(StrEnum):
    """What the register itself writes under a source it must pick on its own.

    The code never names a source: where a write has no source given by its
    caller, the policy says which source it is by declaring this meaning.
    """

    # A choice the person makes themself (a consent in the portal, an opt-out).
    SUBJECT_CHOICES = "subject_choices"
    # What the company's staff enter: a consent recorded for the person, a rectification.
    STAFF_ENTRIES = "staff_entries"
    # The person's answer to a survey.
    SURVEY_ANSWERS = "survey_answers"
    # A marketing message delivered to the person.
    MARKETING_DELIVERIES = "delivered_marketing"


class PurposeUse(StrEnum):
    """A feature of the register that serves a purpose: only its purposes open it."""

    # Reports on customerships, services and usage.
    STATISTICS = "statistics"
    # The report on feedback and satisfaction.
    FEEDBACK = "feedback_report"
    # The report on marketing campaigns (a direct-marketing purpose only).
    CAMPAIGNS = "campaign_report"
    # Segments: groups of people by declared fields, seen as counts.
    SEGMENTS = "segments"
    # Surveys sent to a saved segment of the purpose.
    SURVEYS = "surveys"


class ErasureAction(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"
    HOLD = "hold"


class AnonymiseMode(StrEnum):
    # Keep the text with identifiers replaced by placeholders.
    SCRUB_TEXT = "scrub_text"
    # Keep only the structured results (ratings, themes, counts).
    STRUCTURED_ONLY = "structured_only"


class RetentionEvent(StrEnum):
    """The dates a retention period may run from; the register knows how to find each."""

    CUSTOMERSHIP_END = "customership_end"
    REGISTERED = "registered"
    EVENT_TIME = "event_time"
    FINANCIAL_YEAR_END = "financial_year_end"


class Right(StrEnum):
    """The data subject's rights that a notice must describe (Art. 13(2), 15-22, 77)."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    OBJECTION_DIRECT_MARKETING = "objection_direct_marketing"
    OBJECTION = "objection"
    DELETION = "deletion"
    ERASURE = "erasure"
    PORTABILITY = "portability"
    RESTRICTION = "restriction"
    WITHDRAW_CONSENT = "withdraw_consent"
    COMPLAINT = "complaint"


class Safeguard(StrEnum):
    """GDPR Chapter V grounds for a transfer outside the EU/EEA."""

    ADEQUACY_DECISION = "adequacy_decision"
    STANDARD_CONTRACTUAL_CLAUSES = "standard_contractual_clauses"
    BINDING_CORPORATE_RULES = "binding_corporate_rules"
    DEROGATION = "derogation"


class RecipientKind(StrEnum):
    PROCESSOR = "processor"
    GROUP_COMPANY = "group_company"
    AUTHORITY = "authority"
    CONTROLLER = "controller"


class Contact(_Frozen):
    name: NonEmpty
    email: Email
    phone: NonEmpty | None = None


class Controller(_Frozen):
    name: NonEmpty
    business_id: NonEmpty
    street_address: NonEmpty
    # Checked by the country's rule (rekisteri.core.countries), as the business id is.
    postal_code: NonEmpty
    city: NonEmpty
    # ISO 3166 alpha-2; selects the business id check, postal codes, public holidays
    # and the time zone.
    country: CountryCode = "FI"
    # Where public holidays differ by region (ISO 3166-2 without the country, as the
    # holidays package names them: "HH" for Hamburg).
    subdivision: NonEmpty | None = None
    # An IANA zone; by default the capital's.
    time_zone: NonEmpty | None = None
    contact_email: Email
    phone: NonEmpty | None = None
    data_protection_officer: Contact | None = None
    # Art. 37(1): whether the controller must designate a data protection officer.
    # A notice without the officer's contact must say that none is required.
    data_protection_officer_required: StrictBool | None = None


class SupervisoryAuthority(_Frozen):
    name: Text
    street_address: NonEmpty
    postal_address: NonEmpty
    phone: NonEmpty
    email: Email
    website: Annotated[StrictStr, Field(pattern=r"^https://")]


class NoticeTexts(_Frozen):
    """Prose of the notice that belongs to this controller, not to the law."""

    intro: Text
    legal_bases: Text
    outsourcing: Text
    data_requirement: Text
    sources_intro: Text
    disclosures: Text
    security_intro: Text
    cookies: Text
    cookies_refusal: Text
    automated_decisions: Text
    changes: Text


class Purpose(_Frozen):
    name: Text
    legal_basis: LegalBasis
    # Art. 13(1)(d): the interest must be stated where Art. 6(1)(f) is relied on.
    legitimate_interest: Text | None = None
    direct_marketing: StrictBool = False
    # The features of the register this purpose opens (reports, segments, surveys).
    serves: tuple[PurposeUse, ...] = ()


class Category(_Frozen):
    name: Text
    description: Text
    fields: Annotated[tuple[FieldRef, ...], Field(min_length=1)]
    purposes: Annotated[tuple[Key, ...], Field(min_length=1)]
    sources: Annotated[tuple[Key, ...], Field(min_length=1)]
    origin: Origin
    retention: Key
    erasure: ErasureAction = ErasureAction.DELETE
    anonymise: AnonymiseMode | None = None
    hold: Key | None = None
    keep_fields: tuple[FieldRef, ...] = ()


class RetentionRule(_Frozen):
    name: Text
    after: RetentionEvent
    months: Annotated[StrictInt, Field(ge=0, le=1200)] | None = None
    years: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    # The rule for a person the event never happened to (no customership at all).
    fallback: Key | None = None
    # Set where a law, not the controller, sets the period (a legal hold).
    law: Text | None = None
    note: Text | None = None

    @property
    def total_months(self) -> int:
        return (self.months or 0) + 12 * (self.years or 0)


class Source(_Frozen):
    name: Text
    description: Text | None = None
    kind: SourceKind
    # The subject themself: Art. 14 information is not needed for this source.
    from_subject: StrictBool = False
    # What the register writes under this source when no caller names one.
    records: tuple[SourceRecord, ...] = ()

    @property
    def portable(self) -> bool:
        return self.kind in (SourceKind.SUBJECT, SourceKind.OBSERVED)


class Recipient(_Frozen):
    name: Text
    kind: RecipientKind
    description: Text
    legal_basis: LegalBasis
    categories: tuple[Key, ...] = ()
    # Where the recipient is told that a transfer ended, or of a rectification,
    # erasure or restriction (Art. 19).
    contact: Contact | None = None


class Transfer(_Frozen):
    name: Text
    description: Text
    countries: tuple[CountryCode, ...] = ()
    safeguards: Annotated[tuple[Safeguard, ...], Field(min_length=1)]
    recipients: tuple[Key, ...] = ()


class CookieCategory(_Frozen):
    name: Text
    description: Text
    necessary: StrictBool = False
    purposes: tuple[Key, ...] = ()
    lifetime_days: Annotated[StrictInt, Field(ge=1, le=400)]


class RightText(_Frozen):
    text: Text


class DataSubjectGroup(_Frozen):
    name: Text


class Role(_Frozen):
    name: Text
    purposes: tuple[Key, ...] = ()
    # The data protection officer sees restricted people; no other role does.
    sees_restricted: StrictBool = False
    # Analysts: aggregates and pseudonymous ids only.
    aggregates_only: StrictBool = False
    # Handles data subject requests (Art. 12-22): the queue, verification, answers.
    handles_requests: StrictBool = False


# The name an integrating system's API key is made with (`rekisteri apikey create NAME`).
ApiClientName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]


class ApiClient(_Frozen):
    """How the register treats one integrating system, named as its API key is."""

    # An erasure (Art. 17) the system files for a person it authenticated waits for
    # the data protection officer's review, unless this says it need not.
    erasure_review: StrictBool = True


# An action code an integrating service reports ("report_view", "report.opened").
ActionCode = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_.:-]{0,63}$")]


class PortalTexts(_Frozen):
    """The company's own words on the data subject's pages; no part of the notice."""

    # The heading of signing in with the account of the company's own service.
    account_sign_in: Text | None = None
    # What the company's service means by each action code it reports of a person's
    # use (``usage_event.action``), so that people read words, not codes.
    usage_actions: Mapping[ActionCode, Text] = Field(default_factory=dict)


class Anonymisation(_Frozen):
    """What anonymised content may still be used for (notice §6)."""

    purpose: Text
    # Cells smaller than this are suppressed in every aggregate.
    min_cell_size: Annotated[StrictInt, Field(ge=2, le=1000)] = 5


class PolicyMeta(_Frozen):
    id: Key
    # The languages the register offers, the first its default: every Text of the
    # policy must be given in each, and each needs a complete translation catalogue.
    languages: Annotated[tuple[Language, ...], Field(min_length=1)] = DEFAULT_LANGUAGES

    @model_serializer(mode="wrap")
    def _languages_if_not_default(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Notice versions recorded before languages were declared hash as they did.
        out: dict[str, Any] = handler(self)
        if tuple(out.get("languages", ())) == DEFAULT_LANGUAGES:
            del out["languages"]
        return out

    # The date the controller last changed the text of the notice.
    text_date: dt.date | None = None


class Policy(_Frozen):
    policy: PolicyMeta
    controller: Controller
    register_name: Text
    notice: NoticeTexts
    data_subjects: Annotated[Mapping[Key, DataSubjectGroup], Field(min_length=1)]
    purposes: Annotated[Mapping[Key, Purpose], Field(min_length=1)]
    categories: Annotated[Mapping[Key, Category], Field(min_length=1)]
    retention: Annotated[Mapping[Key, RetentionRule], Field(min_length=1)]
    anonymisation: Anonymisation
    sources: Annotated[Mapping[Key, Source], Field(min_length=1)]
    recipients: Mapping[Key, Recipient] = Field(default_factory=dict)
    transfers: Mapping[Key, Transfer] = Field(default_factory=dict)
    cookies: Mapping[Key, CookieCategory] = Field(default_factory=dict)
    security: Annotated[tuple[Text, ...], Field(min_length=1)]
    rights: Mapping[Right, RightText]
    supervisory_authority: SupervisoryAuthority
    roles: Mapping[Key, Role] = Field(default_factory=dict)
    # Integrating systems that the register treats otherwise than by default.
    api_clients: Mapping[ApiClientName, ApiClient] = Field(default_factory=dict)
    portal: PortalTexts = Field(default_factory=PortalTexts)
    # Fields of the data model this controller does not collect at all: declared
    # here instead of in a category, so that no category (and no notice) names them.
    not_collected: tuple[FieldRef, ...] = ()

    def category_of_field(self, field: str) -> str | None:
        for key, category in self.categories.items():
            if field in category.fields:
                return key
        return None

    def collects(self, field: str) -> bool:
        """Whether the controller collects ``field`` ("<model>.<field>") at all."""
        return field not in self.not_collected

    def categories_of(self, *fields: str) -> list[str]:
        """The categories that hold ``fields``: what an audit entry names, by the data."""
        found = (self.category_of_field(field) for field in fields)
        return sorted({category for category in found if category is not None})

    def purposes_serving(self, use: PurposeUse) -> list[str]:
        """The purposes that open ``use``, in the order the policy declares them."""
        return [key for key, purpose in self.purposes.items() if use in purpose.serves]

    def source_for(self, record: SourceRecord) -> str:
        """The one source the policy declares for what the register writes as ``record``.

        The loader refuses a policy that uses the feature without declaring it, so a
        missing one is a bug, not a client's error.
        """
        for key, source in self.sources.items():
            if record in source.records:
                return key
        raise LookupError(f"the policy declares no source that records {record}")

    def request_handler_roles(self) -> list[str]:
        """The staff roles that handle data subject requests."""
        return [key for key, role in self.roles.items() if role.handles_requests]
