"""A PostgreSQL primary and its streaming replica, made for one test module and removed after.

The server the suite runs on (port 5432) has no replication line in its
pg_hba.conf and is not ours to reconfigure, so the pair is two clusters of
their own (``initdb`` + ``pg_ctl``) on free ports under a temporary directory:
the replica is fed by ``pg_basebackup`` and streams the primary's WAL. The
test database's schema is copied into the primary with ``pg_dump``, and the
replica follows it. initdb refuses root: run as root, the clusters belong to
the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connections

from tests.conftest import free_port

CLUSTER_OWNER = "postgres"
# Quick and throwaway: nothing here must survive a crash. (Commits still flush
# their WAL before they return, so that a committed write is on its way to the replica.)
FAST = "-c fsync=off -c full_page_writes=off"


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs; a clear failure when there are none."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not found:
        raise RuntimeError(
            "the replica tests need PostgreSQL's server programs (initdb, pg_ctl, "
            "pg_basebackup) under /usr/lib/postgresql/*/bin: apt-get install postgresql"
        )
    return found[-1].parent


@dataclass
class ReplicatedPair:
    base: Path
    bin: Path
    primary_port: int
    replica_port: int

    def _as_owner(self, *args: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", CLUSTER_OWNER, "--", *args]
        return list(args)

    def run(
        self,
        program: str,
        *args: str,
        owner: bool = True,
        stdin: bytes | None = None,
        env: dict[str, str] | None = None,
    ) -> bytes:
        """Run one of PostgreSQL's programs (as the clusters' owner, unless a client);
        a failure says which program failed and what it said."""
        command = [str(self.bin / program), *args]
        try:
            done = subprocess.run(
                self._as_owner(*command) if owner else command,
                input=stdin,
                env={**os.environ, **(env or {})},
                check=True,
                capture_output=True,
                timeout=60,
            )
        except subprocess.CalledProcessError as error:
            said = error.stderr.decode(errors="replace")[-1000:]
            raise RuntimeError(f"{program} failed: {said}\n{self.log()}") from None
        return done.stdout

    def _options(self, port: int) -> str:
        return (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base} {FAST}"
        )

    def start(self) -> None:
        primary, replica = self.base / "primary", self.base / "replica"
        self.run(
            "initdb", "-D", str(primary), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self.run(
            "pg_ctl", "-D", str(primary), "-o", self._options(self.primary_port),
            "-l", str(self.base / "primary.log"), "-w", "start",
        )  # fmt: skip
        # -R writes standby.signal and the primary's address: the copy starts as a replica.
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        self.run(
            "pg_ctl", "-D", str(replica), "-o", self._options(self.replica_port),
            "-l", str(self.base / "replica.log"), "-w", "start",
        )  # fmt: skip

    def copy_database(self, name: str, source: dict[str, Any]) -> None:
        """Make database ``name`` on the primary as a copy of ``source`` (a Django
        settings dict); the replica receives it by streaming."""
        self.run(
            "psql", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-q", "-c", f'CREATE DATABASE "{name}"',
            owner=False,
        )  # fmt: skip
        dump = self.run(
            "pg_dump", "--no-owner", "--no-privileges",
            "-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432),
            "-U", source["USER"] or "postgres", "-d", source["NAME"],
            owner=False, env={"PGPASSWORD": source.get("PASSWORD") or ""},
        )  # fmt: skip
        self.run(
            "psql", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-d", name, "-q", "-v", "ON_ERROR_STOP=1",
            owner=False, stdin=dump,
        )  # fmt: skip

    def stop(self) -> None:
        for cluster in ("replica", "primary"):
            if (self.base / cluster / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):  # already gone is fine
                    self.run("pg_ctl", "-D", str(self.base / cluster), "-m", "immediate", "stop")

    def log(self) -> str:
        return "\n".join(
            (self.base / f"{c}.log").read_text(errors="replace")[-2000:]
            for c in ("primary", "replica")
            if (self.base / f"{c}.log").exists()
        )


@contextmanager
def replicated_pair() -> Iterator[ReplicatedPair]:
    """A running primary and streaming replica; stopped and removed when the block ends."""
    programs = postgres_bin()
    base = Path(tempfile.mkdtemp(prefix="rekisteri-replica-"))
    if os.geteuid() == 0:
        shutil.chown(base, CLUSTER_OWNER, CLUSTER_OWNER)
    pair = ReplicatedPair(base, programs, free_port(), free_port())
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()
        shutil.rmtree(base, ignore_errors=True)


def wal_position(alias: str) -> str:
    # The flushed position, not the inserted one: a record inserted but not yet
    # flushed (another session's open transaction, a background snapshot) may sit
    # in a half-written page for a while and is not streamed until it is flushed.
    # Every commit is flushed before it returns, so this covers all committed writes.
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
        return str(cursor.fetchone()[0])


def replica_caught_up(replica: str, *, primary: str = "default", timeout: float = 30.0) -> None:
    """Wait until the replica has replayed everything the primary has committed so far."""
    target = wal_position(primary)
    deadline = time.monotonic() + timeout
    with connections[replica].cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,"
                " pg_is_wal_replay_paused()",
                [target],
            )
            done, received, replayed, paused = cursor.fetchone()
            if done:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the replica did not reach {target} in {timeout} s: received "
                    f"{received}, replayed {replayed}, paused {paused}"
                )
            time.sleep(0.02)


@contextmanager
def replay_paused(replica: str) -> Iterator[None]:
    """The replica, caught up, then frozen: what the primary writes now, it does not show."""
    replica_caught_up(replica)
    with connections[replica].cursor() as cursor:
        # Replay checks for a pause before each record: nothing written after this is applied.
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections[replica].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
