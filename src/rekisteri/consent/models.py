"""Consents, withdrawals and prohibitions: an append-only ledger per person."""

from __future__ import annotations

from django.db import models

from rekisteri.register.models import PersonData


class ConsentAction(models.TextChoices):
    GRANTED = "granted", "granted"
    WITHDRAWN = "withdrawn", "withdrawn"
    # Art. 21: an objection (kielto) always wins over any consent.
    OBJECTED = "objected", "objected"


class ConsentEvent(PersonData):
    """One choice a person made; the current state is derived from the events."""

    # A purpose key of the policy, or a channel scope such as "marketing:email".
    scope = models.CharField(max_length=100)
    action = models.CharField(max_length=16, choices=ConsentAction.choices)
    channel = models.CharField(max_length=30)
    # The text shown, stored once elsewhere and referenced by its hash.
    text_hash = models.CharField(max_length=64, blank=True)
    notice_version = models.PositiveIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "scope", "occurred_at"])]
