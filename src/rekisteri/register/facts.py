"""Facts about a person that rules of other apps decide by, as database expressions.

A rule laid on top of the purpose gate (who may be marketed to, in the consent
app) looks at whether a person is restricted, a customer, a business contact, or
reachable at an address; it asks here, as expressions over the outer person,
and never queries the register's tables itself. An expression filters or
decides; it shows no datum.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Concat

from rekisteri.register import models as m
from rekisteri.register.catalogue import model_key

# The tables that hold an address a message can be sent to, by their declared field.
_ADDRESS_MODELS: tuple[type[m.PersonData], ...] = (m.EmailAddress, m.PhoneNumber, m.PostalAddress)


def address_model(field: str) -> type[m.PersonData]:
    """The table that holds the address ``field`` ("email_address.address") names."""
    table = field.split(".", 1)[0]
    for model in _ADDRESS_MODELS:
        if model_key(model) == table:
            return model
    raise ValueError(f"{field} is no address field of the register")


def address_value(field: str) -> Any:
    """An address as one line of text: a postal address's parts joined as on an envelope."""
    if address_model(field) is m.PostalAddress:
        return Concat(
            "street_address",
            models.Value(", "),
            "postal_code",
            models.Value(" "),
            "city",
            models.Value(", "),
            "country",
            output_field=models.TextField(),
        )
    return models.F(field.split(".", 1)[1])


def is_restricted() -> Q:
    """The person's processing is restricted (Art. 18)."""
    return Q(restricted_since__isnull=False)


def is_customer() -> Exists:
    """The person has a customership that has not ended."""
    return Exists(m.Customership.objects.filter(person_id=OuterRef("pk"), ended_on__isnull=True))


def is_business_contact() -> Exists:
    """The person represents an organisation."""
    return Exists(m.OrganisationRole.objects.filter(person_id=OuterRef("pk")))


def holds(field: str) -> Exists:
    """The person has an address of the kind ``field`` names."""
    return Exists(address_model(field)._default_manager.filter(person_id=OuterRef("pk")))
