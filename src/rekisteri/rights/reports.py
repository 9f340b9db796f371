"""The request handler's report: data subject requests by right, released like every count."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext

from rekisteri.analytics.reports import Report, Row, people_cell
from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.rights.actors import handler_require
from rekisteri.rights.models import RightKind
from rekisteri.rights.selectors import requests_volume

REQUESTS_REPORT = "requests"


def requests_report(*, actor: Actor) -> Report:
    """Request volumes by right over the last 12 months; for the request handler, audited."""
    handler_require(actor)
    since = clock.add_months(clock.today().replace(day=1), -11)
    labels = dict(RightKind.choices)
    audit_record(actor=actor, event=AuditEvent.REPORT_VIEWED, data={"report": REQUESTS_REPORT})
    return Report(
        REQUESTS_REPORT,
        gettext("Data subject requests by right, last 12 months"),
        "",
        [gettext("requests")],
        [
            Row(
                capfirst(str(labels.get(row["kind"], row["kind"]))),
                [people_cell(row["n"], row["k"] or 0)],
            )
            for row in requests_volume(since=since)
        ],
    )
