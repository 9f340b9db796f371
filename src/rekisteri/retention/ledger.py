"""The erasure ledger: every erasure, kept outside the database so a restore cannot undo it.

A restore from a backup brings erased people back. The ledger is an
append-only file beside the database, one JSON line per erased person: the
person's id, salted hashes of their pseudonym, e-mail addresses and phone
numbers, why they were erased, and whether their identifiers are suppressed.
Each line carries the hash of the line before it, so an edit shows.
``rekisteri restore-replay`` reads it and erases them again.

A line is written, and synced to disk, before the erasure's transaction
commits: a crash between the two leaves a line for an erasure that did not
happen, which replay completes (the person was due or asked for it), never an
erasure the ledger does not know.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from rekisteri.core.files import private_dir, private_opener

GENESIS = "0" * 64


@dataclass(frozen=True)
class LedgerEntry:
    person_id: int
    at: str
    reason: str
    # Erased on request: the identifiers go back on the suppression list on replay.
    suppress: bool
    # A salted hash of the person's random pseudonym: it tells the erased person
    # from a later person who got the same id after a restore.
    pseudonym: str
    identifiers: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "at": self.at,
            "reason": self.reason,
            "suppress": self.suppress,
            "pseudonym": self.pseudonym,
            "identifiers": [list(pair) for pair in self.identifiers],
        }


@dataclass(frozen=True)
class LedgerProblem:
    line: int
    problem: str


def ledger_path() -> Path:
    return Path(settings.REKISTERI_ERASURE_LEDGER)


def _line_hash(previous: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def _last_hash(handle: Any) -> str:
    """The hash of the last whole line, read back from the end; a line torn by a crash
    mid-write is passed over (``ledger_verify`` reports it)."""
    size = handle.seek(0, os.SEEK_END)
    window = 65536
    while size:
        start = max(0, size - window)
        handle.seek(start)
        lines = handle.read(size - start).split(b"\n")
        if start > 0:
            lines = lines[1:]  # the first may be cut by the window
        for line in reversed(lines):
            try:
                return str(json.loads(line)["hash"])
            except (ValueError, KeyError, TypeError):
                continue
        if start == 0:
            break
        window *= 4
    return GENESIS


def ledger_append(entries: Iterable[LedgerEntry]) -> int:
    """Append entries under an exclusive lock and sync them to disk; return how many."""
    items = list(entries)
    if not items:
        return 0
    path = ledger_path()
    private_dir(path.parent)
    with open(path, "a+b", opener=private_opener) as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            previous = _last_hash(handle)
            size = handle.seek(0, os.SEEK_END)
            torn = False
            if size:
                handle.seek(size - 1)
                torn = handle.read(1) != b"\n"
            # A torn last line is closed, so that the new lines stand whole.
            out = ["\n"] if torn else []
            for entry in items:
                body = entry.as_dict()
                previous = _line_hash(previous, body)
                out.append(json.dumps({**body, "hash": previous}, sort_keys=True) + "\n")
            handle.seek(0, os.SEEK_END)
            handle.write("".join(out).encode())
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return len(items)


def ledger_read() -> Iterator[LedgerEntry]:
    """Every entry, oldest first (the chain is not checked here: see ``ledger_verify``)."""
    path = ledger_path()
    if not path.exists():
        return
    with path.open(encoding="ascii") as handle:
        for line in handle:
            try:
                raw = json.loads(line)
                entry = LedgerEntry(
                    person_id=int(raw["person_id"]),
                    at=str(raw["at"]),
                    reason=str(raw["reason"]),
                    suppress=bool(raw["suppress"]),
                    pseudonym=str(raw["pseudonym"]),
                    identifiers=tuple((str(k), str(d)) for k, d in raw["identifiers"]),
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                # A damaged line is skipped here so that the rest still replays;
                # ledger_verify names it.
                continue
            yield entry


def ledger_verify() -> list[LedgerProblem]:
    """Recompute the chain; name the first line that was changed, removed or unreadable."""
    path = ledger_path()
    if not path.exists():
        return []
    previous = GENESIS
    with path.open(encoding="ascii", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                recorded = raw.pop("hash")
            except (ValueError, KeyError, AttributeError):
                return [LedgerProblem(number, "the line is not a ledger entry")]
            previous = _line_hash(previous, raw)
            if previous != recorded:
                return [LedgerProblem(number, "the line was changed, or one before it removed")]
    return []
