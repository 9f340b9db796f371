"""The measures, each beside plain SQL that does the same work on the same database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, cast

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model

from bench.timing import Measure, latency
from rekisteri.consent.marketing import direct_marketing_purposes, marketing_audience
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.demo import demo_generate
from rekisteri.policy.selectors import notice_version_current
from rekisteri.register import models as m
from rekisteri.register.catalogue import personal_data_models
from rekisteri.register.selectors import people_search, person_access_own, person_data
from rekisteri.retention.erasure import person_erase

STAFF = Actor(ActorKind.STAFF, "bench", purposes=frozenset({"customer_relationship"}))


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


def _plain_audience() -> list[int]:
    """The marketing rules for e-mail, written by hand as one SELECT."""
    purposes = direct_marketing_purposes()
    objection_scopes = [s for p in purposes for s in (p, f"{p}:email")]
    marks = ", ".join(["%s"] * len(objection_scopes))
    latest = """(SELECT c.action FROM consent_consentevent c
        WHERE c.person_id = p.id AND c.scope IN ('marketing', 'marketing:email')
          AND c.action IN ('granted', 'withdrawn')
        ORDER BY c.occurred_at DESC, c.id DESC LIMIT 1)"""
    sql = f"""
    SELECT p.id FROM register_person p
    WHERE p.erased_at IS NULL AND p.restricted_since IS NULL
      AND EXISTS (SELECT 1 FROM register_emailaddress e WHERE e.person_id = p.id)
      AND NOT EXISTS (
        SELECT 1 FROM consent_consentevent o
        WHERE o.person_id = p.id AND o.action = 'objected' AND o.scope IN ({marks})
          AND NOT EXISTS (
            SELECT 1 FROM consent_consentevent l
            WHERE l.person_id = o.person_id AND l.scope = o.scope AND l.action = 'lifted'
              AND (l.occurred_at > o.occurred_at
                   OR (l.occurred_at = o.occurred_at AND l.id > o.id))))
      AND ({latest} = 'granted' OR ({latest} IS NULL AND (
            EXISTS (SELECT 1 FROM register_customership k
                    WHERE k.person_id = p.id AND k.ended_on IS NULL)
            OR EXISTS (SELECT 1 FROM register_organisationrole r WHERE r.person_id = p.id))))
    ORDER BY p.id
    """  # noqa: S608 - the marks are placeholders, the scopes are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, objection_scopes)
        return [row[0] for row in cursor.fetchall()]


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


def run(people: int, seed: int, samples: int) -> tuple[list[Measure], tuple[float, int]]:
    call_command("setup", verbosity=0)
    version = notice_version_current()
    started = time.perf_counter()
    stats = demo_generate(
        people=people, seed=seed, notice_version=version.number if version else None
    )
    generation = (time.perf_counter() - started, sum(stats.counts.values()))
    with connection.cursor() as cursor:
        # Fresh statistics, as a production database would have.
        cursor.execute("ANALYZE")

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

    ours_audience = _best_of(
        lambda: list(
            marketing_audience(purpose="marketing", channel="email").values_list("pk", flat=True)
        )
    )
    plain_audience = _best_of(_plain_audience)
    selected = marketing_audience(purpose="marketing", channel="email").count()
    if selected != len(_plain_audience()):
        raise SystemExit("bench: the plain audience and ours differ; the baseline is wrong")
    measures.append(
        Measure(
            f"marketing audience, e-mail ({selected:,} of {len(ids):,} people)",
            "s",
            ours_audience,
            plain_audience,
            "≤ 2 s at 1M; ratio ≤ 1.3",
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
    return measures, generation
