"""Data subject requests (GDPR Art. 15-21) and what answering them produces."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Re-exported: the channels a request comes by were named here before core had them.
from rekisteri.core.channels import RequestChannel as RequestChannel


class RightKind(models.TextChoices):
    """The rights of notice §11 that a request can exercise (keys of the policy's rights)."""

    ACCESS = "access", _("access to own data")
    RECTIFICATION = "rectification", _("rectification")
    OBJECTION_DIRECT_MARKETING = "objection_direct_marketing", _("objection to direct marketing")
    OBJECTION = "objection", _("objection to processing")
    DELETION = "deletion", _("ending the customership")
    ERASURE = "erasure", _("erasure (right to be forgotten)")
    PORTABILITY = "portability", _("data portability")
    RESTRICTION = "restriction", _("restriction of processing")


class RequestState(models.TextChoices):
    RECEIVED = "received", _("received")
    VERIFIED = "verified", _("identity verified")
    # Verified, and waiting for the data protection officer to review what it asks
    # (an erasure an integrating system filed) before it is answered.
    REVIEW = "review", _("to be reviewed")
    FULFILLED = "fulfilled", _("answered")
    REJECTED = "rejected", _("refused")


# A request in these states still waits for its answer.
OPEN_STATES = (RequestState.RECEIVED, RequestState.VERIFIED, RequestState.REVIEW)


class VerificationMethod(models.TextChoices):
    PORTAL_SIGN_IN = "portal_sign_in", _("signed in to the portal")
    API_CLIENT = "api_client", _("authenticated by the integrating system")
    CODE = "code", _("code sent to contact details on file")
    STAFF_CHECK = "staff_check", _("checked by staff")


class SubjectRequest(models.Model):
    """One request of a data subject, from receipt to answer.

    The person is held as a plain id, not a foreign key: a request to be
    forgotten outlives the person, as the proof that it was answered.
    """

    person_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=32, choices=RightKind.choices)
    state = models.CharField(
        max_length=16, choices=RequestState.choices, default=RequestState.RECEIVED
    )
    channel = models.CharField(max_length=20, choices=RequestChannel.choices)
    # The subject's language, for every notice and document sent to them.
    language = models.CharField(max_length=2, default="fi")
    received_at = models.DateTimeField()
    received_on = models.DateField()
    due_on = models.DateField(db_index=True)
    # Art. 12(3): one extension, with reasons, told to the subject.
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    original_due_on = models.DateField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.CharField(
        max_length=20, choices=VerificationMethod.choices, blank=True
    )
    # What staff checked, in words; never a copy of an identity document.
    verification_note = models.CharField(max_length=500, blank=True)
    # The notice version in force when the request was received.
    notice_version = models.PositiveIntegerField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # What was asked: a rectification's field and proposed value. Personal data,
    # so cleared when the person is forgotten.
    details = models.JSONField(default=dict, blank=True)
    # Who filed it: "subject", "staff:<id>", "api_key:<id>".
    filed_by = models.CharField(max_length=80)
    # Whether this request put the person under restriction (Art. 18(1)(a), (b), (d)).
    restricts = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # The answer's facts: counts, ids, the erasure certificate, the recipients to
    # tell (Art. 19). Never personal data.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["person_id", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("received_on")),
                name="rights_request_due_after_receipt",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=RequestState.values),
                name="rights_request_state_known",
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class VerificationCode(models.Model):
    """A one-time code sent to contact details on file, to verify a written request."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"verification code {self.pk}"


class SignInLink(models.Model):
    """A one-time portal sign-in link e-mailed to an address already on file."""

    person_id = models.BigIntegerField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link {self.pk}"


class SignInAttempt(models.Model):
    """A request for a sign-in link, kept for the rate limits only.

    Keyed HMAC digests of the client's address and of the e-mail address asked
    for, never the values; the same row counts against both limits, whether or
    not the address is registered, so that being limited tells nothing either.
    """

    client_digest = models.CharField(max_length=64)
    email_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["client_digest", "created_at"]),
            models.Index(fields=["email_digest", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"sign-in attempt {self.pk}"


class ExportPackage(models.Model):
    """An access or portability package, downloadable from the portal until it expires."""

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="packages")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"package {self.pk}"


class ExportFile(models.Model):
    package = models.ForeignKey(ExportPackage, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package", "name"], name="rights_file_once_per_package")
        ]

    def __str__(self) -> str:
        return f"file {self.pk} of package {self.package_id}"


class RecipientNotice(models.Model):
    """Art. 19: a recipient of the person's data told of a rectification, erasure or restriction.

    One row per disclosure the request's person was part of; ids only. A notice
    whose recipient has no contact stays unsent, and ``rekisteri check`` counts it.
    """

    request = models.ForeignKey(
        SubjectRequest, on_delete=models.CASCADE, related_name="recipient_notices"
    )
    disclosure_id = models.BigIntegerField()
    recipient = models.CharField(max_length=64)  # a key of the policy's [recipients]
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "disclosure_id"], name="rights_recipient_told_once"
            )
        ]

    def __str__(self) -> str:
        return f"recipient notice {self.pk}"


class NoticeAnnouncement(models.Model):
    """A material change of the notice, announced to the people in the register (§12)."""

    version_number = models.PositiveIntegerField(unique=True)
    # The day the changed notice takes effect: never before it was announced.
    effective_on = models.DateField()
    announced_at = models.DateTimeField()
    announced_by = models.CharField(max_length=64)
    # How far the sending job has come, for the DPO.
    people_total = models.PositiveIntegerField(default=0)
    emails_sent = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"announcement of notice version {self.version_number}"


class AnnouncementDelivery(models.Model):
    """Who was told of an announced change, and when: by e-mail, and seen in the portal."""

    announcement = models.ForeignKey(
        NoticeAnnouncement, on_delete=models.CASCADE, related_name="deliveries"
    )
    person_id = models.BigIntegerField(db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "person_id"], name="rights_announced_once"
            )
        ]

    def __str__(self) -> str:
        return f"announcement delivery {self.pk}"


class SubjectMessage(models.Model):
    """A message owed to the person about their request: the outbox.

    Written in the same transaction as the change it reports, so a change never
    commits without its message nor a message without its change; a job sends it
    and marks it sent, and a second run of that job (after a kill, a retry) finds
    it sent and sends nothing. The address is captured when the message is owed
    (an erasure's last message must reach an address that is gone by the time it
    is sent) and blanked once the message is sent or given up.
    """

    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="messages")
    # What happened: received, extended, fulfilled, package_ready, rejected, erased.
    event = models.CharField(max_length=32)
    to_address = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # Not sent in time (the mail server kept refusing): the address is blanked.
    abandoned_at = models.DateTimeField(null=True, blank=True)
    # The same Message-ID on every try: should the send be repeated after a kill
    # between the mail server's acceptance and our mark, it is the same message.
    message_id = models.CharField(max_length=255, unique=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"message {self.pk} of request {self.request_id}"
