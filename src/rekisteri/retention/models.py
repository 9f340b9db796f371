"""What erasure leaves behind on purpose: anonymised content and a suppression list."""

from __future__ import annotations

from django.db import models


class AnonymousContent(models.Model):
    """Qualitative content kept for science and statistics (notice §6), cut loose
    from the person: no person id, no organisation, the date coarsened to a month,
    identifiers in the text replaced by placeholders."""

    category = models.CharField(max_length=64)
    # The table the content came from ("feedback", "service_case").
    kind = models.CharField(max_length=64)
    month = models.DateField(null=True, blank=True)
    texts = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    created_on = models.DateField()

    def __str__(self) -> str:
        return f"anonymous content {self.pk}"


class SuppressedIdentifier(models.Model):
    """A salted hash of an erased person's e-mail address or phone number.

    It cannot be read back into the identifier, but a later import of the same
    address or number hashes to it and is flagged (the person asked to be forgotten).
    """

    kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)
    created_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "digest"], name="retention_suppressed_once")
        ]

    def __str__(self) -> str:
        return f"suppressed {self.kind} {self.pk}"


class ErasureMark(models.Model):
    """The database's own witness that one erasure committed.

    Written in the erasure's transaction, so it exists exactly when the erasure
    does; the ledger's reconciliation reads it to settle an intent whose outcome
    line a crash cut off. It names no one: the erasure's id and time only.
    """

    id = models.UUIDField(primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"erasure {self.id}"
