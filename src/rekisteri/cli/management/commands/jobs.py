from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils import timezone

from rekisteri.cli.base import RekisteriCommand
from rekisteri.core.jobs import job_retry, jobs_recent, jobs_run_queued
from rekisteri.core.models import JobState


class Command(RekisteriCommand):
    help = (
        "The jobs queued in the database (exports, notices, reminders): list them, "
        "retry a failed one from its checkpoint, or run what is queued now."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="The newest jobs.")
        listing.add_argument("--state", choices=JobState.values, default=None)
        listing.add_argument("--limit", type=int, default=50)
        retry = sub.add_parser(
            "retry", help="Queue a failed job again; it resumes where it stopped."
        )
        retry.add_argument("job_id", type=int)
        sub.add_parser("run", help="Run every queued job in this process, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for job in jobs_recent(limit=options["limit"], state=options["state"]):
                done = ", ".join(f"{k}={_plain(v)}" for k, v in sorted(job.checkpoint.items()))
                self.stdout.write(
                    f"{job.pk}\t{job.name}\t{job.state}\tattempts {job.attempts}"
                    + (f"\tresumed {job.resumed}" if job.resumed else "")
                    + f"\t{timezone.localtime(job.created_at):%Y-%m-%d %H:%M}"
                    + (f"\terror {job.last_error}" if job.last_error else "")
                    + (f"\tcheckpoint {done}" if done else "")
                )
        elif options["action"] == "retry":
            job = job_retry(job_id=options["job_id"])
            self.stdout.write(f"job {job.pk} ({job.name}) queued again; the worker resumes it")
        else:
            for job in jobs_run_queued():
                self.stdout.write(f"{job.pk}\t{job.name}\t{job.state}")


def _plain(value: Any) -> str:
    """A checkpoint's value as a person reads it: no Python brackets or quotes."""
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k} {_plain(v)}" for k, v in sorted(value.items())) + ")"
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_plain(v) for v in value) + ")"
    return str(value)
