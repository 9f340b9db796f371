"""The seal file: the audit chain's witness outside the database.

One JSON object a line, each naming the register it belongs to (the identity
``rekisteri setup`` made in the database), so that a second database in the
same installation starts clean and a file of another register is named as
such, not mistaken for tampering (DESIGN.md, "What lives beside the database").

Kinds of line:

- ``intent``: a seal about to commit, its number and hash, synced to disk
  before the commit, so that no seal can ever stand in the database unwitnessed;
- ``seal``: that seal committed;
- ``void``: an intent whose seal never committed (settled from the database
  after a crash);
- ``mark``: the sealer's high-water mark, the highest entry id it saw and how
  many entries stood at or below it; entries cannot leave the trail, so fewer
  of them later means rows were deleted before they were sealed, or the
  database is older than the file.

The first format, ``NUMBER HASH`` with no identity, is still read: such a line
witnesses a seal of the same number and hash, and nothing else.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from rekisteri.core.files import private_dir, private_opener

INTENT = "intent"
SEAL = "seal"
VOID = "void"
MARK = "mark"
KINDS = frozenset({INTENT, SEAL, VOID, MARK})


@dataclass(frozen=True)
class SealLine:
    register: str
    kind: str
    number: int = 0
    hash: str = ""
    max_id: int = 0
    count: int = 0
    at: str = ""

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"register": self.register, "kind": self.kind}
        if self.kind == MARK:
            body.update(max_id=self.max_id, count=self.count, at=self.at)
        else:
            body.update(number=self.number, hash=self.hash)
        return body


@dataclass
class SealFile:
    """What the file says, read in order."""

    exists: bool = False
    lines: list[SealLine] = field(default_factory=list)
    # (number, hash) of lines in the first format, which name no register.
    legacy: list[tuple[int, str]] = field(default_factory=list)
    # Lines that are neither: a line torn by a crash mid-write, or noise.
    unreadable: int = 0
    # The byte offset read up to: a reader may go on from there later.
    end: int = 0

    def of(self, register: str) -> list[SealLine]:
        return [line for line in self.lines if line.register == register]

    def others(self, register: str | None) -> list[str]:
        """The identities of other registers that have lines here, in order of appearance."""
        seen: dict[str, None] = {}
        for line in self.lines:
            if line.register != register:
                seen.setdefault(line.register, None)
        return list(seen)


def seal_file_path() -> Path:
    return Path(settings.REKISTERI_AUDIT_SEAL_FILE)


def _parse(text: str) -> SealLine | tuple[int, str] | None:
    text = text.strip()
    if not text:
        return None
    if not text.startswith("{"):
        number, _, digest = text.partition(" ")
        if number.isdigit() and len(digest) == 64:
            return int(number), digest
        return None
    try:
        body = json.loads(text)
        kind = str(body["kind"])
        if kind not in KINDS:
            return None
        if kind == MARK:
            return SealLine(
                register=str(body["register"]),
                kind=kind,
                max_id=int(body["max_id"]),
                count=int(body["count"]),
                at=str(body.get("at", "")),
            )
        return SealLine(
            register=str(body["register"]),
            kind=kind,
            number=int(body["number"]),
            hash=str(body["hash"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def seal_file_read(*, offset: int = 0) -> SealFile:
    """Read the file from ``offset`` (its start by default); a missing file reads as empty.

    A last line without its newline (being written, or torn) is left for a later read.
    """
    path = seal_file_path()
    contents = SealFile()
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return contents
    contents.exists = True
    whole = data[: data.rfind(b"\n") + 1]
    contents.end = offset + len(whole)
    for raw in whole.decode("utf-8", errors="replace").splitlines():
        if not raw.strip():
            continue
        parsed = _parse(raw)
        if parsed is None:
            contents.unreadable += 1
        elif isinstance(parsed, SealLine):
            contents.lines.append(parsed)
        else:
            contents.legacy.append(parsed)
    return contents


def seal_file_has_lines() -> bool:
    path = seal_file_path()
    return path.exists() and path.stat().st_size > 0


class _Held(threading.local):
    depth = 0
    handle: Any = None


_held = _Held()


@contextmanager
def seal_file_locked() -> Iterator[None]:
    """Hold the file's lock: one sealer (or settler) at a time in the installation.

    Re-entrant within a thread, so that a seal's outcome, appended when its
    transaction commits, can be written while its sealer still holds the lock.
    """
    if _held.depth:
        _held.depth += 1
        try:
            yield
        finally:
            _held.depth -= 1
        return
    path = seal_file_path()
    private_dir(path.parent)
    handle = open(path, "a+b", opener=private_opener)  # noqa: SIM115 - closed below
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _held.handle, _held.depth = handle, 1
        try:
            yield
        finally:
            _held.handle, _held.depth = None, 0
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def seal_file_append(line: SealLine) -> None:
    """Append one line and sync it to disk; the caller holds the lock."""
    if not _held.depth:
        with seal_file_locked():
            seal_file_append(line)
        return
    handle = _held.handle
    size = handle.seek(0, os.SEEK_END)
    prefix = b""
    if size:
        handle.seek(size - 1)
        if handle.read(1) != b"\n":
            # A line torn by a crash mid-write stays apart from the next one.
            prefix = b"\n"
    payload = json.dumps(line.as_dict(), sort_keys=True, separators=(",", ":"))
    handle.write(prefix + payload.encode("ascii") + b"\n")
    handle.flush()
    os.fsync(handle.fileno())
