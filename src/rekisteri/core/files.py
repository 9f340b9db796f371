"""Files the register keeps on disk are readable by its own user only.

The SQLite database, the erasure ledger, the audit seal file, mail written to
disk outside production and the generated secret key all hold personal data
or secrets. Every entry point sets the umask first (``restrict_umask``), and
where the register creates such a file it asks for the mode itself, so that a
process started some other way (a test runner, a cron line) makes them
private too. A file found looser than that is tightened when it is opened.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
UMASK = 0o077


def restrict_umask() -> None:
    """Make every file and directory this process creates private to its user."""
    os.umask(UMASK)


def private_dir(path: Path) -> Path:
    """The directory, made (with its parents) private to our user if it is missing."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def tighten(path: Path | str) -> None:
    """Take group and other access from a file of ours (one made before these rules)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if st.st_mode & 0o077 and st.st_uid == os.getuid():
        os.chmod(path, st.st_mode & PRIVATE_DIR)


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for ``open()``: a new file gets mode 0600, an old one is tightened."""
    fd = os.open(path, flags, PRIVATE_FILE)
    st = os.fstat(fd)
    if st.st_mode & 0o077 and st.st_uid == os.getuid():
        os.fchmod(fd, st.st_mode & PRIVATE_DIR)
    return fd
