"""Jobs that only the worker tests register: imported by the worker they start."""

from __future__ import annotations

import time

from rekisteri.core.jobs import JobRun, job


@job("tests.touch")
def touch(run: JobRun) -> None:
    run.save(touched=True)


@job("tests.stalls_once")
def stalls_once(run: JobRun) -> None:
    """Save a checkpoint, then hang (to be killed); a resumed run finishes from there."""
    if "step" not in run.checkpoint:
        run.save(step=1)
        time.sleep(120)
    run.save(finished_from=run.checkpoint["step"])


@job("tests.long_work", long=True)
def long_work(run: JobRun) -> None:
    """Work over the whole register, as a sweep is: minutes (killed with its worker)."""
    run.save(started=True)
    time.sleep(120)
