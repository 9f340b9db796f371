from __future__ import annotations

from django.db import models


class NoticeVersion(models.Model):
    """One distinct content of the register description, and when it took effect.

    The content is kept whole so that any two versions can be compared and any
    old request can be answered under the notice it was received under.
    """

    number = models.PositiveIntegerField(unique=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    content = models.JSONField()
    effective_on = models.DateField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"notice version {self.number} ({self.effective_on.isoformat()})"
