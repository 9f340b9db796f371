"""A person's registration: the rules of their data, and the one write that stores it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, InvalidInput
from rekisteri.policy.selectors import policy_get
from rekisteri.register import validation as v
from rekisteri.register.catalogue import (
    model_categories,
    model_fields,
)
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.models import (
    EmailAddress,
    Gender,
    Organisation,
    OrganisationRole,
    Person,
    PhoneNumber,
    PostalAddress,
    ServiceAccount,
    emails_matching,
)
from rekisteri.register.services.organisations import (
    OrganisationIn,
    organisation_clean,
    organisation_link,
)
from rekisteri.register.services.writing import (
    collected_require,
    model_fields_named,
    source_from_subject,
    source_require,
)


@dataclass(frozen=True)
class AddressIn:
    street_address: str
    postal_code: str
    city: str
    # ISO 3166 alpha-2; None for the controller's country.
    country: str | None = None


def address_clean(address: AddressIn) -> AddressIn:
    country = v.clean_country(address.country or v.controller_country(), field="address.country")
    return AddressIn(
        street_address=v.clean_text(
            address.street_address, field="address.street_address", max_length=200
        ),
        postal_code=v.clean_postal_code(
            address.postal_code, country=country, field="address.postal_code"
        ),
        city=v.clean_text(address.city, field="address.city", max_length=100),
        country=country,
    )


def email_free_require(address: str, *, except_person: int | None = None) -> None:
    taken = emails_matching(address)
    if except_person is not None:
        taken = taken.exclude(person_id=except_person)
    if taken.exists():
        # Say that it is taken, not by whom.
        raise Conflict("email: the address is already registered", code=RegisterCode.EMAIL_TAKEN)


def _hash_password(password: str) -> str:
    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(
            "password: " + " ".join(exc.messages),
            code=RegisterCode.INVALID_TEXT,
            data={"field": "password"},
        ) from None
    return make_password(password)


@dataclass(frozen=True)
class PersonIn:
    """A person as a client sends it, before cleaning."""

    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    address: AddressIn | None = None
    personal_identity_code: str | None = None
    birth_year: int | None = None
    gender: str = ""
    job_title: str = ""
    organisation: OrganisationIn | None = None


def person_collected_require(person: PersonIn) -> None:
    """Refuse what the person's data would store in a field the policy does not collect."""
    collected_require(
        Person,
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "personal_identity_code": person.personal_identity_code,
            "birth_year": person.birth_year,
            "gender": person.gender,
            "job_title": person.job_title,
        },
    )
    if person.email:
        collected_require(EmailAddress, {"address": person.email}, named={"address": "email"})
    if person.phone:
        collected_require(PhoneNumber, {"number": person.phone}, named={"number": "phone"})
    if person.address:
        collected_require(PostalAddress, person.address.__dict__, prefix="address.")
    if person.organisation:
        org = person.organisation
        collected_require(
            Organisation,
            {"name": org.name, "business_id": org.business_id, "website": org.website},
            prefix="organisation.",
        )
        collected_require(OrganisationRole, {"title": org.title}, prefix="organisation.")


def person_clean(person: PersonIn) -> PersonIn:
    """Apply every rule of a person's data; the one place the API and imports share."""
    person_collected_require(person)
    if person.gender and person.gender not in Gender.values:
        raise InvalidInput(
            f"gender: must be one of {', '.join(Gender.values)}",
            code=RegisterCode.INVALID_TEXT,
            data={"field": "gender"},
        )
    address = address_clean(person.address) if person.address else None
    return PersonIn(
        first_name=v.clean_text(person.first_name, field="first_name", max_length=100),
        last_name=v.clean_text(person.last_name, field="last_name", max_length=100),
        email=v.clean_email(person.email) if person.email else None,
        # A number without a country code, and the identity code below, are read by
        # the person's country as their address gives it; by the controller's without one.
        phone=(
            v.clean_phone(person.phone, region=address.country if address else None)
            if person.phone
            else None
        ),
        address=address,
        personal_identity_code=(
            v.clean_personal_identity_code(
                person.personal_identity_code, country=address.country if address else None
            )
            if person.personal_identity_code
            else None
        ),
        birth_year=(
            v.clean_birth_year(person.birth_year) if person.birth_year is not None else None
        ),
        gender=person.gender,
        job_title=v.clean_text(person.job_title, field="job_title", max_length=200, required=False),
        organisation=organisation_clean(person.organisation) if person.organisation else None,
    )


def person_fields_written(person: PersonIn, *, account: bool = False) -> list[str]:
    """The fields a registration of ``person`` stores from its source: each one's
    category must list the source. What the register sets itself (the pseudonym,
    when an address was verified) is not the source's."""
    given: list[tuple[type[Model], tuple[str, ...]]] = [(Person, ("first_name", "last_name"))]
    person_extra = {
        "personal_identity_code": person.personal_identity_code,
        "birth_year": person.birth_year,
        "gender": person.gender,
        "job_title": person.job_title,
    }
    given.append((Person, tuple(k for k, value in person_extra.items() if value not in (None, ""))))
    if person.email:
        given.append((EmailAddress, ("address",)))
    if person.phone:
        given.append((PhoneNumber, ("number",)))
    if person.address:
        given.append((PostalAddress, ("street_address", "postal_code", "city", "country")))
    if account:
        given.append((ServiceAccount, ("username", "password_hash")))
    if person.organisation:
        org = person.organisation
        given.append(
            (
                Organisation,
                ("name", *(k for k in ("business_id", "website") if getattr(org, k))),
            )
        )
    written = [field for model, names in given for field in model_fields_named(model, names)]
    if person.organisation:
        # The link to the organisation and the person's title in it: the whole row.
        written += model_fields(OrganisationRole)
    return written


def person_register(
    *,
    actor: Actor,
    source: str,
    person: PersonIn,
    username: str | None = None,
    password: str | None = None,
) -> Person:
    """Register a person with their contact data, account and organisation."""
    source_require(source)
    clean = person_clean(person)
    if (username is None) != (password is None):
        raise InvalidInput("username and password go together", code=RegisterCode.INVALID_TEXT)
    if username is not None:
        collected_require(
            ServiceAccount,
            {"username": username, "password_hash": password},
            prefix="account.",
            named={"password_hash": "account.password"},
        )
    # Each category the registration writes must list the source (notice §5, §7).
    source_require(source, person_fields_written(clean, account=username is not None))
    clean_username = v.clean_text(username, field="username", max_length=150) if username else None
    password_hash = _hash_password(password) if password is not None else None

    now = clock.now()
    try:
        with transaction.atomic():
            if clean.email:
                email_free_require(clean.email)
            if clean_username and ServiceAccount.objects.filter(username=clean_username).exists():
                raise Conflict("username: already taken", code=RegisterCode.USERNAME_TAKEN)
            code = clean.personal_identity_code
            if code and Person.objects.filter(personal_identity_code=code).exists():
                raise Conflict(
                    "personal_identity_code: already registered to another person",
                    code=RegisterCode.INVALID_PERSONAL_IDENTITY_CODE,
                )
            row = Person.objects.create(
                stored_at=now,
                source=source,
                first_name=clean.first_name,
                last_name=clean.last_name,
                personal_identity_code=code,
                birth_year=clean.birth_year,
                gender=clean.gender,
                job_title=clean.job_title,
            )
            prov = {"person": row, "stored_at": now, "source": source}
            if clean.email:
                # Verified when the person gave it themself, as the policy tells
                # by the source (the rule migration 0007 applied to older rows).
                EmailAddress.objects.create(
                    address=clean.email,
                    verified_at=now if source_from_subject(source) else None,
                    **prov,
                )
            if clean.phone:
                PhoneNumber.objects.create(number=clean.phone, **prov)
            if clean.address:
                PostalAddress.objects.create(**clean.address.__dict__, **prov)
            if clean_username and password_hash:
                ServiceAccount.objects.create(
                    username=clean_username, password_hash=password_hash, **prov
                )
            if clean.organisation:
                organisation_link(row, clean.organisation, now=now, source=source)
            audit_record(
                actor=actor,
                event=AuditEvent.PERSON_CREATED,
                person_id=row.pk,
                categories=sorted(
                    {
                        category
                        for model in (Person, EmailAddress, PhoneNumber, PostalAddress)
                        for category in model_categories(model, policy_get())
                    }
                ),
                data={"table": "person", "id": row.pk},
            )
    except IntegrityError:
        # Two requests raced for the same e-mail, username or identity code.
        raise Conflict(
            "the person's e-mail, username or identity code is already registered",
            code=RegisterCode.EMAIL_TAKEN,
        ) from None
    return row
