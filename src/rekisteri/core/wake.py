"""Waking the worker the moment a job is queued, instead of at its next poll.

PostgreSQL: the queueing transaction sends ``NOTIFY``, which the server
delivers only when that transaction commits, to workers that ``LISTEN``.
SQLite has no such channel, but its writers share the machine: each worker
binds a Unix datagram socket in a folder beside the database file, and the
queueing process sends every socket there a byte once its transaction has
committed. Either way the poll stays as the fallback for a lost signal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import uuid
from pathlib import Path
from typing import Any, Protocol

from django.db import connections, transaction

logger = logging.getLogger(__name__)

CHANNEL = "rekisteri_jobs"
# A Unix socket's path holds at most 108 bytes on Linux; leave room for the terminator.
_MAX_SOCKET_PATH = 100


def _socket_folder(settings_dict: dict[str, Any]) -> Path:
    return Path(f"{settings_dict['NAME']}.wake")


def workers_wake(*, using: str = "default") -> None:
    """Wake the workers when the current transaction commits (at once outside one)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    else:
        folder = _socket_folder(connection.settings_dict)
        transaction.on_commit(lambda: _poke(folder), using=using)


def _poke(folder: Path) -> None:
    try:
        names = list(folder.iterdir())
    except OSError:
        return  # no worker has ever listened here
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for name in names:
            try:
                sender.sendto(b"1", str(name))
            except ConnectionRefusedError:
                # A worker that died without closing: its socket file stays behind.
                name.unlink(missing_ok=True)
            except OSError:
                continue  # a full queue already holds a wake-up


class Waker(Protocol):
    def wait(self, timeout: float) -> None:
        """Return when a job may be waiting, or after ``timeout`` seconds."""

    def close(self) -> None: ...


class _PostgresWaker:
    def __init__(self, settings_dict: dict[str, Any]) -> None:
        import psycopg
        from psycopg.conninfo import make_conninfo

        params = {
            key: str(settings_dict[name])
            for key, name in (
                ("dbname", "NAME"),
                ("user", "USER"),
                ("password", "PASSWORD"),
                ("host", "HOST"),
                ("port", "PORT"),
            )
            if settings_dict.get(name)
        }
        self._connection = psycopg.connect(make_conninfo(**params), autocommit=True)
        self._connection.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> None:
        # Every notice that arrived is taken at once: one poll serves them all.
        for _ in self._connection.notifies(timeout=timeout, stop_after=1):
            pass
        for _ in self._connection.notifies(timeout=0):
            pass

    def close(self) -> None:
        self._connection.close()


class _SocketWaker:
    def __init__(self, settings_dict: dict[str, Any]) -> None:
        folder = _socket_folder(settings_dict)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._path = folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.sock"
        self._socket: socket.socket | None = None
        if len(str(self._path)) > _MAX_SOCKET_PATH:
            logger.warning("the database's path is too long for a wake-up socket; polling only")
            return
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(str(self._path))
        self._socket.setblocking(False)

    def wait(self, timeout: float) -> None:
        if self._socket is None:
            select.select([], [], [], timeout)
            return
        ready, _, _ = select.select([self._socket], [], [], timeout)
        if ready:
            with contextlib.suppress(BlockingIOError):
                while self._socket.recv(16):
                    pass

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._path.unlink(missing_ok=True)


class _SleepWaker:
    def wait(self, timeout: float) -> None:
        select.select([], [], [], timeout)

    def close(self) -> None:
        return None


def waker_open(*, using: str = "default") -> Waker:
    """Listen for wake-ups on the register's database."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        return _PostgresWaker(connection.settings_dict)
    if connection.vendor == "sqlite":
        return _SocketWaker(connection.settings_dict)
    return _SleepWaker()
