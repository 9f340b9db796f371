"""The steps every write of a person's data shares: the source and collection rules,
the lock on the person, the row with its provenance and its audit entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import InvalidInput, NotFound, PolicyRefusal
from rekisteri.policy.selectors import policy_get
from rekisteri.register.catalogue import (
    PROVENANCE_FIELDS,
    model_categories,
    model_fields,
    model_key,
)
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.models import (
    Person,
)


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


def row_change_audit(
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


def person_row_add(
    *, actor: Actor, model: type[_ModelT], person_id: int, source: str, **fields: Any
) -> _ModelT:
    """Store one row of a person's data with its provenance, and audit it.

    The one way every ``*_record`` and ``*_add`` service stores its row: the
    source must be one the policy lists for what is written, nothing the policy
    declares not collected is kept, and the person is locked (and must be
    living) before the row goes in. ``fields`` are already cleaned.
    """
    source_require(source, model_fields_named(model, fields))
    collected_require(model, fields)
    row = model._default_manager.create(
        person=person_lock(person_id), stored_at=clock.now(), source=source, **fields
    )
    row_change_audit(actor, row)
    return row
