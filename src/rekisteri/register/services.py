"""Writes to the register. Every write names its source and is validated first."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import Conflict, Forbidden, InvalidInput, NotFound, PolicyRefusal
from rekisteri.core.jobs import job_enqueue
from rekisteri.policy.schema import SourceRecord
from rekisteri.policy.selectors import policy_get
from rekisteri.register import validation as v
from rekisteri.register.catalogue import (
    PROVENANCE_FIELDS,
    model_categories,
    model_fields,
    model_key,
)
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.models import (
    BillingAccount,
    ConsentedDatum,
    ContactEvent,
    Customership,
    Delivery,
    EmailAddress,
    EmailChange,
    EmailChangeState,
    Feedback,
    Gender,
    IdentityVerification,
    Invoice,
    Organisation,
    OrganisationRole,
    Payment,
    PaymentCard,
    Person,
    PhoneNumber,
    PostalAddress,
    Rectification,
    ServiceAccount,
    ServiceCase,
    ServiceSubscription,
    UsageEvent,
    UserContent,
    WebVisit,
    emails_matching,
)
from rekisteri.register.selectors import purpose_require


@dataclass(frozen=True)
class AddressIn:
    street_address: str
    postal_code: str
    city: str
    # ISO 3166 alpha-2; None for the controller's country.
    country: str | None = None


@dataclass(frozen=True)
class OrganisationIn:
    name: str
    business_id: str | None = None
    website: str = ""
    title: str = ""


def source_require(source: str, fields: Iterable[str] = ()) -> str:
    """Refuse a source the policy does not list (notice §7), or one it does not list for
    the category of a field the write stores (``"<model>.<field>"``; notice §5)."""
    policy = policy_get()
    sources = policy.sources
    if source not in sources:
        raise InvalidInput(
            f"source: unknown source {source!r}; the policy lists {', '.join(sorted(sources))}",
            code=RegisterCode.UNKNOWN_SOURCE,
            data={"field": "source", "source": source},
        )
    for field in fields:
        category = policy.category_of_field(field)
        if category is None:
            # A field no category declares is not collected: its own rule refuses it.
            continue
        allowed = policy.categories[category].sources
        if source not in allowed:
            raise PolicyRefusal(
                f"source: the policy does not list {source!r} as a source of {field} "
                f"(category {category!r}, whose sources are {', '.join(allowed)})",
                code=RegisterCode.SOURCE_NOT_ALLOWED,
                data={"field": "source", "source": source, "category": category, "written": field},
            )
    return source


def _given(value: object) -> bool:
    return value is not None and value != ""


def collected_require(
    model: type[Model],
    values: Mapping[str, object],
    *,
    prefix: str = "",
    named: Mapping[str, str] | None = None,
) -> None:
    """Refuse a value for a field the policy declares not collected, naming the field.

    What the register description says the controller does not collect
    (``not_collected``) no write may store: a value for such a field is refused,
    and a table none of whose fields is collected (a category the description
    leaves out) takes no row at all, empty or not. Call it before writing, so
    that a refusal changes nothing. ``values`` are keyed by the model's field
    names; the refusal names the field as the caller's input does: ``prefix``
    before the model's name ("address."), or ``named`` for another name.
    """
    policy = policy_get()
    key = model_key(model)
    data_fields = [f for f in model_fields(model) if f.split(".", 1)[1] not in PROVENANCE_FIELDS]
    none_collected = bool(data_fields) and not any(policy.collects(f) for f in data_fields)
    for name, value in values.items():
        field = f"{key}.{name}"
        if not policy.collects(field) and (none_collected or _given(value)):
            given = (named or {}).get(name, prefix + name)
            raise PolicyRefusal(
                f"{given}: the register does not collect this datum "
                f"(its description declares {field} not collected)",
                code=RegisterCode.NOT_COLLECTED,
                data={"field": given, "not_collected": field},
            )


def model_fields_named(model: type[Model], names: Iterable[str]) -> list[str]:
    """``names`` of ``model``'s fields as the policy names them: "<model>.<field>"."""
    return [f"{model_key(model)}.{name}" for name in names]


def source_from_subject(source: str) -> bool:
    """Whether the policy says data from ``source`` come from the person themself."""
    found = policy_get().sources.get(source)
    return found is not None and found.from_subject


def people_lock(person_ids: Iterable[int]) -> list[Person]:
    """Lock the living people among ``person_ids`` for this transaction, in id order.

    Every write for a person and the erasure take their people through here, so
    that the two serialise on the person's row: a write that waited for an
    erasure finds the person gone (the row is read again after the lock is
    taken) and fails, and an erasure that waited for a write erases what it
    wrote. One order (by id) for every caller means no two of them deadlock.
    A forgotten person's husk (kept only to link held vouchers) is no one.
    """
    return list(
        Person.objects.select_for_update()
        .living()
        .filter(pk__in=sorted(set(person_ids)))
        .order_by("pk")
    )


def person_lock(person_id: int) -> Person:
    """Lock the living person for a write in this transaction; not found if gone."""
    found = people_lock([person_id])
    if not found:
        raise NotFound(
            f"there is no person {person_id}",
            code=RegisterCode.NOT_FOUND,
            data={"person_id": person_id},
        )
    return found[0]


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


def _email_free(address: str, *, except_person: int | None = None) -> None:
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


def _person_collected_require(person: PersonIn) -> None:
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
    _person_collected_require(person)
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
        organisation=_clean_organisation(person.organisation) if person.organisation else None,
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
                _email_free(clean.email)
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
                _organisation_link(row, clean.organisation, now=now, source=source)
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


def _clean_organisation(organisation: OrganisationIn) -> OrganisationIn:
    return OrganisationIn(
        name=v.clean_text(organisation.name, field="organisation.name", max_length=200),
        business_id=(
            v.clean_business_id(organisation.business_id, field="organisation.business_id")
            if organisation.business_id
            else None
        ),
        website=(
            v.clean_url(organisation.website, field="organisation.website")
            if organisation.website
            else ""
        ),
        title=v.clean_text(
            organisation.title, field="organisation.title", max_length=200, required=False
        ),
    )


def _organisation_link(
    person: Person, org: OrganisationIn, *, now: dt.datetime, source: str
) -> None:
    organisation = None
    if org.business_id:
        organisation = Organisation.objects.filter(business_id=org.business_id).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            stored_at=now,
            source=source,
            name=org.name,
            business_id=org.business_id,
            website=org.website,
        )
    OrganisationRole.objects.get_or_create(
        person=person,
        organisation=organisation,
        defaults={"stored_at": now, "source": source, "title": org.title},
    )


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
    _person_collected_require(
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


# The job that tells the person of a change of their e-mail address made by
# someone else (the rights app, which speaks to people, registers it).
EMAIL_CHANGE_JOB = "register.email_change_notify"
# The new address confirms within this time; the old one can undo for longer,
# so that a change confirmed by whoever holds the new address can still be undone.
EMAIL_CONFIRM_DAYS = 7
EMAIL_UNDO_DAYS = 14


def _email_replace(
    actor: Actor, person: Person, address: str, *, now: dt.datetime, source: str
) -> EmailChange | None:
    """Make ``address`` the person's e-mail address.

    Only the person makes an address verified by giving it. A change by anyone
    else (a client, staff, an import) keeps the person's verified addresses
    beside the new one, so that sign-in links still go there, and records a
    pending change: the new address gets a link to confirm it, the old ones a
    link to undo it (both sent by a job, after commit).
    """
    rows = list(EmailAddress.objects.filter(person=person))
    same = next((row for row in rows if row.address.lower() == address.lower()), None)
    pending = EmailChange.objects.filter(person=person, state=EmailChangeState.PENDING)
    superseded = set(pending.values_list("new_email_row", flat=True))
    pending.update(state=EmailChangeState.SUPERSEDED, decided_at=now)
    if actor.kind == ActorKind.SUBJECT and actor.id == str(person.pk):
        # The person's own word: the address is theirs, and replaces the others.
        keep = same or EmailAddress.objects.create(
            person=person, stored_at=now, source=source, address=address
        )
        if keep.verified_at is None:
            keep.verified_at = now
            keep.save(update_fields=["verified_at"])
        EmailAddress.objects.filter(person=person).exclude(pk=keep.pk).delete()
        return None
    if same is not None and same.verified_at is not None:
        # An address the person already proved theirs needs no confirmation; but
        # their other verified addresses stay, since an undo link may need them
        # (a confirmed change settles them away once it can no longer be undone).
        EmailAddress.objects.filter(person=person, verified_at__isnull=True).exclude(
            pk=same.pk
        ).delete()
        return None
    verified = [row.pk for row in rows if row.verified_at is not None and row is not same]
    stale = EmailAddress.objects.filter(person=person).exclude(pk__in=verified)
    if same is not None:
        stale = stale.exclude(pk=same.pk)
    stale.delete()
    if same is not None and same.pk in superseded:
        # Set again while its change waited: it is a new change, stored now.
        same.stored_at, same.source = now, source
        same.save(update_fields=["stored_at", "source"])
    new = same or EmailAddress.objects.create(
        person=person, stored_at=now, source=source, address=address
    )
    change = EmailChange.objects.create(
        person=person, stored_at=now, source=source, new_email_row=new.pk
    )
    job_enqueue(EMAIL_CHANGE_JOB, change_id=change.pk)
    return change


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
        _email_free(clean_email, except_person=person.pk)
        change = _email_replace(actor, person, clean_email, now=now, source=source)
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


def _email_change(change_id: int, *, states: tuple[str, ...]) -> EmailChange:
    change = (
        EmailChange.objects.select_for_update()
        .filter(pk=change_id, state__in=states, person__erased_at__isnull=True)
        .first()
    )
    if change is None:
        raise InvalidInput("the link is not valid any more", code=RegisterCode.LINK_INVALID)
    return change


def _email_change_audit(actor: Actor, change: EmailChange, event: AuditEvent) -> None:
    audit_record(
        actor=actor,
        event=event,
        person_id=change.person_id,
        categories=model_categories(EmailAddress, policy_get()),
        data={"email_change": change.pk, "email_row": change.new_email_row},
    )


@transaction.atomic
def email_change_confirm(*, actor: Actor, change_id: int) -> EmailChange:
    """Verify the new address of a change, from the link sent to it: sign-in links go
    there from now on. The old addresses stay until the change can no longer be undone."""
    change = _email_change(change_id, states=(EmailChangeState.PENDING,))
    now = clock.now()
    updated = EmailAddress.objects.filter(pk=change.new_email_row, person_id=change.person_id)
    if not updated.update(verified_at=now):
        raise InvalidInput("the link is not valid any more", code=RegisterCode.LINK_INVALID)
    change.state, change.decided_at = EmailChangeState.CONFIRMED, now
    change.save(update_fields=["state", "decided_at"])
    _email_change_audit(actor, change, AuditEvent.EMAIL_CHANGE_CONFIRMED)
    return change


@transaction.atomic
def email_change_undo(*, actor: Actor, change_id: int) -> EmailChange:
    """Undo a change, from the link sent to the old address: the new address goes,
    the person's verified addresses stay."""
    change = _email_change(change_id, states=(EmailChangeState.PENDING, EmailChangeState.CONFIRMED))
    EmailAddress.objects.filter(pk=change.new_email_row, person_id=change.person_id).delete()
    change.state, change.decided_at = EmailChangeState.UNDONE, clock.now()
    change.save(update_fields=["state", "decided_at"])
    _email_change_audit(actor, change, AuditEvent.EMAIL_CHANGE_UNDONE)
    return change


@transaction.atomic
def email_changes_settle() -> int:
    """Remove the addresses that confirmed changes replaced, once they can no longer
    be undone; return how many changes settled."""
    due = EmailChange.objects.select_for_update().filter(
        state=EmailChangeState.CONFIRMED,
        stored_at__lt=clock.now() - dt.timedelta(days=EMAIL_UNDO_DAYS),
    )
    settled = 0
    for change in due:
        EmailAddress.objects.filter(
            person_id=change.person_id, stored_at__lte=change.stored_at
        ).exclude(pk=change.new_email_row).delete()
        change.state = EmailChangeState.SETTLED
        change.save(update_fields=["state"])
        settled += 1
    return settled


@transaction.atomic
def customership_start(
    *, actor: Actor, person_id: int, source: str, started_on: dt.date | None = None
) -> Customership:
    """Start a customership; a person may hold several."""
    source_require(source)
    person_lock(person_id)
    return _create_for_person(
        actor, Customership, person_id, source, started_on=started_on or clock.today()
    )


@transaction.atomic
def customership_end(
    *,
    actor: Actor,
    person_id: int,
    customership_id: int,
    ended_on: dt.date | None = None,
    reason: str = "",
) -> Customership:
    """End a customership; from its end the retention clock runs (notice §6)."""
    collected_require(Customership, {"ended_on": ended_on, "end_reason": reason})
    person_lock(person_id)
    try:
        customership = Customership.objects.select_for_update().get(
            pk=customership_id, person_id=person_id
        )
    except Customership.DoesNotExist:
        raise NotFound(
            f"person {person_id} has no customership {customership_id}",
            data={"person_id": person_id, "customership_id": customership_id},
        ) from None
    if customership.ended_on is not None:
        raise Conflict(
            f"customership {customership_id} has already ended",
            code=RegisterCode.INVALID_STATE,
        )
    end = ended_on or clock.today()
    if end < customership.started_on:
        raise InvalidInput(
            "ended_on: a customership cannot end before it started",
            code=RegisterCode.INVALID_STATE,
            data={"field": "ended_on"},
        )
    customership.ended_on = end
    customership.end_reason = v.clean_text(reason, field="reason", max_length=200, required=False)
    customership.save(update_fields=["ended_on", "end_reason"])
    _audit_change(actor, customership)
    return customership


LOGO_SUFFIX = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@transaction.atomic
def organisation_logo_set(*, actor: Actor, organisation_id: int, content: bytes) -> Organisation:
    """Store an organisation's logo; its type is sniffed from the bytes, not the name."""
    collected_require(Organisation, {"logo": content})
    content_type = v.clean_image(content, field="logo")
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(
            f"there is no organisation {organisation_id}",
            data={"organisation_id": organisation_id},
        )
    old = organisation.logo.name if organisation.logo else None
    # A random name: the file's own name may carry personal data.
    organisation.logo.save(
        f"{uuid.uuid4().hex}.{LOGO_SUFFIX[content_type]}", ContentFile(content), save=False
    )
    organisation.save(update_fields=["logo"])
    _audit_change(actor, organisation)
    if old:
        transaction.on_commit(lambda: organisation.logo.storage.delete(old))
    return organisation


def _audit_change(
    actor: Actor, row: Model, *, event: AuditEvent = AuditEvent.PERSON_CHANGED
) -> None:
    """Record a written row: whose, which table and row, which categories; no values."""
    model = type(row)
    audit_record(
        actor=actor,
        event=event,
        person_id=getattr(row, "person_id", None),
        categories=model_categories(model, policy_get()),
        data={"table": model_key(model), "id": row.pk},
    )


_ModelT = TypeVar("_ModelT", bound=Model)


def _create_for_person(
    actor: Actor, model: type[_ModelT], person_id: int, source: str, **fields: Any
) -> _ModelT:
    """Store one row of a person's data with its provenance, and audit it."""
    source_require(source, model_fields_named(model, fields))
    collected_require(model, fields)
    row = model._default_manager.create(
        person=person_lock(person_id), stored_at=clock.now(), source=source, **fields
    )
    _audit_change(actor, row)
    return row


@transaction.atomic
def usage_event_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    action: str,
    detail: str = "",
    occurred_at: dt.datetime | None = None,
) -> UsageEvent:
    return _create_for_person(
        actor,
        UsageEvent,
        person_id,
        source,
        action=v.clean_text(action, field="action", max_length=100),
        detail=v.clean_text(detail, field="detail", max_length=500, required=False),
        occurred_at=occurred_at or clock.now(),
    )


CONTACT_CHANNELS = ("email", "phone", "letter", "chat", "meeting", "sms")


@transaction.atomic
def contact_event_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    channel: str,
    direction: str,
    summary: str = "",
    occurred_at: dt.datetime | None = None,
) -> ContactEvent:
    if channel not in CONTACT_CHANNELS:
        raise InvalidInput(
            f"channel: must be one of {', '.join(CONTACT_CHANNELS)}", data={"field": "channel"}
        )
    if direction not in ("in", "out"):
        raise InvalidInput("direction: must be 'in' or 'out'", data={"field": "direction"})
    return _create_for_person(
        actor,
        ContactEvent,
        person_id,
        source,
        channel=channel,
        direction=direction,
        summary=v.clean_text(
            summary, field="summary", max_length=5000, required=False, multiline=True
        ),
        occurred_at=occurred_at or clock.now(),
    )


@transaction.atomic
def web_visit_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    ip_address: str,
    page: str,
    cookie_id: str = "",
    user_agent: str = "",
    occurred_at: dt.datetime | None = None,
) -> WebVisit:
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(ip_address)
    except ValidationError:
        raise InvalidInput(
            "ip_address: is not an IPv4 or IPv6 address", data={"field": "ip_address"}
        ) from None
    return _create_for_person(
        actor,
        WebVisit,
        person_id,
        source,
        ip_address=ip_address,
        page=v.clean_text(page, field="page", max_length=500),
        cookie_id=v.clean_text(cookie_id, field="cookie_id", max_length=64, required=False),
        user_agent=v.clean_text(user_agent, field="user_agent", max_length=500, required=False),
        occurred_at=occurred_at or clock.now(),
    )


DELIVERY_CHANNELS = ("email", "sms", "letter", "phone")


@transaction.atomic
def delivery_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    channel: str,
    campaign: str,
    sent_at: dt.datetime | None = None,
) -> Delivery:
    if channel not in DELIVERY_CHANNELS:
        raise InvalidInput(
            f"channel: must be one of {', '.join(DELIVERY_CHANNELS)}", data={"field": "channel"}
        )
    return _create_for_person(
        actor,
        Delivery,
        person_id,
        source,
        channel=channel,
        campaign=v.clean_text(campaign, field="campaign", max_length=100),
        sent_at=sent_at or clock.now(),
    )


def _amount(value: Decimal, field: str) -> Decimal:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2 or abs(value) >= Decimal(10**10):
        raise InvalidInput(
            f"{field}: must be a sum with at most two decimals", data={"field": field}
        )
    return value


@transaction.atomic
def payment_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    amount: Decimal,
    currency: str = "EUR",
    method: str = "",
    paid_at: dt.datetime | None = None,
) -> Payment:
    v.refuse_card_number(method, field="method")
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise InvalidInput("currency: must be an ISO 4217 code", data={"field": "currency"})
    return _create_for_person(
        actor,
        Payment,
        person_id,
        source,
        amount=_amount(amount, "amount"),
        currency=currency,
        method=v.clean_text(method, field="method", max_length=30, required=False),
        paid_at=paid_at or clock.now(),
    )


@transaction.atomic
def invoice_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    number: str,
    amount: Decimal,
    issued_on: dt.date,
    due_on: dt.date,
    billing_name: str,
    billing_address: str,
) -> Invoice:
    if due_on < issued_on:
        raise InvalidInput("due_on: cannot be before issued_on", data={"field": "due_on"})
    clean_number = v.clean_text(number, field="number", max_length=50)
    if Invoice.objects.filter(number=clean_number).exists():
        raise Conflict("number: an invoice with this number exists")
    return _create_for_person(
        actor,
        Invoice,
        person_id,
        source,
        number=clean_number,
        amount=_amount(amount, "amount"),
        issued_on=issued_on,
        due_on=due_on,
        billing_name=v.clean_text(billing_name, field="billing_name", max_length=200),
        billing_address=v.clean_text(billing_address, field="billing_address", max_length=300),
    )


@transaction.atomic
def payment_card_add(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    provider_token: str,
    brand: str,
    last_four: str,
    expires: dt.date,
) -> PaymentCard:
    """Keep a card as the payment provider knows it; a full card number is refused."""
    collected_require(
        PaymentCard,
        {"provider_token": provider_token, "brand": brand, "last_four": last_four},
    )
    for field, value in (("provider_token", provider_token), ("brand", brand)):
        v.refuse_card_number(value, field=field)
    return _create_for_person(
        actor,
        PaymentCard,
        person_id,
        source,
        provider_token=v.clean_text(provider_token, field="provider_token", max_length=200),
        brand=v.clean_text(brand, field="brand", max_length=30),
        last_four=v.clean_last_four(last_four),
        expires=expires,
    )


@transaction.atomic
def feedback_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    text: str = "",
    rating: int | None = None,
    theme: str = "",
    given_at: dt.datetime | None = None,
) -> Feedback:
    if not text.strip() and rating is None:
        raise InvalidInput("give a text, a rating or both")
    return _create_for_person(
        actor,
        Feedback,
        person_id,
        source,
        text=v.clean_text(text, field="text", max_length=5000, required=False, multiline=True),
        rating=v.clean_rating(rating) if rating is not None else None,
        theme=v.clean_text(theme, field="theme", max_length=100, required=False),
        given_at=given_at or clock.now(),
    )


@transaction.atomic
def service_case_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    subject: str,
    description: str = "",
    opened_at: dt.datetime | None = None,
) -> ServiceCase:
    return _create_for_person(
        actor,
        ServiceCase,
        person_id,
        source,
        subject=v.clean_text(subject, field="subject", max_length=200),
        description=v.clean_text(
            description, field="description", max_length=10000, required=False, multiline=True
        ),
        opened_at=opened_at or clock.now(),
    )


@transaction.atomic
def identity_verification_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    method: str,
    result: str,
    verified_at: dt.datetime | None = None,
) -> IdentityVerification:
    """Record how a person was identified; never a copy of an identity document."""
    collected_require(IdentityVerification, {"method": method, "result": result})
    if result not in VERIFICATION_RESULTS:
        raise InvalidInput(
            f"result: must be one of {', '.join(VERIFICATION_RESULTS)}", data={"field": "result"}
        )
    return _create_for_person(
        actor,
        IdentityVerification,
        person_id,
        source,
        method=v.clean_text(method, field="method", max_length=50),
        result=result,
        verified_at=verified_at or clock.now(),
    )


VERIFICATION_RESULTS = ("success", "failure")


@transaction.atomic
def user_content_add(
    *, actor: Actor, person_id: int, source: str, title: str, body: str = "", url: str = ""
) -> UserContent:
    collected_require(UserContent, {"title": title, "body": body, "url": url})
    return _create_for_person(
        actor,
        UserContent,
        person_id,
        source,
        title=v.clean_text(title, field="title", max_length=200),
        body=v.clean_text(body, field="body", max_length=20000, required=False, multiline=True),
        url=v.clean_url(url, field="url") if url else "",
    )


@transaction.atomic
def service_subscription_start(
    *, actor: Actor, person_id: int, source: str, service: str, started_on: dt.date | None = None
) -> ServiceSubscription:
    return _create_for_person(
        actor,
        ServiceSubscription,
        person_id,
        source,
        service=v.clean_text(service, field="service", max_length=100),
        started_on=started_on or clock.today(),
    )


@transaction.atomic
def billing_account_set(
    *, actor: Actor, person_id: int, source: str, e_invoice_address: str = "", reference: str = ""
) -> BillingAccount:
    """Replace the person's billing identifiers (never a card number)."""
    collected_require(
        BillingAccount, {"e_invoice_address": e_invoice_address, "reference": reference}
    )
    for field, value in (("e_invoice_address", e_invoice_address), ("reference", reference)):
        v.refuse_card_number(value, field=field)
    person_lock(person_id)
    BillingAccount.objects.filter(person_id=person_id).delete()
    return _create_for_person(
        actor,
        BillingAccount,
        person_id,
        source,
        e_invoice_address=v.clean_text(
            e_invoice_address, field="e_invoice_address", max_length=100, required=False
        ),
        reference=v.clean_text(reference, field="reference", max_length=100, required=False),
    )


@transaction.atomic
def consented_datum_add(
    *, actor: Actor, person_id: int, source: str, label: str, value: str
) -> ConsentedDatum:
    """Keep a datum the person gave under a separate consent (notice §5, last item)."""
    collected_require(ConsentedDatum, {"label": label, "value": value})
    return _create_for_person(
        actor,
        ConsentedDatum,
        person_id,
        source,
        label=v.clean_text(label, field="label", max_length=100),
        value=v.clean_text(value, field="value", max_length=5000, multiline=True),
    )


@transaction.atomic
def person_rectify(
    *,
    actor: Actor,
    person_id: int,
    reason: str,
    purpose: str | None,
    email: str | None = None,
    phone: str | None = None,
    address: AddressIn | None = None,
) -> list[Rectification]:
    """Correct contact details with a stated reason (GDPR Art. 16), kept with the change.

    ``purpose`` as for ``person_contact_update``: staff correcting on their own
    motion name one that covers the details; a handler fulfilling the person's
    rectification request passes None.
    """
    why = v.clean_note(reason, field="reason", max_length=500)
    # A correction is entered by staff (or handled for the person by the request's handler).
    source = policy_get().source_for(SourceRecord.STAFF_ENTRIES)
    person_contact_update(
        actor=actor,
        person_id=person_id,
        source=source,
        purpose=purpose,
        email=email,
        phone=phone,
        address=address,
    )
    changed = [
        name for name, value in (("email", email), ("phone", phone), ("address", address)) if value
    ]
    return [
        _create_for_person(
            actor,
            Rectification,
            person_id,
            source,
            field=name,
            reason=why,
            made_by=actor.id,
        )
        for name in changed
    ]


def _restriction_set(actor: Actor, person_id: int, restricted: bool) -> Person:
    person = person_lock(person_id)
    if (person.restricted_since is not None) != restricted:
        person.restricted_since = clock.now() if restricted else None
        person.save(update_fields=["restricted_since"])
        audit_record(
            actor=actor,
            event=AuditEvent.RESTRICTION_CHANGED,
            person_id=person.pk,
            categories=policy_get().categories_of("person.restricted_since"),
            data={"restricted": restricted},
        )
    return person


@transaction.atomic
def person_restrict(*, actor: Actor, person_id: int) -> Person:
    """Restrict processing of the person (GDPR Art. 18): only storage and the DPO's view remain."""
    return _restriction_set(actor, person_id, restricted=True)


@transaction.atomic
def person_restriction_lift(*, actor: Actor, person_id: int) -> Person:
    """Lift the restriction; the rights app tells the person first (Art. 18(3))."""
    return _restriction_set(actor, person_id, restricted=False)
