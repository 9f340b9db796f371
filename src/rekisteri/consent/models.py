"""Consents, withdrawals and prohibitions: an append-only ledger per person.

Beside it, the texts people were shown (each stored once, by its hash) and the
cookie choices of the company's web site visitors (pseudonymous, never linked
to a person of the register).
"""

from __future__ import annotations

from django.db import models

from rekisteri.register.models import PersonData


class ConsentAction(models.TextChoices):
    GRANTED = "granted", "granted"
    WITHDRAWN = "withdrawn", "withdrawn"
    # Art. 21: an objection (kielto) always wins over any consent.
    OBJECTED = "objected", "objected"
    # The person lifted their own objection; the objection stays in the history.
    LIFTED = "lifted", "objection lifted"


class ConsentEvent(PersonData):
    """One choice a person made; the current state is derived from the events."""

    # A purpose key of the policy, or a channel scope such as "marketing:email".
    scope = models.CharField(max_length=100)
    action = models.CharField(max_length=16, choices=ConsentAction.choices)
    channel = models.CharField(max_length=30)
    # The text shown, stored once in ConsentText and referenced by its hash.
    text_hash = models.CharField(max_length=64, blank=True)
    notice_version = models.PositiveIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "scope", "occurred_at"])]


class ConsentText(models.Model):
    """A text a person was shown when they chose; no one's data, kept as proof (Art. 7(1))."""

    text_hash = models.CharField(max_length=64, primary_key=True)
    language = models.CharField(max_length=2)
    text = models.TextField()
    first_shown_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"consent text {self.text_hash[:12]}"


class CookieDecision(models.Model):
    """A web site visitor's cookie choice (notice §10; Information Society Code s. 205).

    The visitor is known only by a random id their browser keeps in the consent
    cookie; nothing here links to a person of the register.
    """

    visitor_id = models.CharField(max_length=32)
    decided_at = models.DateTimeField(db_index=True)
    # The optional categories chosen; the strictly necessary ones need no consent.
    categories = models.JSONField(default=list)
    notice_version = models.PositiveIntegerField(null=True, blank=True)
    # A hash of the policy's cookie section as the banner showed it.
    cookie_notice = models.CharField(max_length=16)
    # The browser sent Global Privacy Control: marketing was refused whatever was clicked.
    gpc = models.BooleanField(default=False)
    language = models.CharField(max_length=2)
    # The site the banner ran on (its origin's host), never the page address.
    site = models.CharField(max_length=253, blank=True)

    class Meta:
        indexes = [models.Index(fields=["visitor_id", "decided_at"])]

    def __str__(self) -> str:
        return f"cookie decision {self.pk}"
