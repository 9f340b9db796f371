"""The gate's rules: who a purpose is closed for, the purpose check, and the audit of a refusal."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record_many, audit_record_refusal
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Forbidden, InvalidInput, NotFound, RekisteriError
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.error_codes import RegisterCode


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
# the condition (on Person) of the people a purpose is closed for.
PurposeExclusion = Callable[[str], "models.Q | None"]
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
            closed |= found
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


def refused_read(
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
    return refused_read(
        error, actor=actor, purposes=[purpose], person_id=person_id, why=why, data=data
    )


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
