"""Checking the audit chain: every seal recomputed, every entry accounted for, and the
witness kept outside the database compared with it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from rekisteri.audit.models import AuditEntry, AuditEvent, AuditSeal
from rekisteri.audit.sealfile import MARK, SEAL, VOID, SealFile, SealLine, seal_file_read
from rekisteri.audit.sealing import (
    GENESIS,
    batch_entries,
    batch_hash,
    open_intents,
    position_field,
    seal_hash,
    stored_identity,
)
from rekisteri.core import clock
from rekisteri.core.models import RegisterIdentity


@dataclass(frozen=True)
class Finding:
    problem: str
    seal: int | None = None


@dataclass(frozen=True)
class VerifyReport:
    findings: list[Finding]
    # What an operator should know that is not a breach (another register's lines).
    notes: list[str] = field(default_factory=list)


def audit_verify() -> list[Finding]:
    """Return what is wrong with the trail: the first broken seal, and more."""
    return audit_verify_report().findings


def audit_verify_report() -> VerifyReport:
    """Check the chain, the entries outside it and the seal file; findings and notes."""
    findings: list[Finding] = []
    notes: list[str] = []
    seals = list(AuditSeal.objects.order_by("number"))
    identity = stored_identity()
    contents = seal_file_read()
    broken = _first_broken_seal(seals)
    if broken:
        findings.append(broken)
    findings.extend(_outside_the_chain(seals))
    findings.extend(_compare_with_file(seals, identity, contents, notes))
    if identity is not None:
        findings.extend(_marks_kept(contents.of(str(identity.identity))))
    findings.extend(_unsealed(seals))
    return VerifyReport(findings, notes)


def _first_broken_seal(seals: list[AuditSeal]) -> Finding | None:
    previous = GENESIS
    previous_end: int | None = None
    for expected, seal in enumerate(seals, start=1):
        if seal.number != expected:
            return Finding(f"seal {expected} is missing", expected)
        if previous_end is not None and seal.start != previous_end:
            return Finding("the seal does not continue where the previous one ended", seal.number)
        entries = batch_entries(seal.start, seal.end)
        if len(entries) != seal.entry_count:
            return Finding(
                f"the sealed batch held {seal.entry_count} entries, now {len(entries)}: "
                "rows were deleted or inserted",
                seal.number,
            )
        if batch_hash(entries) != seal.batch_hash:
            return Finding("an entry of the sealed batch was changed or moved", seal.number)
        if seal.previous_hash != previous:
            return Finding("the seal does not link to the previous seal", seal.number)
        recomputed = seal_hash(
            number=seal.number,
            start=seal.start,
            end=seal.end,
            count=seal.entry_count,
            batch=seal.batch_hash,
            previous=seal.previous_hash,
        )
        if recomputed != seal.seal_hash:
            return Finding("the seal itself was altered", seal.number)
        previous, previous_end = seal.seal_hash, seal.end
    return None


def _outside_the_chain(seals: list[AuditSeal]) -> list[Finding]:
    """Entries that no seal covers and the sealer never will, whatever their columns say.

    Every entry is counted once, in one snapshot: those in the sealed range,
    those the sealer will still take (at or after the last seal's end, and on
    PostgreSQL below the first transaction id not yet handed out), and the rest,
    which are outside the chain (a NULL or far-future transaction id, or a
    position before the first seal).
    """
    first = seals[0].start if seals else 0
    last = seals[-1].end if seals else 0
    field = position_field()
    if connection.vendor == "postgresql":
        coming = f"{field} >= %s AND {field} < txid_snapshot_xmax(txid_current_snapshot())"
    else:
        coming = f"{field} >= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*),"  # noqa: S608 - our own column names
            f" COALESCE(SUM(CASE WHEN {field} >= %s AND {field} < %s THEN 1 ELSE 0 END), 0),"
            f" COALESCE(SUM(CASE WHEN {coming} THEN 1 ELSE 0 END), 0)"
            " FROM audit_auditentry",
            [first, last, last],
        )
        total, sealed, pending = (int(v) for v in cursor.fetchone())
    outside = total - sealed - pending
    if outside:
        return [
            Finding(
                f"{outside} entries stand outside the chain, where no seal covers them "
                "and none will: rows were inserted or their position was altered"
            )
        ]
    return []


def _compare_with_file(
    seals: list[AuditSeal],
    identity: RegisterIdentity | None,
    contents: SealFile,
    notes: list[str],
) -> list[Finding]:
    findings: list[Finding] = []
    mine: list[SealLine] = []
    if identity is None:
        if contents.exists:
            findings.append(
                Finding(
                    "the database has no register identity, yet a seal file exists beside it: "
                    "the identity was deleted with the register, or `rekisteri setup` has not run"
                )
            )
    else:
        mine = contents.of(str(identity.identity))
    others = contents.others(str(identity.identity) if identity else None)
    if others:
        notes.append(
            f"the seal file also holds lines of {', '.join(others)}: "
            "a file of another register, not checked against this database"
        )
    if contents.unreadable:
        notes.append(
            f"{contents.unreadable} lines of the seal file cannot be read "
            "(torn by a crash while being written?); they witness nothing"
        )

    confirmed: dict[int, list[str]] = defaultdict(list)
    voided: dict[int, set[str]] = defaultdict(set)
    for line in mine:
        if line.kind == SEAL and line.hash not in confirmed[line.number]:
            confirmed[line.number].append(line.hash)
        elif line.kind == VOID:
            voided[line.number].add(line.hash)
    still_open = set(open_intents(mine))
    legacy = set(contents.legacy)
    in_database = {seal.number: seal.seal_hash for seal in seals}

    for number, hashes in sorted(confirmed.items()):
        if len(hashes) > 1:
            findings.append(
                Finding(
                    "the seal file holds two hashes for this seal: seals were rolled back "
                    "and sealed again, or the database was restored from an older backup",
                    number,
                )
            )
            break
    for number in sorted(confirmed):
        if confirmed[number] and number not in in_database:
            findings.append(Finding("a seal recorded outside the database is gone from it", number))
            break
    missing_outside: list[int] = []
    legacy_matched = 0
    for number, digest in sorted(in_database.items()):
        if confirmed.get(number):
            if digest not in confirmed[number]:
                findings.append(
                    Finding("the seal differs from its copy outside the database", number)
                )
                break
        elif (number, digest) in still_open:
            notes.append(
                f"seal {number} is witnessed by its intent line only (a crash after its "
                "commit): `rekisteri audit verify --repair` or the worker settles it"
            )
        elif (number, digest) in legacy:
            legacy_matched += 1
        elif digest in voided.get(number, set()):
            findings.append(Finding("the seal file records this seal as never committed", number))
            break
        else:
            missing_outside.append(number)
    if missing_outside:
        findings.append(
            Finding("the seal is not in the seal file outside the database", missing_outside[0])
        )
    if identity is not None and not mine and not legacy_matched:
        grace = dt.timedelta(seconds=settings.REKISTERI_AUDIT_SEAL_GRACE_SECONDS)
        if identity.created_at < clock.now() - grace:
            findings.append(
                Finding(
                    "the seal file holds nothing of this register, made "
                    f"{identity.created_at:%Y-%m-%d %H:%M} UTC: it was emptied or replaced, "
                    "or the sealer (rekisteri worker) has never run"
                )
            )
    return findings


def _marks_kept(mine: list[SealLine]) -> list[Finding]:
    """Each high-water mark: at least as many entries still stand at or below its id."""
    marks = [line for line in mine if line.kind == MARK]
    if not marks:
        return []
    needed: dict[int, SealLine] = {}
    for mark in marks:
        if mark.max_id not in needed or needed[mark.max_id].count < mark.count:
            needed[mark.max_id] = mark
    thresholds = sorted(needed)
    standing = 0
    at = 0
    ids = AuditEntry.objects.order_by("id").values_list("id", flat=True)
    for entry_id in ids.iterator(chunk_size=10_000):
        while at < len(thresholds) and entry_id > thresholds[at]:
            if standing < needed[thresholds[at]].count:
                return [_mark_broken(needed[thresholds[at]], standing)]
            at += 1
        if at == len(thresholds):
            break
        standing += 1
    while at < len(thresholds):
        if standing < needed[thresholds[at]].count:
            return [_mark_broken(needed[thresholds[at]], standing)]
        at += 1
    return []


def _mark_broken(mark: SealLine, standing: int) -> Finding:
    return Finding(
        f"the sealer saw {mark.count} entries up to entry {mark.max_id} ({mark.at}), "
        f"now {standing} stand: entries were deleted before they were sealed, "
        "or the database is older than its seal file"
    )


def _unsealed(seals: list[AuditSeal]) -> list[Finding]:
    field = position_field()
    tail = AuditEntry.objects.all()
    if seals:
        tail = tail.filter(**{f"{field}__gte": seals[-1].end})
    grace = dt.timedelta(seconds=settings.REKISTERI_AUDIT_SEAL_GRACE_SECONDS)
    stale = tail.filter(occurred_at__lt=clock.now() - grace).count()
    if stale:
        return [
            Finding(
                f"{stale} entries older than {grace.seconds} s are not sealed: "
                "is the sealer (rekisteri worker) running?"
            )
        ]
    return []


def audit_history(*, person_id: int, limit: int = 100) -> list[AuditEntry]:
    """What has been done with a person's data, newest first."""
    return list(AuditEntry.objects.filter(person_id=person_id).order_by("-id")[:limit])


def audit_reads_by(
    *, actor_kind: str, actor_id: str, since: dt.datetime, until: dt.datetime, limit: int = 500
) -> list[AuditEntry]:
    """What one actor read of people, or was refused, in [since, until), newest first.

    The data protection officer's investigation (Art. 39(1)(b)); served by the
    (actor, time) index, never a scan of the trail.
    """
    return list(
        AuditEntry.objects.filter(
            actor_kind=actor_kind,
            actor_id=actor_id,
            occurred_at__gte=since,
            occurred_at__lt=until,
            event__in=[AuditEvent.PERSON_READ, AuditEvent.PERSON_READ_REFUSED],
        ).order_by("-occurred_at", "-id")[:limit]
    )
