"""Heavy reads on streaming replicas; everything else on the primary.

A read goes to a replica only when the code making it says that it may be
stale: a heavy selector (a report, a segment, the retention preview, an
audience count) runs inside ``stale_reads()`` or is decorated with
``may_be_stale``. Everything else — every write, every read that must see its
own write (a person's page after a correction, the audit trail, the purpose
gate, jobs) — is never asked and stays on the primary. Inside a transaction
on the primary, reads stay there too: a transaction sees its own writes, a
replica does not.

The replicas are the database aliases named in ``REKISTERI_DATABASE_REPLICAS``
(settings make them from ``DATABASE_REPLICA_URL``); without any, every read is
on the primary, as before.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

P = ParamSpec("P")
R = TypeVar("R")

# The replica this block's stale reads go to; None outside stale_reads().
_stale_on: ContextVar[str | None] = ContextVar("rekisteri_stale_on", default=None)
# Replicas take turns, one per block, so that one report reads one consistent copy.
_turns = itertools.count()


def replicas() -> list[str]:
    """The database aliases of the streaming replicas, possibly none."""
    return list(getattr(settings, "REKISTERI_DATABASE_REPLICAS", ()))


@contextmanager
def stale_reads() -> Iterator[None]:
    """Let the reads in this block go to a replica, which may lag the primary by seconds."""
    if _stale_on.get() is not None:
        # Nested: keep the outer block's replica.
        yield
        return
    aliases = replicas()
    alias = aliases[next(_turns) % len(aliases)] if aliases else DEFAULT_DB_ALIAS
    token = _stale_on.set(alias)
    try:
        yield
    finally:
        _stale_on.reset(token)


def may_be_stale(func: Callable[P, R]) -> Callable[P, R]:
    """Run a heavy selector inside ``stale_reads()``: its reads may go to a replica."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with stale_reads():
            return func(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    """Where a read made now goes: a replica in a stale block outside a transaction,
    else the primary."""
    alias = _stale_on.get()
    if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


def read_connection() -> BaseDatabaseWrapper:
    """The connection for a raw SQL read made now (the ORM asks the router instead)."""
    return connections[read_alias()]


class ReplicaRouter:
    """Django's database router for one primary and its streaming replicas."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        # A replica is read-only; the audit entry a heavy read writes goes here too.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Every alias holds the same database, so a row read from a replica may
        # be related to (and saved on) the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # A replica replays the primary's schema; it is never migrated itself.
        return db == DEFAULT_DB_ALIAS
