"""Cookie consent for the company's web site (notice §10; Information Society Code s. 205).

Only strictly necessary cookies are set before a choice. Each choice is
recorded with the visitor's random id, the time, the notice version and the
categories chosen; it holds for 12 months or until the cookie notice changes,
whichever comes first, and then the visitor is asked again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from rekisteri.consent.models import CookieDecision
from rekisteri.core import clock
from rekisteri.core.errors import Conflict, InvalidInput
from rekisteri.policy.selectors import (
    languages_offered,
    languages_phrase,
    notice_version_current,
    policy_get,
    policy_loaded,
)

# Asked again after this long (Traficom's guidance: consent is not forever).
CONSENT_MONTHS = 12
_VISITOR_ID = re.compile(r"^[0-9a-f]{32}$")


def cookie_notice_hash() -> str:
    """What the banner shows, as a short hash: the cookie categories and the §10 text."""
    canonical = policy_loaded().canonical
    shown = {"cookies": canonical.get("cookies", {}), "text": canonical["notice"]["cookies"]}
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:16]


def optional_categories() -> list[str]:
    return [key for key, c in policy_get().cookies.items() if not c.necessary]


def marketing_categories() -> list[str]:
    """Cookie categories that serve direct marketing: what Global Privacy Control refuses."""
    policy = policy_get()
    return [
        key
        for key, c in policy.cookies.items()
        if not c.necessary and any(policy.purposes[p].direct_marketing for p in c.purposes)
    ]


def visitor_require(visitor_id: str) -> str:
    if not _VISITOR_ID.match(visitor_id):
        raise InvalidInput("visitor: 32 lower-case hexadecimal digits", data={"field": "visitor"})
    return visitor_id


def cookie_decision_record(
    *,
    visitor_id: str,
    categories: list[str],
    cookie_notice: str,
    language: str,
    gpc: bool,
    site: str = "",
) -> CookieDecision:
    """Record a visitor's choice; Global Privacy Control refuses marketing whatever was ticked."""
    visitor_require(visitor_id)
    optional = optional_categories()
    unknown = sorted(set(categories) - set(optional))
    if unknown:
        raise InvalidInput(
            f"categories: unknown {unknown}; the optional ones are {', '.join(optional)}",
            data={"field": "categories"},
        )
    if cookie_notice != cookie_notice_hash():
        # The banner showed another notice than the one in force: ask again.
        raise Conflict("the cookie notice has changed; reload the page", data={"field": "notice"})
    if language not in languages_offered():
        raise InvalidInput(f"language: {languages_phrase()}", data={"field": "language"})
    refused = set(marketing_categories()) if gpc else set()
    chosen = [key for key in optional if key in categories and key not in refused]
    version = notice_version_current()
    return CookieDecision.objects.create(
        visitor_id=visitor_id,
        decided_at=clock.now(),
        categories=chosen,
        notice_version=version.number if version else None,
        cookie_notice=cookie_notice,
        gpc=gpc,
        language=language,
        site=site[:253],
    )


@dataclass(frozen=True)
class CookieChoice:
    categories: list[str]
    decided_at: dt.datetime
    notice_version: int | None
    gpc: bool
    # False once 12 months have passed or the cookie notice has changed.
    in_force: bool


def cookie_choice_current(*, visitor_id: str) -> CookieChoice | None:
    """The visitor's latest choice, and whether it still holds."""
    visitor_require(visitor_id)
    latest = (
        CookieDecision.objects.filter(visitor_id=visitor_id).order_by("-decided_at", "-pk").first()
    )
    if latest is None:
        return None
    decided_on = latest.decided_at.astimezone(clock.zone()).date()
    lapses = clock.start_of(clock.add_months(decided_on, CONSENT_MONTHS))
    return CookieChoice(
        categories=list(latest.categories),
        decided_at=latest.decided_at,
        notice_version=latest.notice_version,
        gpc=latest.gpc,
        in_force=clock.now() < lapses and latest.cookie_notice == cookie_notice_hash(),
    )
