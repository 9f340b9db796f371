"""Mail written to files outside production, private to the register's user."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

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
