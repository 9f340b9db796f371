"""The erasure ledger: every erasure, kept outside the database so a restore cannot undo it.

A restore from a backup brings erased people back. The ledger is an
append-only file beside the database, one JSON line per erased person: the
person's id, salted hashes of their pseudonym, e-mail addresses and phone
numbers, why they were erased, and whether their identifiers are suppressed.
Each line carries the hash of the line before it, so an edit shows.
``rekisteri restore-replay`` reads it and erases them again.

Every line names the register it belongs to (``core.identity``): one file may
serve several databases of an installation, and a register acts only on its
own lines; the others are counted as another register's, never replayed.

An erasure is written in two steps, so that the file never runs ahead of the
database: an *intent* line per person, synced to disk before the erasure's
transaction commits, then an *outcome* line for the erasure once it has
committed. A crash between the two leaves an open intent, which
``replay.ledger_reconcile`` settles from the database (the erasure left a mark
in its own transaction, or it did not commit). Only committed erasures are
replayed or reported as people back.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from rekisteri.core.files import private_dir, private_opener

GENESIS = "0" * 64

INTENT = "intent"
COMMITTED = "committed"
ABORTED = "aborted"


@dataclass(frozen=True)
class LedgerEntry:
    """An intent: one person of one erasure, written before the erasure commits."""

    person_id: int
    at: str
    reason: str
    # Erased on request: the identifiers go back on the suppression list on replay.
    suppress: bool
    # A salted hash of the person's random pseudonym: it tells the erased person
    # from a later person who got the same id after a restore.
    pseudonym: str
    identifiers: tuple[tuple[str, str], ...]
    # The erasure (one transaction, a batch of people) this line belongs to.
    erasure: str = ""
    # The register's identity; empty on lines written before registers had one.
    register: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": INTENT,
            "register": self.register,
            "erasure": self.erasure,
            "person_id": self.person_id,
            "at": self.at,
            "reason": self.reason,
            "suppress": self.suppress,
            "pseudonym": self.pseudonym,
            "identifiers": [list(pair) for pair in self.identifiers],
        }


@dataclass(frozen=True)
class LedgerOutcome:
    """What became of an erasure: committed, or not (then its intents are void)."""

    erasure: str
    register: str
    outcome: str
    at: str
    # "commit": written by the erasure itself; "reconciliation": settled later
    # from the database, after a crash between the commit and this line.
    settled_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.outcome,
            "register": self.register,
            "erasure": self.erasure,
            "at": self.at,
            "settled_by": self.settled_by,
        }


LedgerLine = LedgerEntry | LedgerOutcome


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


def ledger_append(entries: Iterable[LedgerLine]) -> int:
    """Append lines under an exclusive lock and sync them to disk; return how many."""
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


def _parse(raw: dict[str, Any]) -> LedgerLine:
    kind = raw.get("kind", INTENT)
    if kind in (COMMITTED, ABORTED):
        return LedgerOutcome(
            erasure=str(raw["erasure"]),
            register=str(raw["register"]),
            outcome=kind,
            at=str(raw["at"]),
            settled_by=str(raw.get("settled_by", "")),
        )
    if kind != INTENT:
        raise ValueError(kind)
    return LedgerEntry(
        person_id=int(raw["person_id"]),
        at=str(raw["at"]),
        reason=str(raw["reason"]),
        suppress=bool(raw["suppress"]),
        pseudonym=str(raw["pseudonym"]),
        identifiers=tuple((str(k), str(d)) for k, d in raw["identifiers"]),
        erasure=str(raw.get("erasure", "")),
        register=str(raw.get("register", "")),
    )


def ledger_lines() -> Iterator[LedgerLine]:
    """Every line, oldest first (the chain is not checked here: see ``ledger_verify``)."""
    path = ledger_path()
    if not path.exists():
        return
    with path.open(encoding="ascii", errors="replace") as handle:
        for line in handle:
            try:
                parsed = _parse(json.loads(line))
            except (ValueError, KeyError, TypeError, AttributeError):
                # A damaged line is skipped here so that the rest still replays;
                # ledger_verify names it.
                continue
            yield parsed


def ledger_read() -> Iterator[LedgerEntry]:
    """Every intent of every register, oldest first, whatever became of it."""
    for line in ledger_lines():
        if isinstance(line, LedgerEntry):
            yield line


@dataclass
class LedgerState:
    """The ledger as one register sees it."""

    # Intents of this register whose erasure committed: these are replayed.
    committed: list[LedgerEntry] = field(default_factory=list)
    # Intents of this register with no outcome yet, by erasure.
    open: dict[str, list[LedgerEntry]] = field(default_factory=dict)
    # Intents of this register whose erasure did not commit: void.
    aborted: int = 0
    # Intents of another register (or of none, written before registers had
    # an identity): named, left alone.
    foreign: int = 0


def ledger_state(register: str) -> LedgerState:
    """Sort every intent by register and by what became of its erasure."""
    intents: dict[str, list[LedgerEntry]] = {}
    outcomes: dict[str, str] = {}
    state = LedgerState()
    for line in ledger_lines():
        if line.register != register or not line.erasure:
            if isinstance(line, LedgerEntry):
                state.foreign += 1
            continue
        if isinstance(line, LedgerEntry):
            intents.setdefault(line.erasure, []).append(line)
        elif outcomes.get(line.erasure) != COMMITTED:
            # A commit, once written, is the last word: only the erasure itself
            # or a reconciliation that found its mark in the database writes one.
            outcomes[line.erasure] = line.outcome
    for erasure, entries in intents.items():
        outcome = outcomes.get(erasure)
        if outcome == COMMITTED:
            state.committed.extend(entries)
        elif outcome == ABORTED:
            state.aborted += len(entries)
        else:
            state.open[erasure] = entries
    return state


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
