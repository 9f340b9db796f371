"""Long-running work as database-backed jobs with checkpoints.

A job function takes a ``JobRun``: its arguments, the checkpoint it last
saved, and ``save()`` to record progress in its own transaction. A job that
fails keeps its checkpoint; ``job_retry`` queues it again and it resumes there.
django-tasks (database backend) carries the job to the worker process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_tasks import task

from rekisteri.core import clock
from rekisteri.core.errors import Conflict, NotFound
from rekisteri.core.logs import failure_summary
from rekisteri.core.models import Job, JobState

logger = logging.getLogger(__name__)

JobFunction = Callable[["JobRun"], None]
_REGISTRY: dict[str, JobFunction] = {}
# Jobs the worker queues once a day (the retention sweep, deadline reminders).
_DAILY: set[str] = set()


def job(name: str, *, daily: bool = False) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under a name (the one registration mechanism)."""

    def register(function: JobFunction) -> JobFunction:
        if name in _REGISTRY and _REGISTRY[name] is not function:
            raise RuntimeError(f"job {name!r} is registered twice")
        _REGISTRY[name] = function
        if daily:
            _DAILY.add(name)
        return function

    return register


@dataclass
class JobRun:
    job: Job

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.job.arguments)

    @property
    def checkpoint(self) -> dict[str, Any]:
        return dict(self.job.checkpoint)

    def save(self, **checkpoint: Any) -> None:
        """Record progress; a retry after a crash starts from here."""
        self.job.checkpoint = {**self.job.checkpoint, **checkpoint}
        Job.objects.filter(pk=self.job.pk).update(checkpoint=self.job.checkpoint)


def job_enqueue(name: str, **arguments: Any) -> Job:
    """Queue a job; it reaches the worker when the caller's transaction commits."""
    if name not in _REGISTRY:
        raise RuntimeError(f"no job is registered as {name!r}")
    created = Job.objects.create(name=name, arguments=arguments, created_at=clock.now())
    transaction.on_commit(lambda: run_job_task.enqueue(created.pk))
    return created


def jobs_daily_enqueue() -> list[int]:
    """Queue each daily job that was not queued today yet; the worker calls this often."""
    today_start = clock.start_of(clock.today())
    queued = []
    with transaction.atomic():
        for name in sorted(_DAILY):
            if not Job.objects.filter(name=name, created_at__gte=today_start).exists():
                queued.append(job_enqueue(name).pk)
    return queued


def job_retry(*, job_id: int) -> Job:
    """Queue a failed job again; it resumes from its last checkpoint."""
    found = Job.objects.filter(pk=job_id).first()
    if found is None:
        raise NotFound(f"there is no job {job_id}", data={"job_id": job_id})
    if found.state != JobState.FAILED:
        raise Conflict(
            f"job {job_id} is {found.state}; only a failed job is retried",
            data={"job_id": job_id, "state": found.state},
        )
    Job.objects.filter(pk=job_id).update(state=JobState.QUEUED)
    transaction.on_commit(lambda: run_job_task.enqueue(job_id))
    found.refresh_from_db()
    return found


def job_run(job_id: int) -> Job:
    """Run one queued job now, in this process; mark it done or failed."""
    # Claim it: only a queued job moves to running, so two workers never share one.
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=clock.now()
    )
    current = Job.objects.get(pk=job_id)
    if not claimed:
        return current
    Job.objects.filter(pk=job_id).update(attempts=current.attempts + 1)
    current.attempts += 1
    try:
        _REGISTRY[current.name](JobRun(current))
    except Exception as error:
        # Ids and the class only: an exception's text may quote personal data
        # (a mail server's refusal names the recipient's address).
        logger.error("job %s (%s) failed: %s", job_id, current.name, failure_summary(error))
        Job.objects.filter(pk=job_id).update(
            state=JobState.FAILED, last_error=type(error).__name__, finished_at=clock.now()
        )
    else:
        Job.objects.filter(pk=job_id).update(state=JobState.DONE, finished_at=clock.now())
    current.refresh_from_db()
    return current


def jobs_run_queued() -> list[Job]:
    """Run every queued job in this process, oldest first, including the jobs they queue."""
    ran: list[Job] = []
    seen: set[int] = set()
    while True:
        queued = Job.objects.filter(state=JobState.QUEUED).order_by("created_at", "id")
        ids = [pk for pk in queued.values_list("pk", flat=True) if pk not in seen]
        if not ids:
            return ran
        seen.update(ids)
        ran.extend(job_run(job_id) for job_id in ids)


@task()
def run_job_task(job_id: int) -> None:
    job_run(job_id)


def jobs_recent(*, limit: int = 50, state: str | None = None) -> list[Job]:
    """The newest jobs, optionally of one state, for operators."""
    jobs = Job.objects.order_by("-created_at", "-id")
    if state is not None:
        jobs = jobs.filter(state=state)
    return list(jobs[:limit])
