"""Checking the audit chain: every seal recomputed, and the copy kept outside."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from rekisteri.audit.models import AuditEntry, AuditSeal
from rekisteri.audit.services import (
    GENESIS,
    batch_entries,
    batch_hash,
    position_field,
    seal_hash,
)
from rekisteri.core import clock


@dataclass(frozen=True)
class Finding:
    problem: str
    seal: int | None = None


def audit_verify() -> list[Finding]:
    """Return what is wrong with the trail: the first broken seal, and more."""
    findings: list[Finding] = []
    seals = list(AuditSeal.objects.order_by("number"))
    broken = _first_broken_seal(seals)
    if broken:
        findings.append(broken)
    findings.extend(_compare_with_file(seals))
    findings.extend(_unsealed(seals))
    return findings


def _first_broken_seal(seals: list[AuditSeal]) -> Finding | None:
    previous = GENESIS
    previous_end: int | None = None
    field = position_field()
    if seals and AuditEntry.objects.filter(**{f"{field}__lt": seals[0].start}).exists():
        return Finding("entries stand before the first seal: rows were inserted", seals[0].number)
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


def _compare_with_file(seals: list[AuditSeal]) -> list[Finding]:
    path = Path(settings.REKISTERI_AUDIT_SEAL_FILE)
    recorded: dict[int, str] = {}
    if path.exists():
        for line in path.read_text(encoding="ascii").splitlines():
            text, _, recorded_hash = line.partition(" ")
            if text.isdigit():
                recorded[int(text)] = recorded_hash
    in_database = {seal.number: seal.seal_hash for seal in seals}
    findings = []
    for number, digest in sorted(recorded.items()):
        if number not in in_database:
            findings.append(Finding("a seal recorded outside the database is gone from it", number))
            break
        if in_database[number] != digest:
            findings.append(Finding("the seal differs from its copy outside the database", number))
            break
    missing_outside = sorted(set(in_database) - set(recorded))
    if missing_outside:
        findings.append(
            Finding("the seal is not in the seal file outside the database", missing_outside[0])
        )
    return findings


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
