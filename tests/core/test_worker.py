"""The worker starts a job when it is queued, and takes over the jobs of a worker that died."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from rekisteri.core.jobs import job_enqueue, jobs_resume_abandoned
from rekisteri.core.models import Job, JobState
from tests.conftest import REPO, rekisteri_env
from tests.core import worker_jobs  # noqa: F401 - registers the test jobs here too

_START_WORKER = (
    "import django; django.setup(); import tests.core.worker_jobs; "
    "from django.core.management import call_command; call_command('worker')"
)


@contextmanager
def worker(**env: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-c", _START_WORKER],
        cwd=REPO,
        env={**rekisteri_env(**env), "DJANGO_SETTINGS_MODULE": "rekisteri.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def state_of(job: Job) -> str:
    job.refresh_from_db()
    return str(job.state)


@pytest.mark.django_db
def test_a_job_queued_in_a_transaction_that_rolls_back_never_reaches_the_worker() -> None:
    def request_that_fails() -> None:
        with transaction.atomic():
            job_enqueue("tests.touch")
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        request_that_fails()

    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_starts_a_job_when_it_is_queued_not_at_its_next_poll() -> None:
    # given a worker whose fallback poll is a minute away
    with worker(REKISTERI_WORKER_POLL="60", REKISTERI_AUDIT_SEAL_INTERVAL="30") as process:
        first = job_enqueue("tests.touch")
        assert wait_until(lambda: state_of(first) == JobState.DONE, 30)
        time.sleep(0.5)  # the worker is idle, waiting

        # when a job is queued
        second = job_enqueue("tests.touch")

        # then it is done long before the poll would have found it
        assert wait_until(lambda: state_of(second) == JobState.DONE, 10)
        assert process.poll() is None


@pytest.mark.django_db(transaction=True)
def test_a_persons_job_does_not_wait_behind_a_sweep() -> None:
    # given a worker busy with long work over the whole register
    with worker(REKISTERI_WORKER_POLL="60", REKISTERI_AUDIT_SEAL_INTERVAL="30") as process:
        sweep = job_enqueue("tests.long_work")
        assert wait_until(lambda: Job.objects.get(pk=sweep.pk).checkpoint == {"started": True}, 30)

        # when a person's job is queued
        package = job_enqueue("tests.touch")

        # then it is done while the long work still runs
        assert wait_until(lambda: state_of(package) == JobState.DONE, 10)
        assert state_of(sweep) == JobState.RUNNING
        assert process.poll() is None


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_resumes_from_its_checkpoint_on_another() -> None:
    # given a worker killed (kill -9) in the middle of a job
    fast = {"REKISTERI_JOB_LEASE": "2", "REKISTERI_AUDIT_SEAL_INTERVAL": "0.2"}
    stalled = job_enqueue("tests.stalls_once")
    with worker(**fast) as first:
        assert wait_until(lambda: Job.objects.get(pk=stalled.pk).checkpoint == {"step": 1}, 30)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert state_of(stalled) == JobState.RUNNING

    # when another worker runs, with no one asking it to
    with worker(**fast):
        assert wait_until(lambda: state_of(stalled) == JobState.DONE, 30)

    # then the job finished from where the dead worker left it, and says so
    stalled.refresh_from_db()
    assert stalled.checkpoint == {"step": 1, "finished_from": 1}
    assert stalled.resumed == 1
    out = io.StringIO()
    call_command("jobs", "list", stdout=out)
    assert f"{stalled.pk}\ttests.stalls_once\tdone\tattempts 2\tresumed 1" in out.getvalue()


@pytest.mark.django_db
def test_only_a_job_whose_lease_ran_out_is_taken_over() -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        lapsed = job_enqueue("tests.touch")
        alive = job_enqueue("tests.touch")
        Job.objects.filter(pk__in=[lapsed.pk, alive.pk]).update(
            state=JobState.RUNNING, started_at=start
        )
        Job.objects.filter(pk=lapsed.pk).update(lease_until=start - dt.timedelta(seconds=1))
        Job.objects.filter(pk=alive.pk).update(lease_until=start + dt.timedelta(seconds=30))

        assert jobs_resume_abandoned() == [lapsed.pk]

    assert state_of(lapsed) == JobState.QUEUED
    assert state_of(alive) == JobState.RUNNING
    assert DBTaskResult.objects.count() == 3  # two first dispatches, one resumption
