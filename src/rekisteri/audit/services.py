"""Writing the audit trail, and sealing it into a chain."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from rekisteri.audit.models import AuditEntry, AuditEvent, AuditSeal
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.bulk import insert_rows
from rekisteri.core.files import private_dir, private_opener

GENESIS = "0" * 64
# What an entry says, in the order the chain hashes and the bulk writer inserts it.
ENTRY_FIELDS = (
    "id",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "event",
    "person_id",
    "categories",
    "purpose",
    "origin",
    "data",
)


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


def entry_hash(entry: dict[str, Any]) -> str:
    """The hash of one entry's content, as the chain sees it."""
    canonical = json.dumps(
        {
            "id": entry["id"],
            "occurred_at": entry["occurred_at"].isoformat(),
            "actor": [entry["actor_kind"], entry["actor_id"]],
            "event": entry["event"],
            "person_id": entry["person_id"],
            "categories": entry["categories"],
            "purpose": entry["purpose"],
            "origin": entry["origin"],
            "data": entry["data"],
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal_hash(*, number: int, start: int, end: int, count: int, batch: str, previous: str) -> str:
    return hashlib.sha256(f"{number}|{start}|{end}|{count}|{batch}|{previous}".encode()).hexdigest()


def position_field() -> str:
    """What orders the chain: the writing transaction on PostgreSQL, the id elsewhere."""
    return "txid" if connection.vendor == "postgresql" else "id"


def batch_entries(start: int, end: int) -> list[dict[str, Any]]:
    """The entries whose position is in [start, end), in id order."""
    field = position_field()
    rows = (
        AuditEntry.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .order_by("id")
        .values(*ENTRY_FIELDS)
    )
    return [dict(row) for row in rows]


def batch_hash(entries: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(entry_hash(entry).encode())
    return digest.hexdigest()


def _finished_below() -> int:
    """A position below which every writing transaction has ended."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every transaction older than the oldest one still writing in this
            # database has ended. Only this database's transactions can write the
            # trail; the cluster-wide xmin would let a long job elsewhere stall it.
            # age() counts from our own id, so txid_current() - age(x) is x in full.
            cursor.execute(
                """
                SELECT COALESCE(
                    (SELECT min(txid_current() - age(backend_xid))
                       FROM pg_stat_activity
                      WHERE datname = current_database()
                        AND backend_xid IS NOT NULL
                        AND pid <> pg_backend_pid()),
                    txid_current())
                """
            )
        else:
            # SQLite has one writer: what we can see is final.
            cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_auditentry")
        return int(cursor.fetchone()[0])


@dataclass(frozen=True)
class SealResult:
    seal: AuditSeal | None
    sealed_entries: int


def audit_seal() -> SealResult:
    """Chain every entry of the transactions that have ended since the last seal."""
    with transaction.atomic():
        # One sealer at a time: the newest seal row is the lock.
        last = AuditSeal.objects.select_for_update().order_by("-number").first()
        start = last.end if last else _first_position()
        end = _finished_below()
        if end <= start:
            return SealResult(None, 0)
        entries = batch_entries(start, end)
        if not entries:
            return SealResult(None, 0)
        number = (last.number + 1) if last else 1
        previous = last.seal_hash if last else GENESIS
        batch = batch_hash(entries)
        seal = AuditSeal.objects.create(
            number=number,
            start=start,
            end=end,
            entry_count=len(entries),
            batch_hash=batch,
            previous_hash=previous,
            seal_hash=seal_hash(
                number=number,
                start=start,
                end=end,
                count=len(entries),
                batch=batch,
                previous=previous,
            ),
            sealed_at=clock.now(),
        )
        transaction.on_commit(lambda: _append_to_file(seal))
        return SealResult(seal, len(entries))


def _first_position() -> int:
    field = position_field()
    first = AuditEntry.objects.order_by(field).values_list(field, flat=True).first()
    return int(first) if first is not None else 0


def _append_to_file(seal: AuditSeal) -> None:
    path = Path(settings.REKISTERI_AUDIT_SEAL_FILE)
    private_dir(path.parent)
    with open(path, "a", encoding="ascii", opener=private_opener) as handle:
        handle.write(f"{seal.number} {seal.seal_hash}\n")
        handle.flush()
        os.fsync(handle.fileno())
