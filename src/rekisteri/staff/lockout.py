"""Lockout that an outsider cannot turn against a named account.

django-axes counts failures per account and client address together
(``AXES_LOCKOUT_PARAMETERS``): someone who types a staff member's username
with wrong passwords locks out only themselves, not the staff member at their
own desk. Guessing one account's password from many addresses is still
stopped: past ``REKISTERI_ACCOUNT_FAILURE_CEILING`` failures within the cool-off
time, from wherever, the account is locked for everyone.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


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
