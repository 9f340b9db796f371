"""Jobs that live in the database, with checkpoints (DESIGN.md: no message broker)."""

from __future__ import annotations

from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued", "queued"
    RUNNING = "running", "running"
    DONE = "done", "done"
    FAILED = "failed", "failed"


class Job(models.Model):
    """One piece of long-running work (an export, a notification, a sweep).

    django-tasks carries the job to a worker; this row carries what survives a
    crash: the checkpoint the work last reached, so that a retry resumes there.
    """

    # A name from the job registry in ``rekisteri.core.jobs``.
    name = models.CharField(max_length=64)
    # Ids and settings only, never personal data.
    arguments = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    checkpoint = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    # The exception's class only: messages may quote data.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # While running: until when the worker vouches for it. A worker renews the
    # lease as it goes; a lease that ran out means the worker died, and the next
    # worker resumes the job from its checkpoint.
    lease_until = models.DateTimeField(null=True, blank=True)
    # How often a job was taken over from a worker that died, for operators.
    resumed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"job {self.pk} {self.name}"


class RegisterIdentity(models.Model):
    """The one identity of this register's database, made when its tables are made.

    The witnesses kept beside the database (the seal file, the erasure ledger)
    carry it on every line, so that a second database in the same installation
    starts clean and a file of another register is named as such, not mistaken
    for tampering (DESIGN.md, "What lives beside the database").
    """

    # Always 1: a register has one identity.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    identity = models.UUIDField(unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"register {self.identity}"
