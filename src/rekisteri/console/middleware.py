"""Staff sessions: an idle timeout, and personal pages never kept in a cache."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_SEEN = "rekisteri_last_seen"


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        console = request.path.startswith("/console/")
        if console and request.user.is_authenticated:
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is None or time.time() - last_seen > settings.REKISTERI_STAFF_IDLE_SECONDS:
                logout(request)
        response = self.get_response(request)
        if console and request.user.is_authenticated:
            # Stamped after the view, so that the request that signs in starts the clock.
            request.session[LAST_SEEN] = time.time()
        if console:
            # Pages of personal data: no browser or proxy may keep a copy.
            response["Cache-Control"] = "no-store"
        return response
