"""Long-running work as database-backed jobs with checkpoints.

A job function takes a ``JobRun``: its arguments, the checkpoint it last
saved, and ``save()`` to record progress in its own transaction. A job that
fails keeps its checkpoint; ``job_retry`` queues it again and it resumes there.
django-tasks (database backend) carries the job to the worker process, which
is woken when the queueing transaction commits (``rekisteri.core.wake``).

A running job holds a lease that its worker renews; when a worker dies the
lease runs out and ``jobs_resume_abandoned`` queues the job again, to resume
from its checkpoint without anyone having to notice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F, Q
from django_tasks import task

from rekisteri.core import clock
from rekisteri.core.errors import Conflict, NotFound
from rekisteri.core.logs import failure_summary
from rekisteri.core.models import Job, JobState
from rekisteri.core.wake import workers_wake

logger = logging.getLogger(__name__)

JobFunction = Callable[["JobRun"], None]
_REGISTRY: dict[str, JobFunction] = {}
# Jobs the worker queues once a day (the retention sweep, deadline reminders).
_DAILY: set[str] = set()
# Jobs that may run for minutes over the whole register. They have a lane of their
# own in the worker, so that a person's request never waits behind a sweep.
_LONG: set[str] = set()
QUEUE = "default"
LONG_QUEUE = "long"


def job(
    name: str, *, daily: bool = False, long: bool | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under a name (the one registration mechanism).

    ``long`` (by default, what runs daily) puts the job in the worker's lane for
    work over the whole register.
    """

    def register(function: JobFunction) -> JobFunction:
        if name in _REGISTRY and _REGISTRY[name] is not function:
            raise RuntimeError(f"job {name!r} is registered twice")
        _REGISTRY[name] = function
        if daily:
            _DAILY.add(name)
        if daily if long is None else long:
            _LONG.add(name)
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
        Job.objects.filter(pk=self.job.pk).update(
            checkpoint=self.job.checkpoint, lease_until=_lease_end()
        )


def _lease_seconds() -> float:
    return float(settings.REKISTERI_JOB_LEASE_SECONDS)


def _lease_end() -> dt.datetime:
    return clock.now() + dt.timedelta(seconds=_lease_seconds())


def _dispatch(job_id: int, name: str) -> None:
    # In the caller's transaction: the worker sees the task row, and is woken,
    # only when that transaction commits; a rollback takes both back.
    with transaction.atomic():
        run_job_task.using(queue_name=LONG_QUEUE if name in _LONG else QUEUE).enqueue(job_id)
        workers_wake()


def job_enqueue(name: str, **arguments: Any) -> Job:
    """Queue a job; it reaches the worker when the caller's transaction commits."""
    if name not in _REGISTRY:
        raise RuntimeError(f"no job is registered as {name!r}")
    with transaction.atomic():
        created = Job.objects.create(name=name, arguments=arguments, created_at=clock.now())
        _dispatch(created.pk, name)
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
    with transaction.atomic():
        Job.objects.filter(pk=job_id).update(state=JobState.QUEUED)
        _dispatch(job_id, found.name)
    found.refresh_from_db()
    return found


def jobs_resume_abandoned() -> list[int]:
    """Queue again every running job whose worker stopped renewing its lease (it died)."""
    now = clock.now()
    # A job claimed before leases existed has none: its start stands in for it.
    lapsed = Q(lease_until__lt=now) | Q(
        lease_until__isnull=True, started_at__lt=now - dt.timedelta(seconds=_lease_seconds())
    )
    resumed = []
    for job_id, name, lease in Job.objects.filter(lapsed, state=JobState.RUNNING).values_list(
        "pk", "name", "lease_until"
    ):
        with transaction.atomic():
            # Only if no one renewed or took it meanwhile.
            taken = Job.objects.filter(pk=job_id, state=JobState.RUNNING, lease_until=lease).update(
                state=JobState.QUEUED, lease_until=None, resumed=F("resumed") + 1
            )
            if taken:
                _dispatch(job_id, name)
                resumed.append(job_id)
    if resumed:
        logger.warning("resumed %d job(s) whose worker stopped: %s", len(resumed), resumed)
    return resumed


@contextmanager
def _lease_kept(job_id: int, attempt: int) -> Iterator[None]:
    """Renew the job's lease from a thread of its own while the job runs."""
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(_lease_seconds() / 3):
                try:
                    Job.objects.filter(pk=job_id, state=JobState.RUNNING, attempts=attempt).update(
                        lease_until=_lease_end()
                    )
                except DatabaseError:
                    # SQLite may be busy with the job's own writes; the next round renews.
                    continue
        finally:
            close_old_connections()

    thread = threading.Thread(target=renew, name=f"job-{job_id}-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_run(job_id: int) -> Job:
    """Run one queued job now, in this process; mark it done or failed."""
    # Claim it: only a queued job moves to running, so two workers never share one.
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING,
        started_at=clock.now(),
        lease_until=_lease_end(),
        attempts=F("attempts") + 1,
    )
    current = Job.objects.get(pk=job_id)
    if not claimed:
        return current
    # The outcome is written only by the attempt that still holds the job: one
    # that was taken over after its lease lapsed must not overwrite the new one.
    mine = Job.objects.filter(pk=job_id, state=JobState.RUNNING, attempts=current.attempts)
    try:
        with _lease_kept(job_id, current.attempts):
            _REGISTRY[current.name](JobRun(current))
    except Exception as error:
        # Ids and the class only: an exception's text may quote personal data
        # (a mail server's refusal names the recipient's address).
        logger.error("job %s (%s) failed: %s", job_id, current.name, failure_summary(error))
        mine.update(
            state=JobState.FAILED,
            last_error=type(error).__name__,
            finished_at=clock.now(),
            lease_until=None,
        )
    else:
        mine.update(state=JobState.DONE, finished_at=clock.now(), lease_until=None)
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
