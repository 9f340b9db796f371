"""The console's home: search for a person; for the data protection officer, the day's view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from rekisteri.compliance import compliance_checks
from rekisteri.consent.selectors import consent_rates
from rekisteri.console import words
from rekisteri.console.errors import refusal_caught
from rekisteri.console.forms import SearchForm
from rekisteri.console.views.common import (
    actor_of,
    contact_purpose,
    page_language,
    purpose_choices,
    purpose_chosen,
    staff_required,
)
from rekisteri.console.views.compliance import (
    BAR_WIDTH,
    CHART_HEIGHT,
    check_text,
    forecast_chart,
)
from rekisteri.core import clock
from rekisteri.policy.selectors import policy_get
from rekisteri.register import selectors
from rekisteri.retention.sweep import retention_preview
from rekisteri.rights import selectors as rights_selectors

# Where a finding of the self-check is looked into: a console page, or a command.
FINDING_LINKS = {
    "retention": "/console/compliance#due",
    "requests": "/console/requests",
    "recipients": "/console/requests",
    "marketing": "/console/reports",
}
FINDING_COMMANDS = {
    "audit": "rekisteri audit verify",
    "ledger": "rekisteri restore-replay",
    "transfers": "rekisteri disclosure list",
    "notice": "rekisteri notice announce",
    "catalogue": "rekisteri policy check",
    "jobs": "rekisteri jobs list",
}


@dataclass(frozen=True)
class _Finding:
    text: str
    count: int
    link: str
    command: str


@dataclass(frozen=True)
class _Due:
    request: Any
    days_left: int

    @property
    def days_overdue(self) -> int:
        return -self.days_left


@staff_required
@require_http_methods(["GET", "POST"])
def home_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    # A search names a person: it travels in the body, never in the URL (or its logs).
    # Unchosen, the purpose is one that opens contact details, if the role holds one.
    purpose = purpose_chosen(
        request, actor, request.POST.get("purpose", "") or contact_purpose(actor)
    )
    form = SearchForm(request.POST if request.method == "POST" else None)
    hits: list[selectors.SearchHit] = []
    error = ""
    if form.is_valid():
        with refusal_caught() as refused:
            hits = selectors.people_search(
                actor=actor, purpose=purpose, query=form.cleaned_data["q"]
            )
        error = refused.text
    context: dict[str, Any] = {
        "form": form,
        "hits": hits,
        "error": error,
        "purpose": purpose,
        "purposes": purpose_choices(actor),
        "searched": form.is_bound,
    }
    if actor.sees_restricted:
        # The data protection officer's home is the day's view; search stays on top.
        context.update(_day_view())
        return render(request, "console/day.html", context)
    return render(request, "console/home.html", context)


def _day_view() -> dict[str, Any]:
    """What the data protection officer looks at first: deadlines, findings, what goes when."""
    lang = page_language()
    today = clock.today()
    queue = rights_selectors.requests_queue()
    # Overdue first (the most overdue on top), then by due date: the queue's own order.
    due = [_Due(r, (r.due_on - today).days) for r in queue.open]
    # The whole self-check, on every load of the page.
    checks = compliance_checks()
    findings = [
        _Finding(
            check_text(c, lang),
            c.count,
            FINDING_LINKS.get(c.key.split(".", 1)[0], ""),
            FINDING_COMMANDS.get(c.key.split(".", 1)[0], ""),
        )
        for c in checks
        if not c.ok
    ]
    chain = {c.key: c.count for c in checks}
    months = retention_preview(months=12)
    rates = [
        (words.scope_text(r.scope, lang), r, round(100 * r.rate))
        for r in consent_rates()
        if r.scope.partition(":")[0] in policy_get().purposes
    ]
    return {
        "due": due,
        "overdue": len(queue.overdue),
        "findings": findings,
        "audit_problems": chain.get("audit.chain", 0),
        "ledger_problems": chain.get("ledger.chain", 0) + chain.get("ledger.back", 0),
        "forecast": [
            (month.month.strftime("%m/%Y") if month.month else gettext("now"), month)
            for month in months
            if month.people or month.records
        ],
        "forecast_bars": forecast_chart(months),
        "chart_height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "chart_width": len(months) * (BAR_WIDTH + 8),
        "rates": rates,
    }
