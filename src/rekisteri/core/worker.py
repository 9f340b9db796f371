"""The worker loop: django-tasks' database worker, woken instead of polling.

django-tasks-db's worker sleeps a fixed interval between polls, so a job
queued just after a poll waits up to that long. Here its loop runs in batch
mode to take everything that is ready, then waits on a wake-up from the
queueing transaction's commit (``rekisteri.core.wake``), with the poll kept
only as the fallback for a lost signal.

Two lanes run side by side, each a loop of its own: one for the jobs a person
waits on (a package, a notice, a sign-in link), one for work over the whole
register (the retention sweep, announcements). A sweep of minutes never holds
up a person's request.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from rekisteri.core.jobs import LONG_QUEUE, QUEUE
from rekisteri.core.wake import Waker, waker_open

logger = logging.getLogger(__name__)


class WakingWorker(Worker):
    def __init__(
        self, *, waker: Waker, poll_seconds: float, batch: bool, queues: list[str]
    ) -> None:
        super().__init__(
            queue_names=queues,
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


def _long_lane(poll_seconds: float) -> tuple[WakingWorker, threading.Thread]:
    """The lane for work over the whole register, in a thread of its own."""
    waker = waker_open()
    lane = WakingWorker(waker=waker, poll_seconds=poll_seconds, batch=False, queues=[LONG_QUEUE])

    def run() -> None:
        try:
            lane.run()
        except Exception:
            # The lane's loop itself failed (a job's failure is the job's): the
            # jobs it would have run stay queued for the next worker.
            logger.exception("the worker's lane for long jobs stopped")
        finally:
            waker.close()
            connections.close_all()

    return lane, threading.Thread(target=run, name="worker-long-lane", daemon=True)


def worker_run(*, poll_seconds: float, batch: bool = False) -> None:
    """Run queued tasks until stopped (or, with ``batch``, until none is ready)."""
    waker = waker_open()
    # In batch mode one loop takes everything ready, in both lanes.
    worker = WakingWorker(
        waker=waker, poll_seconds=poll_seconds, batch=batch, queues=["*"] if batch else [QUEUE]
    )
    long_lane = None if batch else _long_lane(poll_seconds)
    try:
        worker.configure_signals()
        if long_lane is not None:
            long_lane[1].start()
        worker.run()
    finally:
        worker.reset_signals()
        waker.close()
        if long_lane is not None:
            # A long job still running is left to its lease: the next worker
            # resumes it from its checkpoint.
            long_lane[0].running = False
