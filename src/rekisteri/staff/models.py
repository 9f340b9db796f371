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


class StaffMember(models.Model):
    """A staff account's role: a key of the policy's [roles], which grants purposes."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="staff_member")
    role = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"staff member {self.user_id}"


class EnrolmentToken(models.Model):
    """A one-time link for setting a password and a TOTP device; stored hashed."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"enrolment token {self.pk}"
