"""Sealing the audit trail into a chain, and the witness file kept beside the database.

Entries are written by ``services``; here they are hashed in batches, each batch
sealed to the one before, and every seal also appended to a file outside the
database, so that rewriting the whole table is caught too.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from rekisteri.audit.models import AuditEntry, AuditSeal
from rekisteri.audit.sealfile import (
    INTENT,
    MARK,
    SEAL,
    VOID,
    SealLine,
    seal_file_append,
    seal_file_has_lines,
    seal_file_locked,
    seal_file_path,
    seal_file_read,
)
from rekisteri.core import clock
from rekisteri.core.errors import Conflict
from rekisteri.core.identity import register_identity
from rekisteri.core.models import RegisterIdentity

GENESIS = "0" * 64
# The advisory lock key the sealers of one database share ("a.seal" in ASCII).
CHAIN_LOCK = 0x612E7365616C
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


class AuditCode(StrEnum):
    NO_IDENTITY = "audit_no_identity"


@dataclass(frozen=True)
class SealResult:
    seal: AuditSeal | None
    sealed_entries: int


def _crash_point(name: str) -> None:
    """Tests kill the process here, to prove that a crash at this instant breaks nothing."""
    if name == settings.REKISTERI_CRASH_AT:
        os.kill(os.getpid(), signal.SIGKILL)


def stored_identity() -> RegisterIdentity | None:
    """The register's identity as the database holds it; never made here."""
    return RegisterIdentity.objects.filter(id=1).first()


def _sealing_identity() -> str:
    stored = stored_identity()
    if stored is not None:
        return str(stored.identity)
    if seal_file_has_lines():
        # Making a new identity now would pass a wiped register off as a new one.
        raise Conflict(
            "the database has no register identity, yet the seal file holds lines: a new "
            "database needs `rekisteri setup` first; on this one the identity was deleted. "
            "Nothing is sealed",
            code=AuditCode.NO_IDENTITY,
        )
    return register_identity()


def audit_seal() -> SealResult:
    """Chain every entry of the transactions that have ended since the last seal.

    The seal file witnesses each seal twice: an intent, synced before the seal
    commits, and the outcome after. A crash at any instant leaves at most an
    intent without outcome, which the next round settles from the database.
    """
    identity = _sealing_identity()
    with seal_file_locked():
        _settle(identity, from_start=False)
        _mark(identity)
        _crash_point("audit.seal.after_mark")
        return _seal(identity)


def audit_witness_settle() -> list[SealLine]:
    """Settle every intent in the seal file that has no outcome, from the database.

    Run at the worker's start and by ``rekisteri audit verify --repair``; the
    sealer does it on each round for the lines written since.
    """
    stored = stored_identity()
    if stored is None:
        return []
    with seal_file_locked():
        return _settle(str(stored.identity), from_start=True)


# How far this process has settled each seal file: (path, inode) -> offset.
_settled_to: dict[tuple[str, int], int] = {}
# The last high-water mark this process wrote for each register: (max id, count).
_marked: dict[str, tuple[int, int]] = {}


def _settle(identity: str, *, from_start: bool) -> list[SealLine]:
    path = seal_file_path()
    try:
        key = (str(path), path.stat().st_ino)
    except FileNotFoundError:
        return []
    offset = 0 if from_start else _settled_to.get(key, 0)
    contents = seal_file_read(offset=offset)
    intents = open_intents(contents.of(identity))
    written: list[SealLine] = []
    if intents:
        committed = dict(
            AuditSeal.objects.filter(number__in={n for n, _ in intents}).values_list(
                "number", "seal_hash"
            )
        )
        for number, digest in intents:
            kind = SEAL if committed.get(number) == digest else VOID
            line = SealLine(register=identity, kind=kind, number=number, hash=digest)
            seal_file_append(line)
            written.append(line)
    _settled_to[key] = contents.end
    return written


def open_intents(lines: Iterable[SealLine]) -> list[tuple[int, str]]:
    """The (number, hash) of intents that no later line settles, in file order."""
    pending: dict[tuple[int, str], None] = {}
    for line in lines:
        if line.kind == INTENT:
            pending[(line.number, line.hash)] = None
        elif line.kind in (SEAL, VOID):
            pending.pop((line.number, line.hash), None)
    return list(pending)


def _mark(identity: str) -> None:
    """Write the highest entry id seen and how many entries stand at or below it.

    Counted from this process's previous mark (the newer ids only), not the
    whole table each round. Entries are never deleted, so a later count below
    a mark is a finding of ``audit verify``.
    """
    previous = _marked.get(identity)
    with connection.cursor() as cursor:
        if previous is None:
            cursor.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM audit_auditentry")
            max_id, count = (int(v) for v in cursor.fetchone())
        else:
            cursor.execute(
                "SELECT COALESCE(MAX(id), 0), COALESCE(SUM(CASE WHEN id > %s THEN 1 ELSE 0 END), 0)"
                " FROM audit_auditentry",
                [previous[0]],
            )
            max_id, newer = (int(v) for v in cursor.fetchone())
            count = previous[1] + newer
    if (max_id, count) == previous:
        return
    seal_file_append(
        SealLine(
            register=identity,
            kind=MARK,
            max_id=max_id,
            count=count,
            at=clock.now().isoformat(),
        )
    )
    _marked[identity] = (max_id, count)


def _seal(identity: str) -> SealResult:
    with transaction.atomic():
        _lock_the_chain()
        last = AuditSeal.objects.order_by("-number").first()
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
        seal = AuditSeal(
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
        seal_file_append(
            SealLine(register=identity, kind=INTENT, number=number, hash=seal.seal_hash)
        )
        _crash_point("audit.seal.after_intent")
        seal.save()

        def confirmed() -> None:
            _crash_point("audit.seal.after_commit")
            seal_file_append(
                SealLine(register=identity, kind=SEAL, number=number, hash=seal.seal_hash)
            )

        transaction.on_commit(confirmed)
        return SealResult(seal, len(entries))


def _lock_the_chain() -> None:
    """One sealer at a time in the database, until this transaction ends.

    An advisory lock, not a row lock: SELECT ... FOR UPDATE would need the UPDATE
    privilege on the seals, which the application's role does not hold (README,
    "A database role that cannot rewrite the trail"). The seal file's lock covers
    the sealers of one installation; SQLite has one writer.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def _first_position() -> int:
    field = position_field()
    first = AuditEntry.objects.order_by(field).values_list(field, flat=True).first()
    return int(first) if first is not None else 0
