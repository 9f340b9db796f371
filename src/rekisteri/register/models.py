"""The register's data: every category of §5 of the notice, one table each.

Every table that holds personal data carries the person's id, indexed, and the
provenance of each row (when it was stored, and which of the policy's sources
it came from). Which category each field belongs to is the policy's to say;
``tests/register/test_catalogue.py`` holds the two in step.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower


class Provenance(models.Model):
    """When a datum was stored and where it came from (notice §5, last items; §7)."""

    stored_at = models.DateTimeField(db_index=True)
    # A key of the policy's [sources]; services refuse any other.
    source = models.CharField(max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Ids only: a row's text form ends up in logs and admin pages.
        return f"{self._meta.model_name} {self.pk}"


class Gender(models.TextChoices):
    FEMALE = "female", "female"
    MALE = "male", "male"
    OTHER = "other", "other"
    UNDISCLOSED = "undisclosed", "undisclosed"


class PersonQuerySet(models.QuerySet["Person"]):
    def living(self) -> PersonQuerySet:
        """People not forgotten: an erased person's row is only a husk kept for a hold."""
        return self.filter(erased_at__isnull=True)


class Person(Provenance):
    """A data subject: a customer, a contact person of a customer, or a prospect."""

    # Shown to analysts instead of the id, so that reports never carry the key.
    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    # Stored whole (python-stdnum validated by the person's country), shown masked;
    # 20 holds any EU/EEA country's code (an Italian codice fiscale has 16).
    personal_identity_code = models.CharField(max_length=20, null=True, blank=True, unique=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    # Art. 18: set and lifted by the rights app; the purpose gate leaves such people out.
    restricted_since = models.DateTimeField(null=True, blank=True)
    # Set when the person was forgotten and only a legal hold keeps this row, as
    # a minimised husk that links the held records until their hold ends.
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"person {self.pk}"


class PersonData(Provenance):
    """A row of personal data about one person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=True)

    class Meta:
        abstract = True


class EmailAddress(PersonData):
    address = models.EmailField(max_length=254)
    # When the person proved the address theirs (they gave it themself, or
    # followed a link sent to it). Portal sign-in links go to such addresses only.
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("address"), name="register_email_address_unique")
        ]


def emails_matching(address: str) -> models.QuerySet[EmailAddress]:
    """E-mail rows with this address in any case; uses the unique LOWER(address) index."""
    return EmailAddress.objects.alias(address_lower=Lower("address")).filter(
        address_lower=address.lower()
    )


class EmailChangeState(models.TextChoices):
    PENDING = "pending", "waiting for the new address to be confirmed"
    CONFIRMED = "confirmed", "confirmed from the new address"
    UNDONE = "undone", "undone from the old address"
    SUPERSEDED = "superseded", "replaced by a later change"
    SETTLED = "settled", "confirmed, and the old address removed"


class EmailChange(PersonData):
    """A change of a person's e-mail address made by someone else than the person.

    The new address is stored at once, unverified, beside the person's verified
    one; sign-in links keep going to the verified address until the new one is
    confirmed from a link sent to it, and the old address is told of the change
    with a link that undoes it. Ids only: the addresses stay in ``EmailAddress``.
    """

    # The id of the EmailAddress row the change introduced (no foreign key, so
    # that erasing the person's rows table by table needs no order).
    new_email_row = models.BigIntegerField()
    state = models.CharField(
        max_length=16, choices=EmailChangeState.choices, default=EmailChangeState.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "state"])]


class PhoneNumber(PersonData):
    # E.164, e.g. +358401234567.
    number = models.CharField(max_length=16, db_index=True)


class PostalAddress(PersonData):
    street_address = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=10)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default="FI")


class Organisation(Provenance):
    """An organisation a person represents; its own data, not a person's."""

    name = models.CharField(max_length=200, db_index=True)
    # As the controller's country writes it: "2817330-9", "Hamburg HRB 12345".
    business_id = models.CharField(max_length=40, null=True, blank=True, unique=True)
    logo = models.FileField(upload_to="logos/", blank=True)
    presentation_video = models.URLField(blank=True)
    website = models.URLField(blank=True)

    def __str__(self) -> str:
        return f"organisation {self.pk}"


class OrganisationRole(PersonData):
    """That a person represents an organisation, and as what."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], name="register_role_once_per_org"
            )
        ]


class ServiceAccount(PersonData):
    """The person's account in the Mainio analysis service."""

    username = models.CharField(max_length=150, unique=True)
    # argon2id, never the password.
    password_hash = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)


class IdentityVerification(PersonData):
    """An identification event; never a copy of an identity document."""

    method = models.CharField(max_length=50)
    result = models.CharField(max_length=20)
    verified_at = models.DateTimeField()


class Customership(PersonData):
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="register_customership_ends_after_start",
            )
        ]


class UsageEvent(PersonData):
    action = models.CharField(max_length=100)
    detail = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "occurred_at"])]


class ContactEvent(PersonData):
    channel = models.CharField(max_length=20)
    direction = models.CharField(max_length=10)
    summary = models.TextField(blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "occurred_at"])]


class PaymentCard(PersonData):
    """A card as the payment provider knows it: never the full number."""

    provider_token = models.CharField(max_length=200)
    brand = models.CharField(max_length=30)
    last_four = models.CharField(max_length=4)
    expires = models.DateField()


class BillingAccount(PersonData):
    e_invoice_address = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=100, blank=True)


class ServiceSubscription(PersonData):
    service = models.CharField(max_length=100)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)


class Payment(PersonData):
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    paid_at = models.DateTimeField()
    method = models.CharField(max_length=30, blank=True)


class Invoice(PersonData):
    number = models.CharField(max_length=50, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    issued_on = models.DateField()
    due_on = models.DateField()
    billing_name = models.CharField(max_length=200)
    billing_address = models.CharField(max_length=300)


class WebVisit(PersonData):
    ip_address = models.GenericIPAddressField()
    cookie_id = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    page = models.CharField(max_length=500)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "occurred_at"])]


class Delivery(PersonData):
    channel = models.CharField(max_length=20)
    campaign = models.CharField(max_length=100)
    sent_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "sent_at"])]


class Feedback(PersonData):
    text = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    theme = models.CharField(max_length=100, blank=True)
    given_at = models.DateTimeField()


class ServiceCase(PersonData):
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    resolution = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)


class UserContent(PersonData):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.URLField(blank=True)


class ConsentedDatum(PersonData):
    """Any other datum the person gave under a separate consent."""

    label = models.CharField(max_length=100)
    value = models.TextField()


class Rectification(PersonData):
    """A correction made on the person's request or by staff: what, why and by whom."""

    field = models.CharField(max_length=64)
    reason = models.CharField(max_length=500)
    # The staff account's id, for the person's history; never a name.
    made_by = models.CharField(max_length=64)
