"""`python -m bench`: a synthetic register, then each operation beside plain SQL doing the same.

Each measure runs our code path and a plain-SQL baseline on the same database
in the same run and reports their ratio. The database is created afresh and
must be named for benchmarks (its name starts with "bench" or ends in "_bench").
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bench.timing import Measure

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--people", type=int, default=10_000, help="size of the register")
    parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same data")
    parser.add_argument("--samples", type=int, default=200, help="people per latency measure")
    parser.add_argument(
        "--http-seconds", type=int, default=20, help="wrk's run per HTTP API side (0 skips it)"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=60,
        help="access and erasure requests per side, over HTTP to done (0 skips them)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="postgres://…/rekisteri_bench (dropped and created); default a SQLite file",
    )
    args = parser.parse_args()
    if args.people < 100 or args.samples < 10:
        parser.error("--people at least 100, --samples at least 10")
    return args


def _fresh_database(url: str, var: Path) -> str:
    """Create the benchmark database afresh; refuse any database not named for it."""
    if not url:
        path = var / "bench.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        sys.exit("bench: --database-url takes a PostgreSQL URL; leave it out for SQLite")
    name = urlsplit(url).path.lstrip("/")
    if not (name.startswith("bench") or name.endswith("_bench")):
        sys.exit(f"bench: the database {name!r} is not named for benchmarks; it would be dropped")
    import psycopg

    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url


def main() -> None:
    args = _parse()
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    database = _fresh_database(args.database_url, var)
    os.environ.update(
        {
            "DATABASE_URL": database,
            "REKISTERI_VAR_DIR": str(var),
            "REKISTERI_ERASURE_LEDGER": str(var / "erasure-ledger.jsonl"),
            "REKISTERI_AUDIT_SEAL_FILE": str(var / "audit-seals.log"),
            "DJANGO_SETTINGS_MODULE": "rekisteri.settings",
        }
    )
    (var / "erasure-ledger.jsonl").unlink(missing_ok=True)
    (var / "audit-seals.log").unlink(missing_ok=True)
    import django

    django.setup()
    from bench.measures import run

    measures, generation = run(args.people, args.seed, args.samples, var)
    from bench.http import http_api

    measures += http_api(seed=args.seed, seconds=args.http_seconds)
    from bench.subject_requests import requests_end_to_end

    measures += requests_end_to_end(seed=args.seed, samples=args.requests)
    engine = "postgresql" if database.startswith("postgres") else "sqlite"
    report = _report(engine, args, generation, measures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{engine}-{args.people}.md"
    out.write_text(report, encoding="utf-8")
    print(report)
    print(f"written to {out.relative_to(ROOT)}")
    from bench.chart import chart

    chart(measures, report.splitlines()[0].lstrip("# "), out.with_suffix(".png"))
    print(f"written to {out.with_suffix('.png').relative_to(ROOT)}")


def _figure(value: float) -> str:
    """Three significant digits for small figures, so that a ratio can be read off them."""
    return f"{value:,.2f}" if value >= 10 else f"{value:.3g}"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def _report(
    engine: str, args: argparse.Namespace, generation: tuple[float, int], measures: list[Measure]
) -> str:
    seconds, rows = generation
    lines = [
        f"# Rekisteri benchmark: {engine}, {args.people:,} people",
        "",
        f"Machine: {os.cpu_count()} cores, {_memory_gib():.0f} GiB memory. "
        f"Seed {args.seed}; latencies over {args.samples // 2} people per side.",
        f"Command: `python -m bench --people {args.people} --seed {args.seed} "
        f"--samples {args.samples} --http-seconds {args.http_seconds} "
        f"--requests {args.requests}"
        + (" --database-url postgres://…/<name>_bench`" if engine == "postgresql" else "`"),
        "",
        f"Generation: {args.people:,} people, {rows:,} rows in {seconds:.1f} s "
        f"({args.people / seconds:,.0f} people/s, {rows / seconds:,.0f} rows/s).",
        "",
        "The baseline is plain SQL doing the same work on the same database, "
        "unless the measure names another.",
        "",
        "| measure | ours | baseline | ratio | target |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for m in measures:
        lines.append(
            f"| {m.name} | {_figure(m.ours)} {m.unit} | {_figure(m.baseline)} {m.unit} | "
            f"{m.ratio:.2f} | {m.target} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
