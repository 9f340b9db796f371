from __future__ import annotations

from django.db import models

from rekisteri.staff.models import ApiKey


class IdempotencyRecord(models.Model):
    """The answer given to a write, so that a retry with the same key gets it again.

    Write answers hold ids only, never personal data.
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="api_idempotency_once")
        ]

    def __str__(self) -> str:
        return f"idempotency record {self.pk}"
