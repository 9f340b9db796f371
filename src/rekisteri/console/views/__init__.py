"""The staff console: server-rendered pages over the register's services and selectors.

One module per page (or pages that go together); what every page asks first is
in `common`, the one mapping from the register's errors to sentences in
`rekisteri.console.errors`. The names below are those the URLs and settings use.
"""

from __future__ import annotations

from rekisteri.console.views.compliance import compliance_view
from rekisteri.console.views.home import home_view
from rekisteri.console.views.people import person_view, rectify_view
from rekisteri.console.views.reports import report_csv_view, report_keys, reports_view
from rekisteri.console.views.requests import request_view, requests_view
from rekisteri.console.views.segments import segments_view
from rekisteri.console.views.signin import (
    code_view,
    enrol_view,
    lockout_response,
    login_view,
    logout_view,
)
from rekisteri.console.views.staff_reads import staff_reads_view

__all__ = [
    "code_view",
    "compliance_view",
    "enrol_view",
    "home_view",
    "lockout_response",
    "login_view",
    "logout_view",
    "person_view",
    "rectify_view",
    "report_csv_view",
    "report_keys",
    "reports_view",
    "request_view",
    "requests_view",
    "segments_view",
    "staff_reads_view",
]
