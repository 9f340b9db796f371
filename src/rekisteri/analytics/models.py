"""Saved segment definitions: the analysts' own work, with no one's data in them."""

from __future__ import annotations

from django.db import models


class Segment(models.Model):
    name = models.CharField(max_length=100)
    # The purpose the segment serves: who may see it, and who may be counted in it.
    purpose = models.CharField(max_length=64)
    # The filters, as SegmentDefinition's fields (analytics/segments.py).
    definition = models.JSONField()
    # The staff account's id, never a name.
    created_by = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        # Each purpose's names are its own: one role never learns another's by a clash.
        constraints = [
            models.UniqueConstraint(fields=["purpose", "name"], name="analytics_segment_name")
        ]

    def __str__(self) -> str:
        return f"segment {self.pk}"


class Survey(models.Model):
    """A feedback or satisfaction survey sent to a segment that consented to research."""

    name = models.CharField(max_length=100, unique=True)
    question = models.TextField()
    language = models.CharField(max_length=2)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="+")
    created_by = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # How many invitations went; who got them is not kept here.
    sent_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"survey {self.pk}"
