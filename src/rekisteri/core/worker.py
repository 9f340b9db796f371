"""The worker loop: django-tasks' database worker, woken instead of polling.

django-tasks-db's worker sleeps a fixed interval between polls, so a job
queued just after a poll waits up to that long. Here its loop runs in batch
mode to take everything that is ready, then waits on a wake-up from the
queueing transaction's commit (``rekisteri.core.wake``), with the poll kept
only as the fallback for a lost signal.
"""

from __future__ import annotations

from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from rekisteri.core.wake import Waker, waker_open


class WakingWorker(Worker):
    def __init__(self, *, waker: Waker, poll_seconds: float, batch: bool) -> None:
        super().__init__(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        self._waker = waker
        self._poll_seconds = poll_seconds
        self._once = batch

    def run(self) -> None:
        while self.running:
            # The library's batch mode: run every ready task, return when none is left.
            super().run()
            if self._once:
                return
            close_old_connections()
            self._waker.wait(self._poll_seconds)


def worker_run(*, poll_seconds: float, batch: bool = False) -> None:
    """Run queued tasks until stopped (or, with ``batch``, until none is ready)."""
    waker = waker_open()
    try:
        worker = WakingWorker(waker=waker, poll_seconds=poll_seconds, batch=batch)
        worker.configure_signals()
        worker.run()
    finally:
        worker.reset_signals()
        waker.close()
