"""The self-check tells when no worker takes up the jobs, and how often one was taken over."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from rekisteri.compliance import compliance_checks
from rekisteri.core.jobs import job_enqueue, jobs_run_queued
from rekisteri.core.models import Job
from rekisteri.core.selfcheck import Check
from tests.core import worker_jobs  # noqa: F401 - registers the test jobs

pytestmark = pytest.mark.django_db
QUEUED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _check(key: str) -> Check:
    [found] = [c for c in compliance_checks() if c.key == key]
    return found


def test_a_job_no_worker_took_up_for_ten_minutes_is_a_finding_until_it_runs() -> None:
    with time_machine.travel(QUEUED, tick=False):
        job_enqueue("tests.touch")

    with time_machine.travel(QUEUED + dt.timedelta(minutes=9), tick=False):
        assert _check("jobs.waiting").count == 0
    with time_machine.travel(QUEUED + dt.timedelta(minutes=11), tick=False):
        waiting = _check("jobs.waiting")
        assert waiting.count == 1
        assert not waiting.ok
        jobs_run_queued()
        assert _check("jobs.waiting").count == 0


def test_a_job_taken_over_from_a_worker_that_died_is_told_as_a_note() -> None:
    with time_machine.travel(QUEUED, tick=False):
        taken_over = job_enqueue("tests.touch")
        Job.objects.filter(pk=taken_over.pk).update(resumed=1)
        jobs_run_queued()

        resumed = _check("jobs.resumed")

    assert resumed.count == 1
    assert resumed.ok
