"""HTTP API: read a person at 32 concurrent connections, with the audit trail and without.

The register runs under the gunicorn command that `rekisteri serve` builds, in
processes of its own; Debian's wrk, another process, drives it over loopback
with GET /api/people/{id} for random readable people. The audit-off side serves
bench.noaudit, the same application with the trail's writers made no-ops, so
the two sides differ by what auditing a read costs and nothing else. Both
servers run at once and wrk takes turns on them (on, off, off, on), so that
drift in a shared machine's load falls on both sides alike.
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import NoReturn
from unittest import mock

from django.conf import settings
from django.core.management import call_command

from bench.timing import Measure
from rekisteri.audit.models import AuditEntry
from rekisteri.core.actors import CLI
from rekisteri.register import models as m
from rekisteri.register.selectors import people_closed_for
from rekisteri.staff.keys import Scope, api_key_create

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PURPOSE = "customer_relationship"
CONNECTIONS = 32
# gunicorn's sync workers serve one request at a time; PostgreSQL and wrk share
# the same 2 cores. Audit on, 5,000 people, 8 s runs on a quiet machine: 1 worker
# left a core idle while it waited on the database (118 req/s); 2 and 3 were
# within noise (245 and 237 req/s, mean of 4 runs); 4 and 5 lost 8-20 % to
# switching. 2 is also `rekisteri serve`'s default. A larger register waits
# longer on the database, where a third worker may pay off: pass workers=.
WORKERS = 2
WARM_UP_SECONDS = 2
PRODUCTION_APP = "rekisteri.wsgi:application"
AUDIT_OFF_APP = "bench.noaudit:application"

# Machine-readable lines from wrk's done(): the counts, the thread counters summed,
# and every latency (µs) with how many requests took it, so that runs can be merged.
WRK_SCRIPT = Template("""
local ids, purpose = {}, "$purpose"
wrk.headers["Authorization"] = "Bearer $secret"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("seed", $seed + #threads)
end

function init(args)
  for line in io.lines("$ids") do ids[#ids + 1] = line end
  math.randomseed(seed)
  non2xx, first_status = 0, 0
end

function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/people/" .. id .. "?purpose=" .. purpose)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_status == 0 then first_status = status end
  end
end

function done(summary, latency, requests)
  local non2xx, first_status = 0, 0
  for _, thread in ipairs(threads) do
    non2xx = non2xx + thread:get("non2xx")
    if first_status == 0 then first_status = thread:get("first_status") end
  end
  local e = summary.errors
  io.write(string.format(
    "bench-wrk requests=%d duration_us=%d non2xx=%d first_status=%d "
    .. "connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration, non2xx, first_status,
    e.connect, e.read, e.write, e.timeout))
  local seen = {}
  for i = 1, #latency do
    local value, count = latency(i)
    seen[#seen + 1] = string.format("%d:%d", value, count)
  end
  io.write("bench-latency ", table.concat(seen, " "), "\\n")
end
""")


@dataclass
class Load:
    """One side's wrk runs, added up."""

    requests: int = 0
    seconds: float = 0.0
    audit_entries: int = 0  # written during the measured runs
    latencies: Counter[int] = field(default_factory=Counter)  # µs: requests

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, p: float) -> float:
        """Nearest rank, as wrk's own percentile."""
        rank = max(1, math.ceil(p / 100 * self.latencies.total()))
        seen = 0
        for value in sorted(self.latencies):
            seen += self.latencies[value]
            if seen >= rank:
                return value / 1000
        return float("nan")


def _fail(message: str) -> NoReturn:
    raise SystemExit(f"bench: HTTP API: {message}")


def _wrk() -> str:
    """Debian's wrk, installed as scripts/test installs chromium if we may."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or apt is None:
        _fail("needs Debian's wrk: sudo apt-get install wrk (or --http-seconds 0 to skip)")
    print("Installing Debian's wrk for the HTTP measure ...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], check=True, env=env)  # noqa: S603
    subprocess.run(  # noqa: S603
        [apt, "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL
    )
    return shutil.which("wrk") or _fail("apt-get installed wrk, but it is not on PATH")


def _readable_ids() -> list[int]:
    """People the purpose may read: living, unrestricted, not closed to it (each answer 200)."""
    return list(
        m.Person.objects.filter(erased_at__isnull=True, restricted_since__isnull=True)
        .exclude(people_closed_for(PURPOSE))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class _Exec(Exception):
    pass


def _gunicorn(app: str, port: int, workers: int) -> list[str]:
    """The command `rekisteri serve` would run, serving ``app``: the flags stay production's."""
    argv: list[str] = []

    def capture(path: str, args: list[str]) -> None:
        argv.extend(args)
        raise _Exec

    with mock.patch("os.execv", capture), contextlib.suppress(_Exec):
        call_command("serve", host=HOST, port=port, workers=workers)
    if PRODUCTION_APP not in argv:
        _fail(f"`rekisteri serve` no longer serves {PRODUCTION_APP}: {argv}")
    return [app if arg == PRODUCTION_APP else arg for arg in argv]


def _get(port: int, path: str, secret: str) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {secret}"})
        return connection.getresponse().status
    finally:
        connection.close()


def _wait_until_up(server: subprocess.Popen[bytes], port: int, path: str, secret: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            _fail(f"gunicorn exited with {server.returncode} before it answered")
        try:
            status = _get(port, path, secret)
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            _fail(f"GET {path} answered {status}, not 200")
        return
    _fail("gunicorn did not answer in 60 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM is gunicorn's graceful stop: workers finish their request and exit."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Run:
    counts: dict[str, int]
    latencies: Counter[int]


def _run_wrk(wrk: str, script: Path, port: int, seconds: int) -> Run:
    argv = [
        wrk,
        f"--threads={min(2, os.cpu_count() or 1)}",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={script}",
        f"http://{HOST}:{port}/",
    ]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)  # noqa: S603
    lines = {line.split(" ", 1)[0]: line for line in done.stdout.splitlines()}
    if "bench-wrk" not in lines or "bench-latency" not in lines:
        _fail(f"wrk printed no result:\n{done.stdout}{done.stderr}")
    counts = {k: int(v) for k, v in (f.split("=") for f in lines["bench-wrk"].split()[1:])}
    latencies: Counter[int] = Counter()
    for pair in lines["bench-latency"].split()[1:]:
        value, count = pair.split(":")
        latencies[int(value)] += int(count)
    return Run(counts, latencies)


def _entries() -> int:
    return AuditEntry.objects.count()


def _drain(port: int, probe: str, secret: str) -> None:
    """Wait out the requests wrk sent but left unanswered when it stopped.

    The sync workers still take them from the listen queue, and on the audit-on
    side each writes its entry: they belong to the run before, not the next.
    """
    _get(port, probe, secret)  # queued behind them
    count = _entries()
    for _ in range(100):
        time.sleep(0.2)
        count, before = _entries(), count
        if count == before:
            return
    _fail("the audit trail kept growing after wrk stopped")


@contextlib.contextmanager
def _served(name: str, app: str, workers: int, probe: str, secret: str) -> Iterator[int]:
    """gunicorn serving ``app`` on a free port until the block ends; yields the port."""
    port = _free_port()
    log = Path(settings.VAR_DIR) / f"http-{name}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter, `rekisteri serve`'s flags
            _gunicorn(app, port, workers), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_up(server, port, probe, secret)
        yield port
    except BaseException:
        print(f"bench: HTTP API: {name}: gunicorn's log is {log}", file=sys.stderr)
        raise
    finally:
        _stop(server)


def _measure(name: str, load: Load, run: Run, written: int) -> None:
    errors = {k: run.counts[k] for k in ("non2xx", "connect", "read", "write", "timeout")}
    if any(errors.values()):
        _fail(
            f"{name}: errors in {run.counts['requests']:,} requests: {errors} "
            f"(first status {run.counts['first_status']})"
        )
    load.requests += run.counts["requests"]
    load.seconds += run.counts["duration_us"] / 1e6
    load.audit_entries += written
    load.latencies += run.latencies


def http_api(*, seed: int, seconds: int, workers: int = WORKERS) -> list[Measure]:
    """Reading a person through the API, audit on beside audit off; ``seconds`` per side."""
    if seconds <= 0:
        return []
    wrk = _wrk()
    ids = _readable_ids()
    if not ids:
        _fail(f"no one the purpose {PURPOSE} may read")
    _, secret = api_key_create(
        actor=CLI, name=f"bench-http-{seed}", scopes=[Scope.PEOPLE_READ], purposes=[PURPOSE]
    )
    probe = f"/api/people/{ids[0]}?purpose={PURPOSE}"
    apps = {"audit on": PRODUCTION_APP, "audit off": AUDIT_OFF_APP}
    loads = {name: Load() for name in apps}
    # Each side's time in two turns: on, off, off, on (wrk counts whole seconds).
    first, second = seconds - seconds // 2, seconds // 2
    turns = [("audit on", first), ("audit off", first), ("audit off", second), ("audit on", second)]
    with (
        tempfile.TemporaryDirectory(prefix="rekisteri-bench-") as tmp,
        contextlib.ExitStack() as up,
    ):
        id_file = Path(tmp) / "ids.txt"
        random.Random(seed).shuffle(ids)
        id_file.write_text("".join(f"{pid}\n" for pid in ids), encoding="ascii")
        script = Path(tmp) / "read.lua"
        script.write_text(
            # All ASCII without quotes or backslashes: safe inside Lua's "...".
            WRK_SCRIPT.substitute(purpose=PURPOSE, secret=secret, seed=seed, ids=id_file)
        )
        ports = {
            name: up.enter_context(_served(name.replace(" ", "-"), app, workers, probe, secret))
            for name, app in apps.items()
        }
        for port in ports.values():
            # Each worker's first requests load the URLs and open its connection.
            _run_wrk(wrk, script, port, WARM_UP_SECONDS)
            _drain(port, probe, secret)
        for name, duration in turns:
            if duration:
                before = _entries()
                run = _run_wrk(wrk, script, ports[name], duration)
                _drain(ports[name], probe, secret)
                _measure(name, loads[name], run, _entries() - before)
    on, off = loads["audit on"], loads["audit off"]
    for name, load in loads.items():
        print(
            f"bench: HTTP API {name}: {load.per_second:,.0f} requests/s, "
            f"p99 {load.percentile_ms(99):.1f} ms, {load.audit_entries:,} audit entries",
            file=sys.stderr,
        )
    # Each read wrote its entry on one side, and none on the other. The audit-on
    # side also answered its probes and, unseen by wrk, what wrk left in the queue.
    unseen = sum(1 for name, duration in turns if name == "audit on" and duration)
    unseen *= CONNECTIONS + 1
    if not on.requests <= on.audit_entries <= on.requests + unseen:
        _fail(f"audit on: {on.audit_entries:,} entries for {on.requests:,} reads")
    if off.audit_entries:
        _fail(f"audit off: {off.audit_entries:,} entries written; bench.noaudit missed a writer")
    name = (
        f"HTTP API read a person, audit on; baseline audit off "
        f"(gunicorn {workers} workers, wrk {CONNECTIONS} connections, {seconds} s each)"
    )
    overhead = "audit overhead ≤ 10 %"
    return [
        Measure(
            f"{name}: throughput",
            "req/s",
            on.per_second,
            off.per_second,
            f"≥ 1,500 req/s; {overhead} (ratio ≤ 1.1)",
            higher_is_better=True,
        ),
        *(
            Measure(
                f"{name}: p{p}",
                "ms",
                on.percentile_ms(p),
                off.percentile_ms(p),
                f"{overhead} (ratio ≤ 1.1)",
            )
            for p in (50, 99)
        ),
    ]
