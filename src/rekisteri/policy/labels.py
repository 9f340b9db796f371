"""Words for the policy's enumerations, through Django's translation machinery."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rekisteri.policy.schema import (
    Category,
    ErasureAction,
    Language,
    LegalBasis,
    Policy,
    RecipientKind,
    RetentionEvent,
    RetentionRule,
    Right,
    Safeguard,
    SourceKind,
)


def legal_basis_label(basis: LegalBasis) -> str:
    return {
        LegalBasis.CONSENT: _("consent (GDPR Art. 6(1)(a))"),
        LegalBasis.CONTRACT: _("contract (GDPR Art. 6(1)(b))"),
        LegalBasis.LEGAL_OBLIGATION: _("legal obligation (GDPR Art. 6(1)(c))"),
        LegalBasis.VITAL_INTERESTS: _("vital interests (GDPR Art. 6(1)(d))"),
        LegalBasis.PUBLIC_TASK: _("public interest or official authority (GDPR Art. 6(1)(e))"),
        LegalBasis.LEGITIMATE_INTEREST: _("legitimate interest (GDPR Art. 6(1)(f))"),
    }[basis]


def right_label(right: Right) -> str:
    return {
        Right.ACCESS: _("Right of access"),
        Right.RECTIFICATION: _("Right to rectification"),
        Right.OBJECTION_DIRECT_MARKETING: _("Right to object to direct marketing"),
        Right.OBJECTION: _("Right to object"),
        Right.DELETION: _("Right to end the customership"),
        Right.ERASURE: _("Right to be forgotten"),
        Right.PORTABILITY: _("Right to data portability"),
        Right.RESTRICTION: _("Right to restriction of processing"),
        Right.WITHDRAW_CONSENT: _("Right to withdraw consent"),
        Right.COMPLAINT: _("Right to lodge a complaint with a supervisory authority"),
    }[right]


def safeguard_label(safeguard: Safeguard) -> str:
    return {
        Safeguard.ADEQUACY_DECISION: _("an adequacy decision of the European Commission"),
        Safeguard.STANDARD_CONTRACTUAL_CLAUSES: _(
            "standard contractual clauses adopted by the European Commission"
        ),
        Safeguard.BINDING_CORPORATE_RULES: _("binding corporate rules"),
        Safeguard.DEROGATION: _("a derogation under Article 49 of the GDPR"),
    }[safeguard]


def recipient_kind_label(kind: RecipientKind) -> str:
    return {
        RecipientKind.PROCESSOR: _("processor"),
        RecipientKind.GROUP_COMPANY: _("group company"),
        RecipientKind.AUTHORITY: _("authority"),
        RecipientKind.CONTROLLER: _("separate controller"),
    }[kind]


def source_kind_label(kind: SourceKind) -> str:
    return {
        SourceKind.SUBJECT: _("the data subject themself"),
        SourceKind.OBSERVED: _("observed from the data subject's use of the service"),
        SourceKind.STAFF: _("the controller's own staff"),
        SourceKind.THIRD_PARTY: _("a third party"),
    }[kind]


def retention_event_label(event: RetentionEvent) -> str:
    return {
        RetentionEvent.CUSTOMERSHIP_END: _("the end of the customership"),
        RetentionEvent.REGISTERED: _("when the data were stored"),
        RetentionEvent.EVENT_TIME: _("the event the data describe"),
        RetentionEvent.FINANCIAL_YEAR_END: _("the end of the year the financial period ended"),
    }[event]


def period_label(rule: RetentionRule) -> str:
    if rule.years is not None:
        return ngettext("%(count)d year", "%(count)d years", rule.years) % {"count": rule.years}
    months = rule.months or 0
    return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}


def retention_phrase(rule: RetentionRule) -> str:
    """Say in words for how long data under ``rule`` are kept."""
    period = period_label(rule)
    return {
        RetentionEvent.CUSTOMERSHIP_END: _(
            "for the duration of the customership and %(period)s after the customership ends"
        ),
        RetentionEvent.REGISTERED: _("for %(period)s from when they were stored"),
        RetentionEvent.EVENT_TIME: _("for %(period)s from the event they describe"),
        RetentionEvent.FINANCIAL_YEAR_END: _(
            "for %(period)s from the end of the year in which the financial period they "
            "belong to ended"
        ),
    }[rule.after] % {"period": period}


def category_retention_phrase(policy: Policy, category: Category, lang: Language) -> str:
    """Say for how long one category's data are kept, with its fallback and its legal hold.

    Art. 15(1)(d): the answer states the period, and a hold that outlasts it is
    part of the period (the notice says the same, rule by rule).
    """
    rule = policy.retention[category.retention]
    parts = [_("Kept %(phrase)s.") % {"phrase": retention_phrase(rule)}]
    if rule.fallback is not None:
        parts.append(
            _("If the person never became a customer: kept %(phrase)s.")
            % {"phrase": retention_phrase(policy.retention[rule.fallback])}
        )
    if category.erasure == ErasureAction.HOLD and category.hold is not None:
        hold = policy.retention[category.hold]
        parts.append(
            _(
                "After that, kept minimised to what the %(law)s requires, %(phrase)s, "
                "and then deleted."
            )
            % {"law": hold.law(lang) if hold.law else "", "phrase": retention_phrase(hold)}
        )
    return " ".join(parts)
