"""What the console's frame shows a signed-in staff member: only the pages their role opens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rekisteri.analytics.segments import segment_purposes
from rekisteri.staff import services as staff


def console_nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)
    if not request.path.startswith("/console") or not (
        user is not None and user.is_authenticated and verified is not None and verified()
    ):
        return {}
    # Imported here: the views import this module's neighbours, not the other way round.
    from rekisteri.console.views.reports import report_keys

    actor = staff.staff_actor(user=user, origin="console")
    links = []
    if actor.handles_requests:
        links += [
            ("/console/requests", _("Data subject requests")),
            ("/console/compliance", _("Compliance")),
        ]
    if report_keys(actor):
        links.append(("/console/reports", _("Reports")))
    if any(purpose in actor.purposes for purpose in segment_purposes()):
        links.append(("/console/segments", _("Segments")))
    return {"console_nav": links, "console_counts_only": actor.aggregates_only}
