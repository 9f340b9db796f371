"""Operators see failed jobs and retry them from their checkpoint."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from rekisteri.core.jobs import JobRun, job, job_enqueue, jobs_run_queued
from rekisteri.core.models import Job, JobState

pytestmark = pytest.mark.django_db
_FAIL_ONCE = {"left": 1}


@job("tests.flaky")
def _flaky(run: JobRun) -> None:
    run.save(first_half=True)
    if _FAIL_ONCE["left"]:
        _FAIL_ONCE["left"] -= 1
        raise ConnectionError("mail server down")
    assert run.checkpoint == {"first_half": True}
    run.save(second_half=True)


def test_a_failed_job_is_listed_and_retried_from_the_command_line() -> None:
    queued = job_enqueue("tests.flaky")
    jobs_run_queued()
    out = io.StringIO()
    call_command("jobs", "list", "--state", "failed", stdout=out)
    assert f"{queued.pk}\ttests.flaky\tfailed\tattempts 1" in out.getvalue()
    assert "error ConnectionError" in out.getvalue()
    assert "mail server down" not in out.getvalue()  # an exception's text may quote data

    call_command("jobs", "retry", str(queued.pk), stdout=io.StringIO())
    call_command("jobs", "run", stdout=io.StringIO())

    done = Job.objects.get(pk=queued.pk)
    assert done.state == JobState.DONE
    assert done.checkpoint == {"first_half": True, "second_half": True}
    assert done.attempts == 2


def test_a_checkpoint_is_listed_in_words_not_as_python() -> None:
    queued = job_enqueue("tests.flaky")
    Job.objects.filter(pk=queued.pk).update(
        checkpoint={"people": {"customership": 33, "no_customership": 23}, "done": ["a", "b"]}
    )
    out = io.StringIO()

    call_command("jobs", "list", stdout=out)

    line = next(x for x in out.getvalue().splitlines() if x.startswith(f"{queued.pk}\t"))
    assert "checkpoint done=(a, b), people=(customership 33, no_customership 23)" in line
    assert "{" not in line
    assert "'" not in line
