"""The reports of the purposes a role holds: counts only, small cells suppressed; as CSV too."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from rekisteri.analytics.disclosure import min_cell_size
from rekisteri.analytics.reports import Cell, Report, report_get, reports_for
from rekisteri.console import words
from rekisteri.console.errors import html_errors
from rekisteri.console.views.common import actor_of, staff_required
from rekisteri.core.actors import Actor
from rekisteri.core.csvfiles import SafeWriter
from rekisteri.rights.reports import REQUESTS_REPORT, requests_report

# A report longer than this shows its largest rows; the CSV has every row.
MAX_ROWS = 15
# Horizontal bars: a label column, then the bar, then its figure.
HBAR_LABEL = 190
HBAR_AREA = 300
HBAR_ROW = 22
LABEL_CHARS = 28


def _cell_text(cell: Cell) -> str:
    # A suppressed cell is shown as the threshold it fell under, never as a number.
    if cell.suppressed:
        return f"<{min_cell_size()}"
    return "" if cell.value is None else str(cell.value)


def _short_labels(labels: list[str], width: int = LABEL_CHARS) -> list[str]:
    """Labels short enough for the chart, and never two alike where the full ones differ."""

    def cut(label: str) -> str:
        return label if len(label) <= width else label[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"

    def middle(label: str) -> str:
        half = (width - 1) // 2
        return (
            label
            if len(label) <= width
            else f"{label[:half]}\N{HORIZONTAL ELLIPSIS}{label[-half:]}"
        )

    short = [cut(label) for label in labels]
    clashing = {s for s in short if short.count(s) > 1}
    short = [middle(lab) if s in clashing else s for lab, s in zip(labels, short, strict=True)]
    clashing = {s for s in short if short.count(s) > 1}
    return [lab if s in clashing else s for lab, s in zip(labels, short, strict=True)]


@dataclass(frozen=True)
class _HBar:
    label: str
    full: str
    y: int
    width: int
    shown: str


def _report_view_model(report: Report) -> dict[str, Any]:
    rows = report.rows
    if len(rows) > MAX_ROWS:
        # Every campaign ever is no page to read: the largest here, every row in the CSV.
        def size(row: Any) -> float:
            value = row.cells[report.chart_column].value
            return float(value) if value is not None else -1.0

        rows = sorted(rows, key=size, reverse=True)[:MAX_ROWS]
    cells = [row.cells[report.chart_column] for row in rows]
    top = max((float(c.value) for c in cells if c.value is not None), default=0.0)
    labels = _short_labels([row.label for row in rows])
    bars = [
        _HBar(
            label,
            row.label,
            i * HBAR_ROW,
            round(HBAR_AREA * float(cell.value) / top) if cell.value is not None and top else 0,
            _cell_text(cell) or words.NO_VALUE,
        )
        for i, (label, row, cell) in enumerate(zip(labels, rows, cells, strict=True))
    ]
    return {
        "report": report,
        "rows": [(row.label, [_cell_text(c) or words.NO_VALUE for c in row.cells]) for row in rows],
        "total_rows": len(report.rows),
        "cut": len(rows) < len(report.rows),
        # Every figure suppressed or nil draws an empty frame: say so instead.
        "bars": bars if top else [],
        "chart_height": len(bars) * HBAR_ROW,
    }


def _report(actor: Actor, key: str) -> Report:
    if key == REQUESTS_REPORT:
        return requests_report(actor=actor)
    return report_get(actor=actor, key=key)


def report_keys(actor: Actor) -> list[str]:
    keys = reports_for(actor)
    if actor.handles_requests:
        keys.append(REQUESTS_REPORT)
    return keys


@staff_required
@require_http_methods(["GET"])
@html_errors
def reports_view(request: HttpRequest) -> HttpResponse:
    """The reports of the purposes the role holds; counts only, small cells suppressed."""
    actor = actor_of(request)
    shown = [_report_view_model(_report(actor, key)) for key in report_keys(actor)]
    return render(
        request,
        "console/reports.html",
        {
            "reports": shown,
            "min_cell": min_cell_size(),
            "label_width": HBAR_LABEL,
            "chart_width": HBAR_LABEL + HBAR_AREA + 60,
            "bar_height": HBAR_ROW - 6,
        },
    )


@staff_required
@require_http_methods(["GET"])
@html_errors
def report_csv_view(request: HttpRequest, key: str) -> HttpResponse:
    report = _report(actor_of(request), key)
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["", *(str(c) for c in report.columns)])
    for row in report.rows:
        # Figures stay numbers; labels (a campaign's name) are text from people.
        writer.writerow(
            [row.label, *(c.value if c.value is not None else _cell_text(c) for c in row.cells)]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.key}.csv"'
    return response
