"""Reads of the register. Every read of a person passes the purpose gate."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Upper

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record, audit_record_many, audit_record_refusal
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Forbidden, InvalidInput, NotFound, RekisteriError
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.catalogue import model_fields, model_key, personal_data_models
from rekisteri.register.validation import (
    RegisterCode,
    clean_phone,
    clean_storable,
    mask_personal_identity_code,
)


@dataclass(frozen=True)
class Access:
    """What the gate let through: one person, for one purpose, these categories."""

    person: m.Person
    purpose: str
    categories: frozenset[str]

    def may_see(self, field: str) -> bool:
        category = policy_get().category_of_field(field)
        return category is not None and category in self.categories


# Art. 21 and Art. 7(3): an objection, or a consent withdrawn or never given,
# closes a purpose for a person. The consent app, above this one, registers
# the query of the people a purpose is closed for.
PurposeExclusion = Callable[[str], "models.QuerySet[Any] | None"]
_EXCLUSIONS: list[PurposeExclusion] = []


def purpose_exclusion(query: PurposeExclusion) -> PurposeExclusion:
    _EXCLUSIONS.append(query)
    return query


def people_closed_for(purpose: str) -> models.Q:
    """People whose data may not be processed for ``purpose``, as a filter on Person."""
    closed = models.Q(pk__in=[])
    for query in _EXCLUSIONS:
        found = query(purpose)
        if found is not None:
            closed |= models.Q(pk__in=found)
    return closed


def purpose_require(*, actor: Actor, purpose: str) -> None:
    """Refuse a purpose that is not the policy's or not the actor's."""
    if actor.aggregates_only:
        raise Forbidden("this role sees aggregates and pseudonymous ids only, not people")
    if purpose not in policy_get().purposes:
        raise InvalidInput(
            f"purpose: unknown purpose {purpose!r}", data={"field": "purpose", "purpose": purpose}
        )
    if purpose not in actor.purposes:
        raise Forbidden(
            f"this client may not read personal data for the purpose {purpose!r}",
            data={"purpose": purpose},
        )


class ReadRefusal(StrEnum):
    """Why the gate refused a read; said in the audit trail, never to the caller."""

    PURPOSE = "purpose"
    NOT_FOUND = "not_found"
    RESTRICTED = "restricted"
    CLOSED = "objected_or_not_consented"


def person_not_found(person_id: int) -> NotFound:
    """What a caller is told of a person it may not read, and of one who does not exist."""
    return NotFound(
        f"there is no person {person_id}",
        code=RegisterCode.NOT_FOUND,
        data={"person_id": person_id},
    )


def _email_not_found() -> NotFound:
    return NotFound("no person has that e-mail address", code=RegisterCode.NOT_FOUND)


def _refused(
    error: RekisteriError,
    *,
    actor: Actor,
    purposes: Sequence[str],
    person_id: int | None,
    why: str,
    data: dict[str, Any] | None = None,
) -> RekisteriError:
    """The refusal's audit entry (who, for what, whom, why), kept past a rollback."""
    return audit_record_refusal(
        error=error,
        actor=actor,
        event=AuditEvent.PERSON_READ_REFUSED,
        person_id=person_id,
        purpose=purposes[0] if len(purposes) == 1 else "",
        data={
            "refused": str(why),
            **({"purposes": sorted(purposes)} if len(purposes) != 1 else {}),
            **(data or {}),
        },
    )


def person_refusal(
    error: RekisteriError,
    *,
    actor: Actor,
    purpose: str,
    person_id: int,
    why: str,
    data: dict[str, Any] | None = None,
) -> RekisteriError:
    """The gate's refusal for rules laid on top of it (the marketing rules): audited, and
    kept past a rollback of the transaction ``error`` is raised in."""
    return _refused(error, actor=actor, purposes=[purpose], person_id=person_id, why=why, data=data)


def people_refusals_record(
    *, actor: Actor, purpose: str, refused: Mapping[int, str], data: dict[str, Any]
) -> None:
    """The gate's refusals of a set of people (person id -> why), one entry each."""
    by_reason: dict[str, list[int]] = {}
    for person_id, why in refused.items():
        by_reason.setdefault(why, []).append(person_id)
    for why, person_ids in sorted(by_reason.items()):
        audit_record_many(
            actor=actor,
            event=AuditEvent.PERSON_READ_REFUSED,
            person_ids=sorted(person_ids),
            purpose=purpose,
            data={"refused": why, **data},
        )


def _gate(
    *,
    actor: Actor,
    purposes: Sequence[str],
    person_id: int | None,
    not_found: Callable[[], NotFound],
    data: dict[str, Any] | None = None,
    read: bool = True,
) -> Access:
    """The purpose gate itself: the first of ``purposes`` that lets the actor read the person.

    ``read=False`` passes an act (a write, a request) that is audited by its own
    service: refusals are audited here all the same, but no read is recorded.

    Every refusal is audited. A person who is missing, forgotten, restricted
    (Art. 18; the data protection officer alone sees them) or closed for the
    purpose by an objection or a missing consent (Art. 21, 7(3)) is answered
    with the same ``not_found()``: a caller learns nothing of a person its
    purpose does not let it read.
    """
    policy = policy_get()

    def refuse(error: RekisteriError, why: ReadRefusal) -> RekisteriError:
        return _refused(
            error, actor=actor, purposes=purposes, person_id=person_id, why=why, data=data
        )

    if not purposes:
        raise refuse(
            Forbidden("this client may read personal data for no purpose"), ReadRefusal.PURPOSE
        )
    for purpose in purposes:
        try:
            purpose_require(actor=actor, purpose=purpose)
        except RekisteriError as error:
            raise refuse(error, ReadRefusal.PURPOSE) from None
    person = (
        m.Person.objects.living().filter(pk=person_id).first() if person_id is not None else None
    )
    if person is None:
        raise refuse(not_found(), ReadRefusal.NOT_FOUND)
    if person.restricted_since is not None and not actor.sees_restricted:
        raise refuse(not_found(), ReadRefusal.RESTRICTED)
    open_for = [
        purpose
        for purpose in purposes
        if not m.Person.objects.filter(pk=person.pk).filter(people_closed_for(purpose)).exists()
    ]
    if not open_for:
        raise refuse(not_found(), ReadRefusal.CLOSED)
    purpose = open_for[0]
    categories = frozenset(
        key for key, category in policy.categories.items() if purpose in category.purposes
    )
    if read:
        audit_record(
            actor=actor,
            event=AuditEvent.PERSON_READ,
            person_id=person.pk,
            categories=categories,
            purpose=purpose,
            data=data,
        )
    return Access(person=person, purpose=purpose, categories=categories)


def person_access_by_email(*, actor: Actor, purpose: str, email: str) -> Access:
    """The gate, entered by e-mail: the purpose is checked before anyone is looked up,
    so that a client without the purpose cannot learn who is registered."""
    try:
        purpose_require(actor=actor, purpose=purpose)
    except RekisteriError as error:
        raise _refused(
            error, actor=actor, purposes=[purpose], person_id=None, why=ReadRefusal.PURPOSE
        ) from None
    clean_storable(email, field="email")
    row = m.emails_matching(email).values("person_id").first()
    return _gate(
        actor=actor,
        purposes=[purpose],
        person_id=int(row["person_id"]) if row else None,
        not_found=_email_not_found,
    )


def person_access(*, actor: Actor, purpose: str, person_id: int) -> Access:
    """The purpose gate: the one way to read a person's data.

    The purpose must be the policy's and the actor's; a restricted person
    (Art. 18) is left out for everyone but the data protection officer, and a
    person closed for the purpose (Art. 21, 7(3)) for everyone; only the
    categories that serve the purpose are opened (Art. 5(1)(b)). A refusal is
    audited, and every person left out is answered as one who does not exist.
    """
    return _gate(
        actor=actor,
        purposes=[purpose],
        person_id=person_id,
        not_found=lambda: person_not_found(person_id),
    )


@dataclass(frozen=True)
class PersonIdentifier:
    """A person as an integrating system knows them after its own sign-in: by an
    identifier it authenticated, never by the register's internal id."""

    email: str | None = None
    username: str | None = None
    external_id: str | None = None


def _person_id_by(identifier: PersonIdentifier) -> int | None:
    rows: models.QuerySet[Any]
    if identifier.email is not None:
        clean_storable(identifier.email, field="email")
        rows = m.emails_matching(identifier.email)
    elif identifier.username is not None:
        clean_storable(identifier.username, field="username")
        rows = m.ServiceAccount.objects.filter(username=identifier.username)
    elif identifier.external_id:
        clean_storable(identifier.external_id, field="external_id")
        rows = m.ServiceAccount.objects.filter(external_id=identifier.external_id)
    else:
        raise InvalidInput("name the person by email, username or external_id")
    # An identifier two people share names no one.
    ids = list(rows.values_list("person_id", flat=True)[:2])
    return int(ids[0]) if len(ids) == 1 else None


def person_id_by(identifier: PersonIdentifier) -> int:
    """Find whose identifier this is; the caller then reads through the gate."""
    found = _person_id_by(identifier)
    if found is None:
        raise _identifier_not_found()
    return found


def _identifier_not_found() -> NotFound:
    return NotFound("no person has that identifier", code=RegisterCode.NOT_FOUND)


def person_access_by_identifier(
    *, actor: Actor, identifier: PersonIdentifier, data: dict[str, Any] | None = None
) -> Access:
    """The gate for an act a system asks on a person it authenticated (a data subject
    request): one of the actor's purposes must let it read the person."""
    return _gate(
        actor=actor,
        purposes=sorted(p for p in actor.purposes if p in policy_get().purposes),
        person_id=_person_id_by(identifier),
        not_found=_identifier_not_found,
        data=data,
    )


def person_access_for_act(
    *,
    actor: Actor,
    person_id: int,
    purpose: str | None = None,
    data: dict[str, Any] | None = None,
) -> Access:
    """The gate for an act a system asks on a person by the register's id (a write, a
    request): the named purpose, or one of the actor's, must let it read the person;
    anyone else is not found. Refusals are audited; the act audits itself."""
    return _gate(
        actor=actor,
        purposes=[purpose]
        if purpose is not None
        else sorted(p for p in actor.purposes if p in policy_get().purposes),
        person_id=person_id,
        not_found=lambda: person_not_found(person_id),
        data=data,
        read=False,
    )


def _living(person_id: int) -> m.Person:
    """The person, unless forgotten (a husk kept for a legal hold is no one to read)."""
    person = m.Person.objects.living().filter(pk=person_id).first()
    if person is None:
        raise person_not_found(person_id)
    return person


def person_access_own(*, actor: Actor, person_id: int, right: str) -> Access:
    """The gate for the person's own rights (Art. 15, 20): every category, restriction
    or not (a restriction never keeps a person from their own data); audited."""
    person = _living(person_id)
    categories = frozenset(policy_get().categories)
    audit_record(
        actor=actor,
        event=AuditEvent.PERSON_READ,
        person_id=person.pk,
        categories=categories,
        data={"right": right},
    )
    return Access(person=person, purpose=f"right:{right}", categories=categories)


def person_data(access: Access) -> dict[str, list[dict[str, Any]]]:
    """All the person's data that the access opens, by policy category.

    Driven by the catalogue, not by a list of tables: a new table whose fields
    the policy declares appears here without a change.
    """
    pid = access.person.pk
    out: dict[str, list[dict[str, Any]]] = {}
    for model in personal_data_models():
        rows: models.QuerySet[Any]
        if model is m.Person:
            rows = m.Person.objects.filter(pk=pid)
        elif model is m.Organisation:
            # The organisations the person represents, through their roles.
            rows = m.Organisation.objects.filter(
                pk__in=m.OrganisationRole.objects.filter(person_id=pid).values("organisation_id")
            )
        else:
            rows = model.objects.filter(person_id=pid)  # type: ignore[attr-defined]
        by_category: dict[str, list[str]] = {}
        for field in model_fields(model):
            category = policy_get().category_of_field(field)
            name = field.split(".", 1)[1]
            if category and category in access.categories and name not in {"stored_at", "source"}:
                by_category.setdefault(category, []).append(name)
        if not by_category:
            continue
        # One query per table, whatever the number of categories its fields fall in.
        every = sorted({name for names in by_category.values() for name in names})
        for row in rows.values("id", "stored_at", "source", *every):
            for category, names in by_category.items():
                datum = {"id": row["id"], **{name: _plain(row[name]) for name in names}}
                if datum.get("personal_identity_code"):
                    datum["personal_identity_code"] = mask_personal_identity_code(
                        datum["personal_identity_code"]
                    )
                if "password_hash" in datum:
                    # The hash itself serves no one outside; say that there is one.
                    datum["password_stored"] = bool(datum.pop("password_hash"))
                out.setdefault(category, []).append(
                    {
                        "table": model_key(model),
                        **datum,
                        "source": row["source"],
                        "stored_at": _plain(row["stored_at"]),
                    }
                )
    return out


def not_collected_stored() -> dict[str, int]:
    """Rows holding a value in each field the policy declares not collected, where any do.

    Such values come from before the register description changed (or from around
    the register); no service stores them now. The compliance check reports them.
    """
    policy = policy_get()
    found: dict[str, int] = {}
    for model in personal_data_models():
        for column in model._meta.concrete_fields:
            field = f"{model_key(model)}.{column.name}"
            if policy.collects(field):
                continue
            rows = model._default_manager.exclude(**{f"{column.name}__isnull": True})
            if column.empty_strings_allowed:
                rows = rows.exclude(**{column.name: ""})
            count = rows.count()
            if count:
                found[field] = count
    return found


# What a search finds people by and shows of them: a purpose must open their category.
SEARCH_FIELDS = ("person.first_name", "person.last_name", "email_address.address")


@dataclass(frozen=True)
class SearchHit:
    person_id: int
    name: str
    email: str


def people_search(*, actor: Actor, purpose: str, query: str, limit: int = 50) -> list[SearchHit]:
    """Find people by name, e-mail, phone or organisation; a read, so gated and audited."""
    purpose_require(actor=actor, purpose=purpose)
    policy = policy_get()
    searched = policy.categories_of(*SEARCH_FIELDS)
    if not searched or not all(purpose in policy.categories[c].purposes for c in searched):
        raise Forbidden(f"the purpose {purpose!r} does not open contact details")
    text = query.strip()
    if len(text) < 2:
        # One letter would list most of the register.
        raise InvalidInput(
            "give at least two characters to search for",
            code=RegisterCode.SEARCH_TOO_SHORT,
            data={"field": "q"},
        )
    people = m.Person.objects.living().exclude(people_closed_for(purpose))
    if not actor.sees_restricted:
        people = people.filter(restricted_since__isnull=True)
    if "@" in text:
        people = people.filter(pk__in=m.emails_matching(text).values("person_id"))
    elif re.fullmatch(r"[+0-9 ()-]{6,}", text):
        try:
            number = clean_phone(text)
        except InvalidInput:
            return []
        people = people.filter(
            pk__in=m.PhoneNumber.objects.filter(number=number).values("person_id")
        )
    else:
        # UPPER(name) LIKE 'WORD%': the prefix indexes of migration 0004 serve it.
        # Names and organisations are asked separately, without ORDER BY: an OR
        # of the two, or an order the index lacks, scans every person.
        by_name = models.Q()
        for word in text.split()[:3]:
            by_name &= models.Q(first_upper__startswith=word.upper()) | models.Q(
                last_upper__startswith=word.upper()
            )
        name_ids = list(
            people.alias(first_upper=Upper("first_name"), last_upper=Upper("last_name"))
            .filter(by_name)
            .values_list("pk", flat=True)[:limit]
        )
        organisation_ids = list(
            m.OrganisationRole.objects.filter(organisation__name__icontains=text).values_list(
                "person_id", flat=True
            )[:limit]
        )
        people = people.filter(pk__in=name_ids + organisation_ids)
    found = list(people.order_by("last_name", "first_name", "id")[:limit])
    emails = {
        e.person_id: e.address
        for e in m.EmailAddress.objects.filter(person_id__in=[p.pk for p in found])
    }
    audit_record_many(
        actor=actor,
        event=AuditEvent.PERSON_READ,
        person_ids=[p.pk for p in found],
        categories=policy_get().categories_of(*SEARCH_FIELDS),
        purpose=purpose,
        data={"search": True},
    )
    return [SearchHit(p.pk, f"{p.first_name} {p.last_name}", emails.get(p.pk, "")) for p in found]


def _with_provenance(row: models.Model, **values: Any) -> dict[str, Any]:
    return {**values, "source": row.source, "stored_at": row.stored_at}  # type: ignore[attr-defined]


def person_view(access: Access) -> dict[str, Any]:
    """The person's data that the access opens, each datum with its provenance."""
    person = access.person
    pid = person.pk
    out: dict[str, Any] = {"id": pid, "purpose": access.purpose}
    if access.may_see("person.first_name"):
        out["name"] = _with_provenance(
            person, first_name=person.first_name, last_name=person.last_name
        )
    # Each detail by its own field: one the register does not collect is in no category.
    if access.may_see("email_address.address"):
        out["emails"] = [
            _with_provenance(e, address=e.address)
            for e in m.EmailAddress.objects.filter(person_id=pid)
        ]
    if access.may_see("phone_number.number"):
        out["phones"] = [
            _with_provenance(p, number=p.number)
            for p in m.PhoneNumber.objects.filter(person_id=pid)
        ]
    if access.may_see("postal_address.street_address"):
        out["addresses"] = [
            _with_provenance(
                a,
                street_address=a.street_address,
                postal_code=a.postal_code,
                city=a.city,
                country=a.country,
            )
            for a in m.PostalAddress.objects.filter(person_id=pid)
        ]
    if access.may_see("person.birth_year"):
        out["demographics"] = _with_provenance(
            person, birth_year=person.birth_year, gender=person.gender, job_title=person.job_title
        )
    if access.may_see("person.personal_identity_code") and person.personal_identity_code:
        out["personal_identity_code_masked"] = mask_personal_identity_code(
            person.personal_identity_code
        )
    if access.may_see("service_account.username"):
        account = m.ServiceAccount.objects.filter(person_id=pid).first()
        out["account"] = (
            _with_provenance(account, username=account.username, external_id=account.external_id)
            if account
            else None
        )
    if access.may_see("customership.started_on"):
        out["customerships"] = [
            _with_provenance(
                c, id=c.pk, started_on=c.started_on, ended_on=c.ended_on, end_reason=c.end_reason
            )
            for c in m.Customership.objects.filter(person_id=pid).order_by("started_on")
        ]
    if access.may_see("organisation_role.title"):
        out["organisations"] = [
            _with_provenance(
                r,
                id=r.organisation_id,
                name=r.organisation.name,
                business_id=r.organisation.business_id,
                title=r.title,
            )
            for r in m.OrganisationRole.objects.filter(person_id=pid).select_related("organisation")
        ]
    return out


# The event tables a person's history is read from, and the column that dates each.
EVENT_KINDS: dict[str, tuple[type[models.Model], str]] = {
    "usage": (m.UsageEvent, "occurred_at"),
    "contact": (m.ContactEvent, "occurred_at"),
    "web_visit": (m.WebVisit, "occurred_at"),
    "delivery": (m.Delivery, "sent_at"),
    "payment": (m.Payment, "paid_at"),
    "invoice": (m.Invoice, "issued_on"),
    "feedback": (m.Feedback, "given_at"),
    "service_case": (m.ServiceCase, "opened_at"),
}
_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "usage": ("action", "detail"),
    "contact": ("channel", "direction", "summary"),
    "web_visit": ("ip_address", "page", "cookie_id", "user_agent"),
    "delivery": ("channel", "campaign", "opened_at", "clicked_at"),
    "payment": ("amount", "currency", "method"),
    "invoice": ("number", "amount", "due_on", "billing_name", "billing_address"),
    "feedback": ("text", "rating", "theme"),
    "service_case": ("subject", "description", "resolution", "closed_at"),
}


@dataclass(frozen=True)
class EventPage:
    items: list[dict[str, Any]]
    count: int
    limit: int
    offset: int


def person_events(
    access: Access, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> EventPage:
    """A page of the person's events, newest first, of the kinds the access opens."""
    if kind is not None and kind not in EVENT_KINDS:
        raise InvalidInput(f"kind: must be one of {', '.join(EVENT_KINDS)}", data={"field": "kind"})
    kinds = [
        k
        for k, (model, _) in EVENT_KINDS.items()
        if (kind is None or k == kind)
        and access.may_see(f"{model_key(model)}.{_EVENT_FIELDS[k][0]}")
    ]
    pid = access.person.pk
    parts = [
        EVENT_KINDS[k][0]
        .objects.filter(person_id=pid)  # type: ignore[attr-defined]
        .annotate(kind=Value(k), at=F(EVENT_KINDS[k][1]))
        .values("kind", "id", "at")
        .order_by()
        for k in kinds
    ]
    if not parts:
        return EventPage(items=[], count=0, limit=limit, offset=offset)
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    count = union.count()
    page = list(union.order_by("-at", "-id")[offset : offset + limit])
    rows: dict[tuple[str, int], models.Model] = {}
    for k in {p["kind"] for p in page}:
        ids = [p["id"] for p in page if p["kind"] == k]
        for row_id, row in EVENT_KINDS[k][0].objects.in_bulk(ids).items():  # type: ignore[attr-defined]
            rows[(k, row_id)] = row
    items = []
    for p in page:
        row = rows[(p["kind"], p["id"])]
        at = p["at"]
        items.append(
            {
                "kind": p["kind"],
                "id": p["id"],
                "at": at.isoformat() if isinstance(at, dt.date) else str(at),
                "source": row.source,  # type: ignore[attr-defined]
                "stored_at": row.stored_at,  # type: ignore[attr-defined]
                "data": {f: _plain(getattr(row, f)) for f in _EVENT_FIELDS[p["kind"]]},
            }
        )
    return EventPage(items=items, count=count, limit=limit, offset=offset)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
