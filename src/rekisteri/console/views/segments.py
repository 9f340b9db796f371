"""Segments: define one, see its size and make-up (released counts only), save it."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from rekisteri.analytics.disclosure import min_cell_size
from rekisteri.analytics.segments import (
    CUSTOMERSHIP_STATES,
    SegmentDefinition,
    filters_for,
    segment_figures,
    segment_get,
    segment_purposes,
    segment_save,
    segment_services,
    segments_of,
)
from rekisteri.consent.marketing import MarketingChannel
from rekisteri.console import words
from rekisteri.console.errors import refusal_caught
from rekisteri.console.views.common import actor_of, page_language, staff_required
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get

SEGMENT_FILTERS = [field.name for field in dataclass_fields(SegmentDefinition)]


@staff_required
@require_http_methods(["GET", "POST"])
def segments_view(request: HttpRequest) -> HttpResponse:
    """Define a segment, see its size and make-up (released counts only), save it."""
    actor = actor_of(request)
    source = request.POST if request.method == "POST" else request.GET
    purposes = [p for p in segment_purposes() if p in actor.purposes]
    purpose = source.get("purpose", purposes[0] if purposes else "")[:64]
    asked = {name: source.get(name, "")[:200] for name in SEGMENT_FILTERS if source.get(name)}
    lang = page_language()
    policy = policy_get()
    services_known = segment_services()
    context: dict[str, Any] = {
        "purposes": [(p, words.purpose_text(p, lang)) for p in purposes],
        "purpose": purpose,
        "asked": asked,
        "saved": [(seg, words.purpose_text(seg.purpose, lang)) for seg in segments_of(actor)],
        "min_cell": min_cell_size(),
        "states": [(st, words.value_text("customership", st, lang)) for st in CUSTOMERSHIP_STATES],
        "channels": [(str(c), words.value_text("channel", str(c), lang)) for c in MarketingChannel],
        "consent_purposes": [
            (key, p.name(lang))
            for key, p in policy.purposes.items()
            if p.legal_basis == LegalBasis.CONSENT
        ],
        "services": services_known,
        "allowed": filters_for(purpose) if purpose in purposes else [],
    }
    status = 200
    try:
        with refusal_caught() as refused:
            if asked.get("service") and asked["service"] not in services_known:
                # A typo would otherwise read as a segment too small to show.
                raise InvalidInput("service: choose one from the list", data={"field": "service"})
            if "segment" in source:
                chosen = segment_get(actor=actor, segment_id=int(source.get("segment", "0")[:18]))
                context["asked"] = asked = {k: str(v) for k, v in chosen.definition.items()}
                context["purpose"] = purpose = chosen.purpose
                context["name"] = chosen.name
            if asked or "show" in source:
                definition = SegmentDefinition.from_form(asked)
                if request.method == "POST":
                    _, context["figures"] = segment_save(
                        actor=actor,
                        name=request.POST.get("name", "")[:200],
                        purpose=purpose,
                        definition=definition,
                    )
                    context["saved"] = [
                        (seg, words.purpose_text(seg.purpose, lang)) for seg in segments_of(actor)
                    ]
                    context["saved_now"] = True
                else:
                    context["figures"] = segment_figures(
                        actor=actor, definition=definition, purpose=purpose
                    )
    except ValueError:
        context["error"] = gettext("Choose a saved segment from the list.")
        status = 400
    except DataError:
        # What a database refuses to compare: the middleware refuses NUL before
        # this, and no other such character may become a server error either.
        context["error"] = gettext("A filter contains characters that cannot be stored.")
        status = 400
    if refused:
        context["error"] = refused.text
        status = refused.status
    return render(request, "console/segments.html", context, status=status)
