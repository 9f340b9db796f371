"""A person's contact details: which the register collects, for which purposes they
may be changed, and the change itself."""

from __future__ import annotations

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Forbidden, InvalidInput
from rekisteri.policy.selectors import policy_get
from rekisteri.register import validation as v
from rekisteri.register.catalogue import (
    model_categories,
)
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.models import (
    EmailAddress,
    Person,
    PhoneNumber,
    PostalAddress,
)
from rekisteri.register.selectors import purpose_require
from rekisteri.register.services.email_change import email_replace
from rekisteri.register.services.people import (
    AddressIn,
    PersonIn,
    address_clean,
    email_free_require,
    person_collected_require,
)
from rekisteri.register.services.writing import model_fields_named, person_lock, source_require

# The fields a change of contact details writes.
CONTACT_FIELDS = (
    "email_address.address",
    "phone_number.number",
    "postal_address.street_address",
    "postal_address.postal_code",
    "postal_address.city",
    "postal_address.country",
)


# Each contact detail a change names, and the fields it writes.
CONTACT_DETAILS = {
    "email": ("email_address.address",),
    "phone": ("phone_number.number",),
    "address": (
        "postal_address.street_address",
        "postal_address.postal_code",
        "postal_address.city",
    ),
}


def contact_details_collected() -> frozenset[str]:
    """The contact details ("email", "phone", "address") the register collects: the
    forms that change them offer these and no others."""
    policy = policy_get()
    return frozenset(
        detail
        for detail, fields in CONTACT_DETAILS.items()
        if all(policy.collects(field) for field in fields)
    )


def contact_collected_require(
    *, email: str | None = None, phone: str | None = None, address: AddressIn | None = None
) -> None:
    """Refuse a change of contact details that names one the register does not collect."""
    person_collected_require(
        PersonIn(first_name="", last_name="", email=email, phone=phone, address=address)
    )


def contact_write_purposes() -> list[str]:
    """The purposes for which contact details may be changed, as the policy says.

    A purpose covers the change when every category the contact fields belong
    to serves it. A direct-marketing purpose does not, although it reads the
    same details: it uses them to reach people and ends when they object (GDPR
    Art. 21(3)); keeping them correct (Art. 5(1)(d), Art. 16) is processing
    for the relationship itself, and the address on file is where the person's
    own sign-in links and notices go.
    """
    policy = policy_get()
    # A contact detail the controller does not collect is in no category and covers nothing.
    categories = {
        policy.category_of_field(field) for field in CONTACT_FIELDS if policy.collects(field)
    }
    return [
        key
        for key, purpose in policy.purposes.items()
        if not purpose.direct_marketing
        and bool(categories)
        and all(c is not None and key in policy.categories[c].purposes for c in categories)
    ]


def contact_purpose_require(*, actor: Actor, purpose: str) -> str:
    """Refuse a purpose the actor does not hold or that does not cover contact details."""
    purpose_require(actor=actor, purpose=purpose)
    if purpose not in contact_write_purposes():
        raise Forbidden(
            f"the purpose {purpose!r} does not cover changing contact details",
            code=RegisterCode.PURPOSE_DOES_NOT_COVER,
            data={"purpose": purpose},
        )
    return purpose


def contact_write_purpose(*, actor: Actor, preferred: str = "") -> str:
    """The actor's purpose to change contact details under: ``preferred`` if it covers
    the change, else another the actor holds; refuse an actor that holds none."""
    covering = [p for p in contact_write_purposes() if p in actor.purposes]
    if not covering:
        raise Forbidden(
            "your role's purposes do not cover changing contact details",
            code=RegisterCode.PURPOSE_DOES_NOT_COVER,
        )
    return contact_purpose_require(
        actor=actor, purpose=preferred if preferred in covering else covering[0]
    )


@transaction.atomic
def person_contact_update(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    purpose: str | None,
    email: str | None = None,
    phone: str | None = None,
    address: AddressIn | None = None,
) -> Person:
    """Replace the person's e-mail, phone or postal address; each keeps its own provenance.

    ``purpose`` is what the actor changes the details for, and must cover them;
    None only for the person's own request (GDPR Art. 16), which needs none.
    """
    if purpose is not None:
        contact_purpose_require(actor=actor, purpose=purpose)
    source_require(source)
    contact_collected_require(email=email, phone=phone, address=address)
    clean_email = v.clean_email(email) if email else None
    clean_phone = v.clean_phone(phone) if phone else None
    clean_address = address_clean(address) if address else None
    if not (clean_email or clean_phone or clean_address):
        raise InvalidInput("give at least one of email, phone or address")
    source_require(
        source,
        [
            *model_fields_named(EmailAddress, ("address",) if clean_email else ()),
            *model_fields_named(PhoneNumber, ("number",) if clean_phone else ()),
            *model_fields_named(
                PostalAddress,
                ("street_address", "postal_code", "city", "country") if clean_address else (),
            ),
        ],
    )
    person = person_lock(person_id)
    now = clock.now()
    prov = {"person": person, "stored_at": now, "source": source}
    change = None
    if clean_email:
        email_free_require(clean_email, except_person=person.pk)
        change = email_replace(actor, person, clean_email, now=now, source=source)
    if clean_phone:
        PhoneNumber.objects.filter(person=person).delete()
        PhoneNumber.objects.create(number=clean_phone, **prov)
    if clean_address:
        PostalAddress.objects.filter(person=person).delete()
        PostalAddress.objects.create(**clean_address.__dict__, **prov)
    audit_record(
        actor=actor,
        event=AuditEvent.PERSON_CHANGED,
        person_id=person.pk,
        categories=model_categories(EmailAddress, policy_get()),
        data={
            "changed": [
                name
                for name, value in (
                    ("email", clean_email),
                    ("phone", clean_phone),
                    ("address", clean_address),
                )
                if value
            ],
            **({"email_change": change.pk} if change else {}),
        },
    )
    return person
