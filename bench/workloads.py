"""Bulk work beside plain SQL: an import from CSV, and a retention sweep of due people."""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from bench.timing import Measure
from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.demo.identifiers import hetu_check_character
from rekisteri.demo.names import FINNISH
from rekisteri.policy.schema import ErasureAction
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.importing import COLUMNS, people_import
from rekisteri.retention.erasure import person_tables
from rekisteri.retention.sweep import retention_run

PERSON_COLUMNS = (
    "id",
    "pseudonym",
    "stored_at",
    "source",
    "first_name",
    "last_name",
    "personal_identity_code",
    "birth_year",
    "gender",
    "job_title",
)


def _hetu(number: int) -> tuple[str, int]:
    """The ``number``th valid henkilötunnus (born 1950-1999), and its birth year."""
    born = dt.date(1950, 1, 1) + dt.timedelta(days=number // 898 % (50 * 365))
    # Individual numbers run 002-899; 900 and up are temporary ones.
    digits = f"{born:%d%m%y}{number % 898 + 2:03d}"
    return f"{digits[:6]}-{digits[6:]}{hetu_check_character(digits)}", born.year


def _import_rows(
    count: int, seed: int, tag: str, first: int, taken: set[str]
) -> Iterator[list[str]]:
    """Rows of new people; identity codes unique from ``first`` on, none already held."""
    rng = random.Random(seed)
    number = first
    for i in range(first, first + count):
        given = rng.choice(FINNISH.female_names + FINNISH.male_names)
        family = rng.choice(FINNISH.surnames)
        city, codes = rng.choice(FINNISH.cities)
        code, year = "", 0
        if i % 2:
            code, year = _hetu(number)
            while code in taken:
                number += 1
                code, year = _hetu(number)
            number += 1
        yield [
            given,
            family,
            f"{tag}.{i}@example.fi",
            f"+358{rng.choice(FINNISH.mobile_prefixes)}{rng.randrange(10**7):07d}",
            f"{rng.choice(FINNISH.streets)} {rng.randint(1, 60)}",
            rng.choice(codes),
            city,
            "FI",
            code,
            str(year) if year else "",
            "",
            "",
        ]


def _write_csv(path: Path, rows: Iterator[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def _copy(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _plain_import(path: Path) -> int:
    """What the database can take at most: the file's rows COPYed into the same tables."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # The database's own forms of a time and a UUID, as the driver would send them.
    now = connection.ops.adapt_datetimefield_value(clock.now())
    first = (m.Person.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    ids = range(first, first + len(rows))
    provenance = ("person_id", "stored_at", "source")
    with transaction.atomic():
        _copy(
            "register_person",
            PERSON_COLUMNS,
            [
                (
                    pid,
                    uuid.uuid4().hex,
                    now,
                    "subject",
                    r["first_name"],
                    r["last_name"],
                    r["personal_identity_code"] or None,
                    r["birth_year"] or None,
                    "",
                    "",
                )
                for pid, r in zip(ids, rows, strict=True)
            ],
        )
        _copy(
            "register_emailaddress",
            (*provenance, "address"),
            [(pid, now, "subject", r["email"]) for pid, r in zip(ids, rows, strict=True)],
        )
        _copy(
            "register_phonenumber",
            (*provenance, "number"),
            [(pid, now, "subject", r["phone"]) for pid, r in zip(ids, rows, strict=True)],
        )
        _copy(
            "register_postaladdress",
            (*provenance, "street_address", "postal_code", "city", "country"),
            [
                (pid, now, "subject", r["street_address"], r["postal_code"], r["city"], "FI")
                for pid, r in zip(ids, rows, strict=True)
            ],
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('register_person', 'id'), %s)",
                    [ids[-1]],
                )
    return len(rows)


def import_measure(count: int, seed: int, var: Path) -> Measure:
    ours_file, plain_file = var / "import-ours.csv", var / "import-plain.csv"
    taken = {
        code for code in m.Person.objects.values_list("personal_identity_code", flat=True) if code
    }
    _write_csv(ours_file, _import_rows(count, seed, "tuonti", 0, taken))
    _write_csv(plain_file, _import_rows(count, seed, "kopio", 10 * count, taken))
    started = time.perf_counter()
    report = people_import(actor=SYSTEM, path=ours_file, source="subject")
    ours = time.perf_counter() - started
    if report.imported != count:
        raise SystemExit(f"bench: import took {report.imported} of {count} rows")
    started = time.perf_counter()
    _plain_import(plain_file)
    plain = time.perf_counter() - started
    return Measure(
        f"import of {count:,} people from CSV (plain: COPY; on SQLite, INSERT)",
        "s",
        ours,
        plain,
        "ratio ≤ 1.3",
    )


# ---------------------------------------------------------------- the sweep


def _make_due(ids: list[int]) -> None:
    """Their customerships ended long ago: every rule on the person has run out."""
    long_ago = clock.today() - dt.timedelta(days=20 * 365)
    for start in range(0, len(ids), 10_000):
        chunk = ids[start : start + 10_000]
        m.Customership.objects.filter(person_id__in=chunk).update(
            started_on=long_ago - dt.timedelta(days=365), ended_on=long_ago
        )


def _plain_sweep(ids: list[int]) -> None:
    """The same rows, set-based: each table by its category's rule, one statement each.

    Anonymised content is copied with no person and no text (SQL cannot scrub
    names out of text); held rows stay under a blanked person, the rest go.
    """
    policy = policy_get()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_due (id bigint PRIMARY KEY)")
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            cursor.execute(
                f"INSERT INTO bench_due (id) VALUES {', '.join(['(%s)'] * len(chunk))}",  # noqa: S608
                chunk,
            )
        due = "person_id IN (SELECT id FROM bench_due)"
        held = []
        for model, key, category in person_tables(policy):
            table = model._meta.db_table
            if category.erasure == ErasureAction.HOLD and category.keep_fields:
                held.append(table)
                continue
            if category.erasure == ErasureAction.ANONYMISE:
                cursor.execute(
                    "INSERT INTO retention_anonymouscontent"  # noqa: S608 - names from the schema
                    ' (category, kind, month, texts, "values", created_on)'
                    f" SELECT %s, %s, NULL, '{{}}', '{{}}', %s FROM {table} WHERE {due}",
                    [key, table, clock.today()],
                )
            cursor.execute(f"DELETE FROM {table} WHERE {due}")  # noqa: S608
        # Table names from the schema, no values. EXISTS probes the person index;
        # IN (subquery) under OR cannot be hashed at this size.
        keeps = (
            " OR ".join(
                f"EXISTS (SELECT 1 FROM {t} h WHERE h.person_id = register_person.id)"  # noqa: S608
                for t in held
            )
            or "FALSE"
        )
        cursor.execute(
            "UPDATE register_person SET first_name = '', last_name = '', gender = '',"  # noqa: S608
            " job_title = '', personal_identity_code = NULL, birth_year = NULL,"
            " erased_at = %s, restricted_since = %s"
            f" WHERE id IN (SELECT id FROM bench_due) AND ({keeps})",
            [clock.now(), clock.now()],
        )
        cursor.execute(
            "DELETE FROM register_person"  # noqa: S608
            f" WHERE id IN (SELECT id FROM bench_due) AND NOT ({keeps})"
        )
        cursor.execute("DROP TABLE bench_due")


def sweep_measure(count: int, seed: int) -> Measure:
    started = time.perf_counter()
    backlog = retention_run()
    print(
        f"bench: the generated register's own backlog swept first: {backlog.total:,} "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    living = list(
        m.Person.objects.filter(erased_at__isnull=True)
        .filter(pk__in=m.Customership.objects.values("person_id"))
        .values_list("pk", flat=True)
    )
    chosen = random.Random(seed).sample(living, 2 * count)
    ours_ids, plain_ids = sorted(chosen[:count]), sorted(chosen[count:])
    _make_due(ours_ids)
    started = time.perf_counter()
    report = retention_run()
    ours = time.perf_counter() - started
    erased = sum(report.people.values())
    if erased < count * 0.95:
        raise SystemExit(f"bench: the sweep erased {erased} of {count} due people")
    _make_due(plain_ids)
    started = time.perf_counter()
    _plain_sweep(plain_ids)
    plain = time.perf_counter() - started
    # People per second: higher is better, so the ratio is plain's rate over ours.
    return Measure(
        f"retention sweep of {count:,} due people (people/s; ratio = plain/ours)",
        "people/s",
        erased / ours,
        count / plain,
        "≥ 20,000 people/s; ratio ≤ 1.3",
        higher_is_better=True,
    )
