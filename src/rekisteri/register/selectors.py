"""Reads of the register. Every read of a person passes the purpose gate (``gate.py``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Upper

from rekisteri.core.actors import Actor
from rekisteri.core.errors import Forbidden, InvalidInput
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.catalogue import model_fields, model_key, personal_data_models

# The gate lives in its own module; its names are read from here too.
from rekisteri.register.gate import (
    Access,
    PeopleRead,
    PersonIdentifier,
    PurposeExclusion,
    ReadKind,
    ReadRefusal,
    people_closed_for,
    people_decide,
    people_gate,
    people_readable,
    people_refusals_record,
    person_access,
    person_access_by_email,
    person_access_by_identifier,
    person_access_for_act,
    person_access_own,
    person_id_by,
    person_living,
    person_not_found,
    person_open_for,
    person_refusal,
    purpose_exclusion,
    purpose_require,
)
from rekisteri.register.validation import clean_phone, mask_personal_identity_code

__all__ = [
    "EVENT_KINDS",
    "SEARCH_FIELDS",
    "Access",
    "EventPage",
    "PeopleRead",
    "PersonIdentifier",
    "PurposeExclusion",
    "ReadKind",
    "ReadRefusal",
    "SearchHit",
    "feedback_given",
    "not_collected_stored",
    "people_closed_for",
    "people_count",
    "people_decide",
    "people_gate",
    "people_readable",
    "people_refusals_record",
    "people_search",
    "person_access",
    "person_access_by_email",
    "person_access_by_identifier",
    "person_access_for_act",
    "person_access_own",
    "person_data",
    "person_events",
    "person_id_by",
    "person_living",
    "person_not_found",
    "person_open_for",
    "person_refusal",
    "person_view",
    "purpose_exclusion",
    "purpose_require",
    "services_subscribed",
]


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


def people_count() -> int:
    """How many people the register holds (a forgotten one's husk is no one): a figure."""
    return m.Person.objects.living().count()


def feedback_given(*, person_id: int, theme: str) -> bool:
    """Whether the person has given feedback on ``theme`` (a survey answered once)."""
    return m.Feedback.objects.filter(person_id=person_id, theme=theme).exists()


def services_subscribed() -> list[str]:
    """The services people subscribe to, by name: product names, no one's data."""
    return list(
        m.ServiceSubscription.objects.order_by("service")
        .values_list("service", flat=True)
        .distinct()
    )


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
    read = people_gate(
        actor=actor,
        purpose=purpose,
        kind=ReadKind.LOOKUP,
        fields=SEARCH_FIELDS,
        refused=lambda p: Forbidden(f"the purpose {p!r} does not open contact details"),
    )
    text = query.strip()
    if len(text) < 2:
        # One letter would list most of the register.
        raise InvalidInput("give at least two characters to search for", data={"field": "q"})
    people = read.people
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
    read.record([p.pk for p in found], data={"search": True})
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
