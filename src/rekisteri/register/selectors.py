"""Reads of the register. Every read of a person passes the purpose gate (``gate.py``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
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
from rekisteri.register.error_codes import RegisterCode

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


# Kept out of a datum: the provenance travels beside it, once per row.
_PROVENANCE = frozenset({"stored_at", "source"})


def _shown_as(name: str) -> str:
    # The hash itself serves no one outside; say that there is one.
    return "password_stored" if name == "password_hash" else name


def _opened_fields(access: Access, model: type[models.Model]) -> dict[str, list[str]]:
    """The fields of ``model`` that the access opens, by their category."""
    by_category: dict[str, list[str]] = {}
    for field in model_fields(model):
        category = policy_get().category_of_field(field)
        name = field.split(".", 1)[1]
        if category and category in access.categories and name not in _PROVENANCE:
            by_category.setdefault(category, []).append(name)
    return by_category


def _rows_of(pid: int, model: type[models.Model]) -> models.QuerySet[Any]:
    if model is m.Person:
        return m.Person.objects.filter(pk=pid)
    if model is m.Organisation:
        # The organisations the person represents, through their roles.
        return m.Organisation.objects.filter(
            pk__in=m.OrganisationRole.objects.filter(person_id=pid).values("organisation_id")
        )
    return model._default_manager.filter(person_id=pid)


def _rendered(
    access: Access, model: type[models.Model]
) -> tuple[dict[str, list[str]], list[dict[str, Any]]]:
    """The person's rows of ``model``, each datum the access opens rendered once as it
    leaves the register (plain values, the identity code masked, a password hash only
    said to exist), with the row's provenance; and the fields by category."""
    by_category = _opened_fields(access, model)
    if not by_category:
        return by_category, []
    # One query per table, whatever the number of categories its fields fall in.
    every = sorted({name for names in by_category.values() for name in names})
    rendered = []
    for row in _rows_of(access.person.pk, model).values("id", "stored_at", "source", *every):
        datum: dict[str, Any] = {"id": row["id"]}
        for name in every:
            value = _plain(row[name])
            if name == "personal_identity_code" and value:
                value = mask_personal_identity_code(value)
            elif name == "password_hash":
                value = bool(value)
            datum[_shown_as(name)] = value
        rendered.append({**datum, "source": row["source"], "stored_at": _plain(row["stored_at"])})
    return by_category, rendered


def person_data(access: Access) -> dict[str, list[dict[str, Any]]]:
    """All the person's data that the access opens, by policy category.

    Driven by the catalogue, not by a list of tables: a new table whose fields
    the policy declares appears here without a change.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for model in personal_data_models():
        by_category, rows = _rendered(access, model)
        for row in rows:
            for category, names in by_category.items():
                out.setdefault(category, []).append(
                    {
                        "table": model_key(model),
                        "id": row["id"],
                        **{_shown_as(name): row[_shown_as(name)] for name in names},
                        "source": row["source"],
                        "stored_at": row["stored_at"],
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
        raise InvalidInput(
            "give at least two characters to search for",
            code=RegisterCode.SEARCH_TOO_SHORT,
            data={"field": "q"},
        )
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


Rendered = dict[type[models.Model], list[dict[str, Any]]]
# The role's column that names the organisation the person represents.
_ROLE_ORGANISATION = "organisation"


def _single(found: list[dict[str, Any]], rows: Rendered) -> Any:
    return found[0]


def _every(found: list[dict[str, Any]], rows: Rendered) -> Any:
    return found


def _first_or_none(found: list[dict[str, Any]], rows: Rendered) -> Any:
    return found[0] if found else None


def _by_start(found: list[dict[str, Any]], rows: Rendered) -> Any:
    return sorted(found, key=lambda c: (c["started_on"], c["id"]))


def _as_organisations(found: list[dict[str, Any]], rows: Rendered) -> Any:
    """Each role with the organisation it is in, under the role's provenance."""
    organisations = {o["id"]: o for o in rows[m.Organisation]}
    shown = []
    for role in found:
        organisation = organisations.get(role[_ROLE_ORGANISATION], {})
        shown.append(
            {
                "id": role[_ROLE_ORGANISATION],
                "name": organisation.get("name", ""),
                "business_id": organisation.get("business_id", ""),
                "title": role["title"],
                "source": role["source"],
                "stored_at": role["stored_at"],
            }
        )
    return shown


# The person as an integrating system reads them (the API's PersonOut): each part
# with the fields it shows and its shape. A part appears only where the access
# opens all of its fields.
_VIEW_PARTS: dict[
    str,
    tuple[type[models.Model], tuple[str, ...], Callable[[list[dict[str, Any]], Rendered], Any]],
] = {
    "name": (m.Person, ("first_name", "last_name"), _single),
    "emails": (m.EmailAddress, ("address",), _every),
    "phones": (m.PhoneNumber, ("number",), _every),
    "addresses": (
        m.PostalAddress,
        ("street_address", "postal_code", "city", "country"),
        _every,
    ),
    "demographics": (m.Person, ("birth_year", "gender", "job_title"), _single),
    "account": (m.ServiceAccount, ("username", "external_id"), _first_or_none),
    "customerships": (
        m.Customership,
        ("id", "started_on", "ended_on", "end_reason"),
        _by_start,
    ),
    "organisations": (m.OrganisationRole, (_ROLE_ORGANISATION, "title"), _as_organisations),
}


def person_view(access: Access) -> dict[str, Any]:
    """The person's data that the access opens, each datum with its provenance: the
    rows ``person_data`` renders, shaped by part instead of by category."""
    out: dict[str, Any] = {"id": access.person.pk, "purpose": access.purpose}
    tables = {model for model, _names, _shape in _VIEW_PARTS.values()} | {m.Organisation}
    rows: Rendered = {model: _rendered(access, model)[1] for model in tables}
    for key, (model, names, shape) in _VIEW_PARTS.items():
        if not all(access.may_see(f"{model_key(model)}.{n}") for n in names if n != "id"):
            continue
        found = [
            {**{n: row[n] for n in names}, "source": row["source"], "stored_at": row["stored_at"]}
            for row in rows[model]
        ]
        out[key] = shape(found, rows)
    person = rows[m.Person][0] if rows[m.Person] else {}
    if person.get("personal_identity_code"):
        out["personal_identity_code_masked"] = person["personal_identity_code"]
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
