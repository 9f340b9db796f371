"""The measures, each beside plain SQL that does the same work on the same database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model

from bench.timing import Measure, latency
from bench.workloads import import_measure, sweep_measure
from rekisteri.consent.marketing import (
    audience_gate,
    audience_iter,
    audience_rows,
    audience_stream,
    direct_marketing_purposes,
)
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.demo.store import demo_generate
from rekisteri.policy.selectors import notice_version_current
from rekisteri.register import models as m
from rekisteri.register.catalogue import personal_data_models
from rekisteri.register.gate import PeopleRead
from rekisteri.register.selectors import people_search, person_access_own, person_data
from rekisteri.retention.erasure import person_erase

STAFF = Actor(ActorKind.STAFF, "bench", purposes=frozenset({"customer_relationship"}))
MARKETER = Actor(ActorKind.STAFF, "bench-marketing", purposes=frozenset({"marketing"}))


def _person_tables() -> list[str]:
    return [
        model._meta.db_table
        for model in personal_data_models()
        if any(f.name == "person" for f in model._meta.concrete_fields)
    ]


def _plain_access(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute('SELECT * FROM "register_person" WHERE id = %s', [pid])
        cursor.fetchall()
        for table in _person_tables():
            cursor.execute(f'SELECT * FROM "{table}" WHERE person_id = %s', [pid])  # noqa: S608
            cursor.fetchall()


def _deletes(model: type[Model], column: str, where: str) -> list[str]:
    """DELETEs, deepest first, of every row that points at ``model`` rows matching ``where``."""
    statements: list[str] = []
    table = model._meta.db_table
    # Hidden ones too: the register's tables link to the person with related_name="+".
    reverse = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]
    for rel in reverse:
        child = cast(type[Model], rel.related_model)
        inner = f'SELECT id FROM "{table}" WHERE {where}'  # noqa: S608 - names from the schema
        column_of = rel.field.column  # type: ignore[union-attr]
        statements += _deletes(child, column_of, f'"{column_of}" IN ({inner})')
    statements.append(f'DELETE FROM "{table}" WHERE {where}')  # noqa: S608
    return statements


def _plain_forget(pid: int) -> None:
    # Every row that points at the person (and at those rows), then the person.
    statements = _deletes(m.Person, "id", '"id" = %s')
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [pid])


_OBJECTED = """NOT EXISTS (
        SELECT 1 FROM consent_consentevent o
        WHERE o.person_id = p.id AND o.action = 'objected' AND o.scope IN ({marks})
          AND NOT EXISTS (
            SELECT 1 FROM consent_consentevent l
            WHERE l.person_id = o.person_id AND l.scope = o.scope AND l.action = 'lifted'
              AND (l.occurred_at, l.id) > (o.occurred_at, o.id)))"""

# PostgreSQL: each fact once for everyone, joined by hash.
_PLAIN_AUDIENCE_POSTGRESQL = """
    SELECT p.id, p.first_name, p.last_name, e.address
    FROM register_person p
    JOIN (SELECT DISTINCT ON (person_id) person_id, address FROM register_emailaddress
          ORDER BY person_id, stored_at DESC, id DESC) e ON e.person_id = p.id
    LEFT JOIN (SELECT DISTINCT ON (person_id) person_id, action FROM consent_consentevent
               WHERE scope IN ('marketing', 'marketing:email')
                 AND action IN ('granted', 'withdrawn')
               ORDER BY person_id, occurred_at DESC, id DESC) c ON c.person_id = p.id
    LEFT JOIN (SELECT DISTINCT person_id FROM register_customership WHERE ended_on IS NULL) k
      ON k.person_id = p.id
    LEFT JOIN (SELECT DISTINCT person_id FROM register_organisationrole) r
      ON r.person_id = p.id
    WHERE p.erased_at IS NULL AND p.restricted_since IS NULL AND {objected}
      AND (c.action = 'granted' OR (c.action IS NULL
           AND (k.person_id IS NOT NULL OR r.person_id IS NOT NULL)))
    ORDER BY p.id
"""

# SQLite has no hash join: per person, through the indexes.
_PLAIN_AUDIENCE_SQLITE = """
    SELECT p.id, p.first_name, p.last_name,
      (SELECT e.address FROM register_emailaddress e WHERE e.person_id = p.id
       ORDER BY e.stored_at DESC, e.id DESC LIMIT 1)
    FROM register_person p
    WHERE p.erased_at IS NULL AND p.restricted_since IS NULL AND {objected}
      AND EXISTS (SELECT 1 FROM register_emailaddress e WHERE e.person_id = p.id)
      AND ({latest} = 'granted' OR ({latest} IS NULL AND (
            EXISTS (SELECT 1 FROM register_customership k
                    WHERE k.person_id = p.id AND k.ended_on IS NULL)
            OR EXISTS (SELECT 1 FROM register_organisationrole r WHERE r.person_id = p.id))))
    ORDER BY p.id
"""
_LATEST_SQLITE = """(SELECT c.action FROM consent_consentevent c
        WHERE c.person_id = p.id AND c.scope IN ('marketing', 'marketing:email')
          AND c.action IN ('granted', 'withdrawn')
        ORDER BY c.occurred_at DESC, c.id DESC LIMIT 1)"""


def _plain_audience() -> list[int]:
    """The marketing rules for e-mail, written by hand as one SELECT."""
    purposes = direct_marketing_purposes()
    objection_scopes = [s for p in purposes for s in (p, f"{p}:email")]
    objected = _OBJECTED.format(marks=", ".join(["%s"] * len(objection_scopes)))
    if connection.vendor == "postgresql":
        sql = _PLAIN_AUDIENCE_POSTGRESQL.format(objected=objected)
    else:
        sql = _PLAIN_AUDIENCE_SQLITE.format(objected=objected, latest=_LATEST_SQLITE)
    with connection.cursor() as cursor:
        cursor.execute(sql, objection_scopes)
        return [row[0] for row in cursor.fetchall()]


def _audience_read() -> list[int]:
    """The audience as a campaign and the CLI read it: one query, streamed."""
    return [
        row[0] for rows in audience_stream(_audience_read_gate(), channel="email") for row in rows
    ]


def _audience_read_gate() -> PeopleRead:
    return audience_gate(actor=MARKETER, purpose="marketing", channel="email")


def _audience_pages() -> int:
    """The audience as an API client reads it: keyset pages of 1,000."""
    after, count = 0, 0
    read = _audience_read_gate()
    while rows := audience_rows(read, channel="email", after=after, limit=1000):
        count += len(rows)
        after = rows[-1][0]
    return count


def _audience_handed_out() -> int:
    """As `rekisteri marketing audience` hands it out: with opt-out links, each person audited."""
    return sum(
        len(page)
        for page in audience_iter(actor=MARKETER, purpose="marketing", channel="email", page=5000)
    )


def _plain_search(prefix: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id, first_name, last_name FROM register_person
               WHERE UPPER(last_name) LIKE %s AND erased_at IS NULL
                 AND restricted_since IS NULL
               ORDER BY last_name, first_name, id LIMIT 50""",
            [prefix.upper() + "%"],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            query = "SELECT person_id, address FROM register_emailaddress WHERE person_id IN ({})"
            # Only placeholders go into the text; the ids are parameters.
            cursor.execute(query.format(marks), ids)
            cursor.fetchall()


def _best_of(work: Callable[[], Any], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def run(people: int, seed: int, samples: int, var: Path) -> tuple[list[Measure], tuple[float, int]]:
    call_command("setup", verbosity=0)
    version = notice_version_current()
    started = time.perf_counter()
    # With history past its retention periods, so that the sweep has work to measure.
    stats = demo_generate(
        people=people,
        seed=seed,
        notice_version=version.number if version else None,
        overdue=True,
    )
    generation = (time.perf_counter() - started, sum(stats.counts.values()))
    with connection.cursor() as cursor:
        # Fresh statistics and merged index entries, as autovacuum would leave them.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    rng = random.Random(seed)
    ids = list(m.Person.objects.values_list("pk", flat=True))
    measures: list[Measure] = []

    access_ids = rng.sample(ids, samples)
    measures += latency(
        "access export of one person",
        lambda pid: person_data(person_access_own(actor=SYSTEM, person_id=pid, right="access")),
        _plain_access,
        access_ids,
        "p99 ≤ 20 ms; ratio ≤ 1.3",
    )

    names = list(
        m.Person.objects.filter(pk__in=rng.sample(ids, samples)).values_list("last_name", flat=True)
    )
    prefixes = {i: name[:4] for i, name in enumerate(names)}
    measures += latency(
        "staff search",
        lambda i: people_search(actor=STAFF, purpose="customer_relationship", query=prefixes[i]),
        lambda i: _plain_search(prefixes[i]),
        list(prefixes),
        "p99 ≤ 200 ms; ratio ≤ 1.3",
    )

    ours_audience = _best_of(_audience_read)
    plain_audience = _best_of(_plain_audience)
    selected = _audience_read()
    if selected != _plain_audience():
        raise SystemExit("bench: the plain audience and ours differ; the baseline is wrong")
    measures.append(
        Measure(
            f"marketing audience, e-mail ({len(selected):,} of {len(ids):,} people)",
            "s",
            ours_audience,
            plain_audience,
            "≤ 2 s at 1M; ratio ≤ 1.3",
        )
    )
    for name, work in (
        ("read by the API's keyset pages of 1,000", _audience_pages),
        ("handed out with an opt-out link and an audit entry each", _audience_handed_out),
    ):
        started = time.perf_counter()
        if work() != len(selected):
            raise SystemExit(f"bench: the audience {name} is not the same people")
        measures.append(
            Measure(
                f"the same {name}",
                "s",
                time.perf_counter() - started,
                plain_audience,
                "—",
            )
        )

    remaining = sorted(set(ids) - set(access_ids))
    forget_ids = rng.sample(remaining, samples)
    measures += latency(
        "forget one person",
        lambda pid: person_erase(actor=SYSTEM, person_id=pid, reason="benchmark"),
        _plain_forget,
        forget_ids,
        "p99 ≤ 50 ms; ratio ≤ 1.3",
    )
    # A tenth of the register, at most the 100,000, for each side.
    bulk = min(100_000, people // 10)
    measures.append(import_measure(bulk, seed, var))
    measures.append(sweep_measure(bulk, seed))
    return measures, generation
