"""The job queue's promises the self-check counts: work is taken up, and a worker that
died is noticed (its jobs resumed from their checkpoints)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from rekisteri.core import clock
from rekisteri.core.models import Job, JobState
from rekisteri.core.selfcheck import Check

# The worker is woken the moment a job is queued and polls besides: a job waiting
# this long means no worker is running (or every one is stuck).
WAITING_TOO_LONG = dt.timedelta(minutes=10)
RESUMED_WITHIN = dt.timedelta(days=30)


def jobs_not_taken_up() -> list[Check]:
    now = clock.now()
    waiting = Job.objects.filter(
        state=JobState.QUEUED, created_at__lt=now - WAITING_TOO_LONG
    ).count()
    resumed = Job.objects.filter(resumed__gt=0, created_at__gte=now - RESUMED_WITHIN).count()
    return [
        Check(
            "jobs.waiting",
            gettext_noop(
                "Jobs waiting for the worker for over ten minutes (is `rekisteri worker` running?)"
            ),
            waiting,
        ),
        Check(
            "jobs.resumed",
            gettext_noop(
                "Jobs of the last 30 days taken over from a worker that stopped in the middle"
            ),
            resumed,
            finding=False,
        ),
    ]
