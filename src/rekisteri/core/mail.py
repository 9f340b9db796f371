"""Mail written to files outside production, private to the register's user.

Those files are a mailbox's stand-in, and so a copy of people's addresses: when
a person is erased, every message to them leaves the files too
(``mail_copies_forget``), as the outbox forgets the address once it is sent.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import fcntl
from collections.abc import Iterable
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend

from rekisteri.core.files import private_dir, private_opener


class PrivateFileEmailBackend(EmailBackend):
    """Django's file backend, with the directory 0700 and each message file 0600.

    The messages hold addresses and sign-in links: no other local user may read them.
    """

    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        from django.conf import settings

        # A path that cannot be made is reported by Django's own check below.
        with contextlib.suppress(OSError):
            private_dir(Path(file_path or settings.EMAIL_FILE_PATH))
        super().__init__(*args, file_path=file_path, **kwargs)

    def open(self) -> bool:
        # The stubs call the stream a TextIO that is always there; Django sets it to None
        # until a message is written, and writes bytes to it.
        stream: Any = self.stream
        if stream is not None:
            return False
        name = self._get_filename()  # type: ignore[attr-defined]
        self.stream = open(name, "ab", opener=private_opener)  # type: ignore[assignment]  # noqa: SIM115
        return True

    def write_message(self, message: Any) -> None:
        # Under the lock ``mail_copies_forget`` takes to rewrite the file in place;
        # appends land at the end of whatever it left.
        stream: Any = self.stream
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
        try:
            super().write_message(message)
            stream.flush()
        finally:
            fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


FILE_BACKEND = f"{__name__}.PrivateFileEmailBackend"
# What Django's file backend writes after each message.
_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _addressed_to(chunk: bytes, forget: set[str]) -> bool:
    message = email.message_from_bytes(chunk, policy=email.policy.compat32)
    headers = [str(v) for name in ("To", "Cc") for v in message.get_all(name, [])]
    if any(address.lower() in forget for _, address in getaddresses(headers)):
        return True
    # A body may name the address too (a change of address quotes the new one).
    text = chunk.lower()
    return any(address.encode() in text for address in forget)


def mail_copies_forget(addresses: Iterable[str]) -> int:
    """Remove every message to or naming these addresses from the mail files.

    Only where mail is written to files (outside production); returns how many
    messages went. The caller is an erasure, after its commit.
    """
    forget = {a.strip().lower() for a in addresses if a and a.strip()}
    if not forget or settings.EMAIL_BACKEND != FILE_BACKEND:
        return 0
    folder = Path(settings.EMAIL_FILE_PATH)
    removed = 0
    for path in sorted(folder.glob("*.log")) if folder.is_dir() else []:
        with contextlib.suppress(FileNotFoundError), open(path, "r+b") as file:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            content = file.read()
            chunks = content.split(_SEPARATOR)
            tail = chunks.pop()  # after the last separator: empty, or a message being cut
            kept = [c for c in chunks if not _addressed_to(c, forget)]
            if len(kept) == len(chunks):
                continue
            removed += len(chunks) - len(kept)
            file.seek(0)
            file.write(b"".join(c + _SEPARATOR for c in kept) + tail)
            file.truncate()
            if not kept and not tail:
                path.unlink()
    return removed
