"""Writing the audit trail: one entry per read or change of personal data, refusals too.

The chain that seals the entries is ``sealing``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.audit.sealing import (
    ENTRY_FIELDS,
    GENESIS,
    AuditCode,
    SealResult,
    audit_seal,
    audit_witness_settle,
    batch_entries,
    batch_hash,
    entry_hash,
    open_intents,
    position_field,
    seal_hash,
    stored_identity,
)
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.bulk import insert_rows
from rekisteri.core.errors import RekisteriError

# Names other apps and the selectors have always found here.
__all__ = [
    "GENESIS",
    "AuditCode",
    "SealResult",
    "audit_record",
    "audit_record_many",
    "audit_record_refusal",
    "audit_refusals_keep",
    "audit_seal",
    "audit_witness_settle",
    "batch_entries",
    "batch_hash",
    "entry_hash",
    "open_intents",
    "position_field",
    "seal_hash",
    "stored_identity",
]


def audit_record(
    *,
    actor: Actor,
    event: AuditEvent,
    person_id: int | None = None,
    categories: Iterable[str] = (),
    purpose: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry in the caller's transaction; ids only, never personal data."""
    return AuditEntry.objects.create(
        occurred_at=clock.now(),
        actor_kind=str(actor.kind),
        actor_id=actor.id,
        event=event,
        person_id=person_id,
        categories=sorted(categories),
        purpose=purpose,
        origin=actor.origin,
        data=data or {},
    )


def audit_record_refusal(
    *,
    error: RekisteriError,
    actor: Actor,
    event: AuditEvent,
    person_id: int | None = None,
    purpose: str = "",
    data: dict[str, Any] | None = None,
) -> RekisteriError:
    """Write the entry of a refusal, and keep it on ``error`` so that it outlives
    a rollback of the transaction the error is raised in (see ``audit_refusals_keep``)."""
    error.audit_kept.append(
        audit_record(actor=actor, event=event, person_id=person_id, purpose=purpose, data=data)
    )
    return error


def audit_refusals_keep(error: RekisteriError) -> None:
    """Write again the refusal entries that a rolled-back transaction took with it.

    A door calls this for every error it answers, after the error has left the
    service's transaction: an entry that is still there is left alone.
    """
    for entry in error.audit_kept:
        fields = {name: getattr(entry, name) for name in ENTRY_FIELDS[1:]}
        # The id alone is no proof on SQLite, which hands a rolled-back id out again.
        still = AuditEntry.objects.filter(
            pk=entry.pk,
            occurred_at=entry.occurred_at,
            actor_id=entry.actor_id,
            event=entry.event,
            person_id=entry.person_id,
        )
        if not still.exists():
            AuditEntry.objects.create(**fields)
    error.audit_kept.clear()


def audit_record_many(
    *,
    actor: Actor,
    event: AuditEvent,
    person_ids: Sequence[int],
    data: dict[str, Any],
    categories: Iterable[str] = (),
    purpose: str = "",
) -> None:
    """One entry per person for bulk work (an import), written set-based."""
    now = clock.now()
    sorted_categories = sorted(categories)
    insert_rows(
        AuditEntry,
        ENTRY_FIELDS[1:],  # the id is the database's
        (
            (
                now,
                str(actor.kind),
                actor.id,
                str(event),
                pid,
                sorted_categories,
                purpose,
                actor.origin,
                data,
            )
            for pid in person_ids
        ),
    )
