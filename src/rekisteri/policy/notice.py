"""Render the privacy notice from the policy, in Finnish or English."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import capfirst

from rekisteri.core import clock
from rekisteri.policy.labels import (
    legal_basis_label,
    recipient_kind_label,
    retention_phrase,
    right_label,
    safeguard_label,
)
from rekisteri.policy.schema import ErasureAction, Language, Policy, Right

NoticeFormat = Literal["md", "html", "page"]


@dataclass(frozen=True)
class Item:
    title: str
    text: str = ""
    extra: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NoticeContext:
    lang: Language
    title: str
    intro: str
    controller: dict[str, str]
    dpo: dict[str, str] | None
    register_name: str
    legal_bases: str
    purposes: list[Item]
    outsourcing: str
    categories: list[Item]
    data_requirement: str
    retention: list[str]
    sources_intro: str
    sources: list[str]
    disclosures: str
    recipients: list[Item]
    transfers: list[Item]
    security_intro: str
    security: list[str]
    cookies: str
    cookie_categories: list[Item]
    cookies_refusal: str
    automated_decisions: str
    rights: list[Item]
    authority: dict[str, str]
    changes: str
    version_number: int | None
    effective_on: dt.date


def notice_context(
    policy: Policy, *, lang: Language, version_number: int | None, effective_on: dt.date | None
) -> NoticeContext:
    """Resolve the policy into the plain strings of one language."""
    with translation.override(lang):
        return _build(policy, lang, version_number, effective_on or clock.today())


def _build(
    policy: Policy, lang: Language, version_number: int | None, effective_on: dt.date
) -> NoticeContext:
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    c = policy.controller
    purposes = [
        Item(
            title=p.name(lang),
            text=legal_basis_label(p.legal_basis),
            extra=[p.legitimate_interest(lang)] if p.legitimate_interest else [],
        )
        for p in policy.purposes.values()
    ]
    categories = [
        Item(title=cat.name(lang), text=cat.description(lang)) for cat in policy.categories.values()
    ]
    rights = [
        Item(title=right_label(right), text=policy.rights[right].text(lang))
        for right in Right
        if right in policy.rights
    ]
    return NoticeContext(
        lang=lang,
        title=_("Privacy notice"),
        intro=policy.notice.intro(lang),
        controller={
            "name": c.name,
            "business_id": c.business_id,
            "address": f"{c.street_address}, {c.postal_code} {c.city}",
            "email": c.contact_email,
            "phone": c.phone or "",
        },
        dpo=(
            {
                "name": c.data_protection_officer.name,
                "email": c.data_protection_officer.email,
                "phone": c.data_protection_officer.phone or "",
            }
            if c.data_protection_officer
            else None
        ),
        register_name=policy.register_name(lang),
        legal_bases=policy.notice.legal_bases(lang),
        purposes=purposes,
        outsourcing=policy.notice.outsourcing(lang),
        categories=categories,
        data_requirement=policy.notice.data_requirement(lang),
        retention=_retention_lines(policy, lang),
        sources_intro=policy.notice.sources_intro(lang),
        # The intro names what comes from the subject; the list adds the rest.
        sources=[s.name(lang) for s in policy.sources.values() if not s.from_subject],
        disclosures=policy.notice.disclosures(lang),
        recipients=[
            Item(title=r.name(lang), text=r.description(lang), extra=[recipient_kind_label(r.kind)])
            for r in policy.recipients.values()
        ],
        transfers=[
            Item(
                title=t.name(lang),
                text=t.description(lang),
                extra=[safeguard_label(s) for s in t.safeguards],
            )
            for t in policy.transfers.values()
        ],
        security_intro=policy.notice.security_intro(lang),
        security=[m(lang) for m in policy.security],
        cookies=policy.notice.cookies(lang),
        cookie_categories=[
            Item(
                title=k.name(lang),
                text=k.description(lang),
                extra=[
                    _("set without consent") if k.necessary else _("only with your consent"),
                    ngettext(
                        "kept for at most %(days)d day",
                        "kept for at most %(days)d days",
                        k.lifetime_days,
                    )
                    % {"days": k.lifetime_days},
                ],
            )
            for k in policy.cookies.values()
        ],
        cookies_refusal=policy.notice.cookies_refusal(lang),
        automated_decisions=policy.notice.automated_decisions(lang),
        rights=rights,
        authority={
            "name": policy.supervisory_authority.name(lang),
            "street_address": policy.supervisory_authority.street_address,
            "postal_address": policy.supervisory_authority.postal_address,
            "phone": policy.supervisory_authority.phone,
            "email": policy.supervisory_authority.email,
            "website": policy.supervisory_authority.website,
        },
        changes=policy.notice.changes(lang),
        version_number=version_number,
        effective_on=effective_on,
    )


def _retention_lines(policy: Policy, lang: Language) -> list[str]:
    from django.utils.translation import gettext as _

    usage = Counter(cat.retention for cat in policy.categories.values())
    main_rule = usage.most_common(1)[0][0]
    lines = [
        _("Data are kept %(phrase)s. After that the data are deleted automatically.")
        % {"phrase": retention_phrase(policy.retention[main_rule])}
    ]
    for key, rule in policy.retention.items():
        names = [cat.name(lang) for cat in policy.categories.values() if cat.retention == key]
        if key != main_rule and names:
            lines.append(
                _(
                    "The following data are kept %(phrase)s and then deleted automatically: "
                    "%(categories)s."
                )
                % {"phrase": retention_phrase(rule), "categories": "; ".join(names)}
            )
        if any(other.fallback == key for other in policy.retention.values()):
            lines.append(
                _(
                    "If a person has never been a customer, their data are kept %(phrase)s "
                    "and then deleted automatically."
                )
                % {"phrase": retention_phrase(rule)}
            )
    for cat in policy.categories.values():
        if cat.erasure == ErasureAction.HOLD and cat.hold is not None:
            hold = policy.retention[cat.hold]
            lines.append(
                capfirst(
                    _(
                        "%(what)s are kept after the other data are deleted, minimised to what "
                        "the %(law)s requires, %(phrase)s, and then deleted."
                    )
                    % {
                        "what": hold.name(lang),
                        "law": hold.law(lang) if hold.law else "",
                        "phrase": retention_phrase(hold),
                    }
                )
            )
    anonymised = [
        cat.name(lang)
        for cat in policy.categories.values()
        if cat.erasure == ErasureAction.ANONYMISE
    ]
    if anonymised:
        lines.append(
            policy.anonymisation.purpose(lang)
            + " "
            + _("This applies to: %(categories)s.") % {"categories": "; ".join(anonymised)}
        )
    return lines


def render_notice(
    policy: Policy,
    *,
    lang: Language,
    fmt: NoticeFormat,
    version_number: int | None = None,
    effective_on: dt.date | None = None,
) -> str:
    """Render the notice as Markdown, a standalone HTML document, or a page fragment."""
    context = notice_context(
        policy, lang=lang, version_number=version_number, effective_on=effective_on
    )
    template = {
        "md": "policy/notice.md",
        "html": "policy/notice_document.html",
        "page": "policy/notice_body.html",
    }[fmt]
    with translation.override(lang):
        return render_to_string(template, {"n": context})
