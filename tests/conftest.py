"""Fixtures every test may use: the policy text, a served register, a browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse the database calls a browser test makes beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parent.parent
MAINIOCO = REPO / "policies" / "mainioco.toml"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out, deselected and not skipped, what this run cannot hold:

    - PostgreSQL-only tests on SQLite (`.ci/run` runs the suite again on PostgreSQL);
    - tests of Mainioco's own words under another register description
      (`.ci/run` runs the suite under Mainioco's too).
    """
    from tests.policy_keys import is_mainioco

    left_out: set[str] = set()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        left_out.add("postgresql")
    if not is_mainioco():
        left_out.add("mainioco")
    kept = [i for i in items if not any(i.get_closest_marker(m) for m in left_out)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def erasure_ledger(settings: Any, tmp_path: Path) -> Path:
    """Each test writes its own erasure ledger and seal file; the real ones live in var/."""
    path = tmp_path / "erasure-ledger.jsonl"
    settings.REKISTERI_ERASURE_LEDGER = path
    settings.REKISTERI_AUDIT_SEAL_FILE = tmp_path / "audit-seals.log"
    return path


@pytest.fixture
def in_finland(settings: Any, tmp_path: Path) -> Path:
    """A Finnish controller, whichever description is loaded: for tests of what
    Finland decides (holidays, identity codes, phone numbers, postal codes)."""
    from tests.countries import FINNISH, policy_file

    settings.REKISTERI_POLICY = policy_file(tmp_path, FINNISH, name="finnish")
    return Path(settings.REKISTERI_POLICY)


@pytest.fixture(scope="session")
def mainioco_text() -> str:
    return MAINIOCO.read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url_of_test_db() -> str:
    """The URL of the database this test run uses, for processes the test starts."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def rekisteri_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKISTERI_")}
    env["DATABASE_URL"] = database_url_of_test_db()
    # A replica's URL names the real database, not this run's test database.
    env.pop("DATABASE_REPLICA_URL", None)
    env["REKISTERI_VAR_DIR"] = str(settings.VAR_DIR)
    env["REKISTERI_POLICY"] = str(settings.REKISTERI_POLICY)
    env["REKISTERI_ERASURE_LEDGER"] = str(settings.REKISTERI_ERASURE_LEDGER)
    env["REKISTERI_AUDIT_SEAL_FILE"] = str(settings.REKISTERI_AUDIT_SEAL_FILE)
    env.update(extra)
    return env


def rekisteri_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "rekisteri", *args]


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} in {timeout} s")


@pytest.fixture
def served(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """The register served by `rekisteri serve` (gunicorn) on the test database.

    Its access log is written to ``tmp_path / "access.log"``.
    """
    from rekisteri.policy.selectors import policy_loaded
    from rekisteri.policy.services import notice_version_record

    notice_version_record(loaded=policy_loaded())  # what `rekisteri setup` does
    port = free_port()
    access_log = (tmp_path / "access.log").open("wb")
    process = subprocess.Popen(
        rekisteri_command("serve", "--port", str(port), "--workers", "2"),
        env=rekisteri_env(),
        stdout=access_log,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        access_log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, driven by Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the README's test command installs it")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# Staff fixtures for tests outside tests/console (the authorisation matrix).
from tests.console.conftest import enrolled  # noqa: E402

__all__ = ["enrolled"]


class SmtpInbox:
    """Messages a real local SMTP server (aiosmtpd) received, parsed."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.messages: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in m["To"]]

    def body(self, message: Any) -> str:
        return str(message.get_body(preferencelist=("plain",)).get_content())


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server on loopback; the register's mail goes to it."""
    import logging

    from aiosmtpd.controller import Controller

    # The test server logs every recipient address; keep addresses out of logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = SmtpInbox("127.0.0.1", free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = inbox.host
    settings.EMAIL_PORT = inbox.port
    try:
        yield inbox
    finally:
        controller.stop()
