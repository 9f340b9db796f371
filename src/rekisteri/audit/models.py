"""The audit trail: who did what to whose data, when, why and from where.

Entries hold ids, never personal data. They are written plainly in the
transaction of the work they record; a sealer chains them in batches shortly
after (DESIGN.md: chaining at insert time serialises every request).
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditEvent(models.TextChoices):
    PERSON_READ = "person.read", "person read"
    # The purpose gate refused a read: who, for which purpose, whom, and why.
    PERSON_READ_REFUSED = "person.read_refused", "person read refused"
    PERSON_CREATED = "person.created", "person created"
    PERSON_CHANGED = "person.changed", "person changed"
    PEOPLE_IMPORTED = "people.imported", "people imported"
    DATA_EXPORTED = "data.exported", "data exported"
    LOGIN_SUCCEEDED = "login.succeeded", "login succeeded"
    LOGIN_FAILED = "login.failed", "login failed"
    PERMISSION_CHANGED = "permission.changed", "permission changed"
    POLICY_RECORDED = "policy.recorded", "policy recorded"
    DISCLOSURE = "disclosure", "disclosure"
    PERSON_ERASED = "person.erased", "person erased"
    RESTRICTION_CHANGED = "restriction.changed", "restriction changed"
    CONSENT_CHANGED = "consent.changed", "consent changed"
    REQUEST_CHANGED = "request.changed", "request changed"
    SUBJECT_SIGNED_IN = "subject.signed_in", "data subject signed in"
    EMAIL_CHANGE_CONFIRMED = "email_change.confirmed", "e-mail change confirmed"
    EMAIL_CHANGE_UNDONE = "email_change.undone", "e-mail change undone"
    # An aggregate report was viewed or downloaded: no person in it.
    REPORT_VIEWED = "report.viewed", "report viewed"


class CurrentTransactionId(models.Func):
    """The writing transaction's id on PostgreSQL; SQLite, with one writer, has none."""

    template = "txid_current()"
    output_field = models.BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return "NULL", []


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField()
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=64)
    event = models.CharField(max_length=32, choices=AuditEvent.choices)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Category keys of the policy, and the purpose a read was made for.
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=64, blank=True)
    # Where the act came from: "api 127.0.0.1", "cli", "worker".
    origin = models.CharField(max_length=100, blank=True)
    # Ids and counts only.
    data = models.JSONField(default=dict)
    # The writing transaction on PostgreSQL, set by the database: the sealer
    # takes only finished transactions, so no late commit can fall below a seal.
    txid = models.BigIntegerField(
        null=True, blank=True, db_index=True, db_default=CurrentTransactionId()
    )

    class Meta:
        verbose_name_plural = "audit entries"
        # One staff member's acts over a period: the data protection officer's investigation.
        indexes = [
            models.Index(fields=["actor_kind", "actor_id", "occurred_at"], name="audit_actor_time")
        ]

    def __str__(self) -> str:
        return f"audit entry {self.pk}"


class AuditSeal(models.Model):
    """One link of the chain: a batch of entries, their hash and the previous seal's."""

    number = models.PositiveBigIntegerField(unique=True)
    # The batch: entries whose position (txid on PostgreSQL, id elsewhere) is in [start, end).
    start = models.BigIntegerField()
    end = models.BigIntegerField()
    entry_count = models.PositiveIntegerField()
    batch_hash = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64)
    seal_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"audit seal {self.number}"


class Disclosure(models.Model):
    """Personal data given to a recipient (notice §8): who, on what basis, what, when.

    A transfer outside the EU/EEA also names the country and its safeguard.
    It is what later answers a data subject's "who received my data" (Art. 15(1)(c)).
    """

    recipient = models.CharField(max_length=64)  # a key of the policy's [recipients]
    legal_basis = models.CharField(max_length=32)
    categories = models.JSONField(default=list)
    disclosed_on = models.DateField()
    country = models.CharField(max_length=2, blank=True)
    safeguard = models.CharField(max_length=40, blank=True)
    # The request or case it answered (e.g. an authority's reference); no personal data.
    reference = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=64)
    # A temporary transfer with the person's consent (notice §8) ends on this day,
    # and the receiving register is told at this address (else the policy's contact).
    ends_on = models.DateField(null=True, blank=True)
    recipient_email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return f"disclosure {self.pk}"


class TransferEnd(models.TextChoices):
    EXPIRED = "expired", "expired"
    WITHDRAWN = "withdrawn", "consent withdrawn"


class DisclosedPerson(models.Model):
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="people")
    person_id = models.BigIntegerField(db_index=True)
    # When a temporary transfer ended for this person, why, and when the recipient was told.
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=TransferEnd.choices, blank=True)
    recipient_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "person_id"], name="audit_disclosed_once")
        ]

    def __str__(self) -> str:
        return f"disclosed person {self.pk}"
