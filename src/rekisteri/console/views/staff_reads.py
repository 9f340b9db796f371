"""The data protection officer's investigation: one staff member's reads over a period."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from rekisteri.audit.models import AuditEntry
from rekisteri.audit.selectors import audit_reads_by
from rekisteri.console import words
from rekisteri.console.errors import html_errors
from rekisteri.console.forms import StaffReadsForm
from rekisteri.console.views.common import (
    contact_purpose,
    handler_of,
    page_language,
    staff_required,
)
from rekisteri.core import clock
from rekisteri.core.actors import ActorKind
from rekisteri.staff.selectors import staff_all


@staff_required
@require_http_methods(["GET"])
@html_errors
def staff_reads_view(request: HttpRequest) -> HttpResponse:
    """The data protection officer's investigation: one staff member's reads over a period."""
    actor = handler_of(request)
    lang = page_language()
    members = staff_all(lang=lang)
    today = clock.today()
    form = StaffReadsForm(
        request.GET or None,
        members=[(pk, f"{m.name} ({m.role})" if m.role else m.name) for pk, m in members],
        initial={"since": today - dt.timedelta(days=30), "until": today},
    )
    lines: list[tuple[words.HistoryLine, AuditEntry]] = []
    if form.is_valid():
        since = dt.datetime.combine(form.cleaned_data["since"], dt.time(), tzinfo=clock.zone())
        until = dt.datetime.combine(
            form.cleaned_data["until"] + dt.timedelta(days=1), dt.time(), tzinfo=clock.zone()
        )
        entries = audit_reads_by(
            actor_kind=ActorKind.STAFF,
            actor_id=form.cleaned_data["member"],
            since=since,
            until=until,
        )
        lines = list(zip(words.history_sentences(entries, lang), entries, strict=True))
    return render(
        request,
        "console/staff_reads.html",
        {
            "form": form,
            "lines": lines,
            "person_purpose": contact_purpose(actor),
            "searched": form.is_bound and form.is_valid(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
