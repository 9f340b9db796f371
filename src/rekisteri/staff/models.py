from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    """A key of one integrating system: scoped to operations and purposes, stored hashed."""

    name = models.CharField(max_length=100, unique=True)
    # The key's public first part: finds the row without touching the secret.
    prefix = models.CharField(max_length=16, unique=True)
    # SHA-256 of the whole key; the key has 256 bits of entropy, so a slow hash adds nothing.
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    purposes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"api key {self.name}"
