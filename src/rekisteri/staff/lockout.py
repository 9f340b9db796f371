"""Lockout that an outsider cannot turn against a named account.

django-axes counts failures per account and client address together
(``AXES_LOCKOUT_PARAMETERS``): someone who types a staff member's username
with wrong passwords locks out only themselves, not the staff member at their
own desk. Guessing one account's password from many addresses is still
stopped: past ``REKISTERI_ACCOUNT_FAILURE_CEILING`` failures within the cool-off
time, from wherever, the account is locked for everyone.

Behind the register's own reverse proxy (``REKISTERI_BEHIND_PROXY``) every
connection comes from the proxy; the client's address is then the last one
the proxy added to X-Forwarded-For, or the lockout would again be per name.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_address(request: Any) -> str | None:
    """The address axes counts failures by: the client's, also behind our proxy."""
    if settings.REKISTERI_BEHIND_PROXY:
        # The proxy appends the address it saw: the last entry is the one a client cannot forge.
        last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


class AccountCeilingHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        username = get_client_username(request, credentials)
        if username is None:
            return failures
        on_account = (
            AccessAttempt.objects.filter(
                username=username, attempt_time__gte=get_cool_off_threshold(request)
            ).aggregate(n=Sum("failures_since_start"))["n"]
            or 0
        )
        if on_account >= settings.REKISTERI_ACCOUNT_FAILURE_CEILING:
            # Counted as reaching the limit, so axes locks as it does for one client.
            return max(failures, int(get_failure_limit(request, credentials)))
        return failures
