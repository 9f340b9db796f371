"""The compliance page: the self-check and a chart of what falls due, month by month."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from rekisteri.compliance import Check, compliance_checks, rule_of
from rekisteri.console.errors import html_errors
from rekisteri.console.views.common import handler_of, page_language, staff_required
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.retention.sweep import MonthDue, retention_preview

CHART_HEIGHT = 160
BAR_WIDTH = 36


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    x: int
    height: int
    y: int
    # What the bar's tooltip says.
    note: str


def check_text(check: Check, lang: Language) -> SafeString:
    """The promise in words; a command it names (between backticks) is shown as code."""
    rule = rule_of(check)
    rules = policy_get().retention
    text = gettext(check.promise) % {
        # A retention rule by the policy's name for it; a field as it is.
        "rule": rules[rule].name(lang) if rule in rules else rule,
        "table": check.table,
    }
    parts = text.split("`")
    # Escaped piece by piece; every odd piece was between a pair of backticks.
    return mark_safe(  # noqa: S308 - every piece is escaped here
        "".join(
            f"<code>{escape(part)}</code>" if i % 2 else str(escape(part))
            for i, part in enumerate(parts)
        )
        if len(parts) % 2
        else escape(text)
    )


def _bars(points: list[tuple[str, float | None, str]]) -> list[Bar]:
    """Bars scaled to the chart, drawn as SVG by the template; a missing value draws none."""
    top = max((v for _, v, _ in points if v is not None), default=0) or 1
    bars = []
    for i, (label, value, note) in enumerate(points):
        height = round(CHART_HEIGHT * value / top) if value is not None else 0
        bars.append(Bar(label, value, i * (BAR_WIDTH + 8), height, CHART_HEIGHT - height, note))
    return bars


def forecast_chart(months: list[MonthDue]) -> list[Bar]:
    """Bars of the people falling due each month."""
    return _bars(
        [
            (
                month.month.strftime("%m/%Y") if month.month else gettext("now"),
                month.people,
                gettext("%(p)s people, %(r)s records") % {"p": month.people, "r": month.records},
            )
            for month in months
        ]
    )


@staff_required
@require_http_methods(["GET"])
@html_errors
def compliance_view(request: HttpRequest) -> HttpResponse:
    """The self-check and what falls due: the data protection officer's dashboard."""
    handler_of(request)
    checks = compliance_checks()
    months = retention_preview(months=12)
    bars = forecast_chart(months)
    return render(
        request,
        "console/compliance.html",
        {
            "checks": [(c, check_text(c, page_language())) for c in checks],
            "findings": sum(1 for c in checks if not c.ok),
            "rows": list(zip(bars, months, strict=True)),
            "any_due": any(month.people or month.records for month in months),
            "bars": bars,
            "chart_width": len(bars) * (BAR_WIDTH + 8),
            "chart_height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
        },
    )
