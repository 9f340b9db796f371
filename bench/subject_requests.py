"""Data subject requests end to end, as an integrating system files and follows them.

The register runs as `scripts/serve` runs it: gunicorn under `rekisteri serve`'s
flags and `rekisteri worker` beside it, each a process of its own. A client
files a request over HTTP (POST /api/requests for a person it authenticated)
and polls its state every 20 ms until it is fulfilled: for access, until the
package is ready to download; for erasure, until the person is forgotten.
Each request alternates with the plain-SQL baseline doing the same work on
another person (reading every row of the person; deleting them), so drift in
a shared machine's load falls on both sides alike.

Fides (ethyca-fides 2.78.2) on the same data and machine kind answered an
access request in a median 0.76 s and an erasure in 1.26 s (issue #21); the
targets are a twentieth of those.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from bench.http import HOST, PRODUCTION_APP, ROOT, WORKERS, _fail, _served
from bench.measures import _plain_access, _plain_forget
from bench.timing import Measure, _p
from rekisteri.core.actors import CLI
from rekisteri.register import models as m
from rekisteri.register.selectors import people_closed_for
from rekisteri.staff.keys import Scope, api_key_create

PURPOSE = "customer_relationship"
CLIENT = "bench-requests"
POLL_SECONDS = 0.020
# A request not done in this long is a failure of the run, not a slow sample.
GIVE_UP_SECONDS = 30.0
FIDES_ACCESS_S = 0.76
FIDES_ERASURE_S = 1.26


def _call(port: int, method: str, path: str, secret: str, body: Any = None) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(HOST, port, timeout=GIVE_UP_SECONDS)
    try:
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        payload = None if body is None else json.dumps(body)
        connection.request(method, path, body=payload, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"null")
    finally:
        connection.close()


def _filed_and_done(port: int, secret: str, body: dict[str, Any]) -> float:
    """Seconds from filing to the request's state "fulfilled", polling every 20 ms."""
    started = time.perf_counter()
    status, answer = _call(port, "POST", "/api/requests", secret, body)
    if status != 201:
        _fail(f"filing a {body['kind']} request answered {status}: {answer}")
    while answer["state"] != "fulfilled":
        if answer["state"] == "rejected" or time.perf_counter() - started > GIVE_UP_SECONDS:
            _fail(f"a {body['kind']} request stayed {answer['state']!r}")
        time.sleep(POLL_SECONDS)
        status, answer = _call(port, "GET", f"/api/requests/{answer['id']}", secret)
        if status != 200:
            _fail(f"reading a request answered {status}: {answer}")
    return time.perf_counter() - started


def _readable_with_email(count: int, rng: random.Random) -> list[tuple[int, str]]:
    """People the key's purpose may read who have an e-mail address to be named by."""
    rows = dict(
        m.EmailAddress.objects.filter(
            person__erased_at__isnull=True, person__restricted_since__isnull=True
        )
        .exclude(person__in=m.Person.objects.filter(people_closed_for(PURPOSE)))
        .values_list("person_id", "address")
        .order_by("person_id")
    )
    if len(rows) < count:
        _fail(f"only {len(rows)} people the purpose {PURPOSE} may read have an e-mail address")
    return rng.sample(sorted(rows.items()), count)


@contextlib.contextmanager
def _trusted_policy() -> Iterator[Path]:
    """The loaded description plus this client, trusted to erase without the DPO's review."""
    text = Path(settings.REKISTERI_POLICY).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="rekisteri-bench-") as tmp:
        policy = Path(tmp) / "policy.toml"
        policy.write_text(text + f"\n[api_clients.{CLIENT}]\nerasure_review = false\n", "utf-8")
        yield policy


@contextlib.contextmanager
def _worker() -> Iterator[None]:
    """`rekisteri worker`, as `scripts/serve` starts it beside the web server."""
    log = Path(settings.VAR_DIR) / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "rekisteri", "worker"], cwd=ROOT, stdout=out, stderr=out
        )
    try:
        time.sleep(2)  # its LISTEN is in place before the first request
        if worker.poll() is not None:
            _fail(f"rekisteri worker exited with {worker.returncode}; its log is {log}")
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _alternating(
    name: str, ours: list[dict[str, Any]], plain: list[int], port: int, secret: str, work: Any
) -> tuple[list[float], list[float]]:
    mine: list[float] = []
    theirs: list[float] = []
    for body, pid in zip(ours, plain, strict=True):
        mine.append(_filed_and_done(port, secret, body) * 1000)
        started = time.perf_counter()
        work(pid)
        theirs.append((time.perf_counter() - started) * 1000)
    print(f"bench: {name}: {len(mine)} requests per side", file=sys.stderr)
    return mine, theirs


def requests_end_to_end(*, seed: int, samples: int) -> list[Measure]:
    """Access and erasure requests over HTTP to done, beside plain SQL; ``samples`` per side."""
    if samples <= 0:
        return []
    rng = random.Random(seed + 21)
    people = _readable_with_email(4 * samples, rng)
    access, access_plain, erase, erase_plain = (
        people[i * samples : (i + 1) * samples] for i in range(4)
    )
    _, secret = api_key_create(
        actor=CLI, name=CLIENT, scopes=[Scope.REQUESTS_WRITE], purposes=[PURPOSE]
    )
    # gunicorn is up when it answers a read of someone no request will touch.
    _, reader = api_key_create(
        actor=CLI, name=f"{CLIENT}-probe", scopes=[Scope.PEOPLE_READ], purposes=[PURPOSE]
    )
    probe = f"/api/people/{access_plain[0][0]}?purpose={PURPOSE}"
    with _trusted_policy() as policy, contextlib.ExitStack() as up:
        os.environ["REKISTERI_POLICY"] = str(policy)
        up.callback(os.environ.pop, "REKISTERI_POLICY", None)
        port = up.enter_context(_served("requests", PRODUCTION_APP, WORKERS, probe, reader))
        up.enter_context(_worker())
        mine_a, plain_a = _alternating(
            "access",
            [{"person_id": pid, "kind": "access"} for pid, _ in access],
            [pid for pid, _ in access_plain],
            port,
            secret,
            _plain_access,
        )
        mine_e, plain_e = _alternating(
            "erasure",
            [{"email": address, "kind": "erasure"} for _, address in erase],
            [pid for pid, _ in erase_plain],
            port,
            secret,
            _plain_forget,
        )
    if m.Person.objects.living().filter(pk__in=[pid for pid, _ in erase]).exists():
        _fail("an erasure answered fulfilled but the person is still in the register")
    measures: list[Measure] = []
    for right, mine, theirs, fides in (
        ("access", mine_a, plain_a, FIDES_ACCESS_S),
        ("erasure", mine_e, plain_e, FIDES_ERASURE_S),
    ):
        target = f"p50 ≤ {fides * 1000 / 20:.0f} ms (Fides {fides:.2f} s / 20)"
        what = f"{right} request over HTTP to done, worker as served; baseline plain SQL"
        measures.append(Measure(f"{what} p50", "ms", _p(mine, 50), _p(theirs, 50), target))
        measures.append(Measure(f"{what} p99", "ms", _p(mine, 99), _p(theirs, 99), "—"))
    return measures
