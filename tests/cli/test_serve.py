"""`rekisteri serve` runs a production server that answers over real HTTP."""

from __future__ import annotations

import contextlib
import html
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.utils.translation import gettext_lazy as _

from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record
from rekisteri.portal.languages import PAGE_PATHS
from tests import policy_keys as keys
from tests.conftest import rekisteri_command, rekisteri_env


def _get(url: str) -> tuple[int, dict[str, str], str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        return response.status, dict(response.headers), response.read().decode()


def test_served_register_answers_with_the_notice_in_every_language_over_http(
    served: str,
) -> None:
    version, _created = notice_version_record(loaded=policy_loaded())
    policy = keys.policy()

    for lang in policy.policy.languages:
        status, headers, page = _get(served + PAGE_PATHS["notice"][lang])

        assert status == 200
        assert "gunicorn" in headers.get("Server", "")
        assert headers["X-Content-Type-Options"] == "nosniff"
        title = f"{keys.words(_('Privacy notice'), lang)}: {policy.register_name(lang)}"
        assert f"<title>{html.escape(title)}</title>" in page
        assert f"{keys.words(_('version'), lang)} {version.number}" in page


def test_served_register_answers_unknown_paths_with_404(served: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        _get(f"{served}/admin/")

    assert refused.value.code == 404


def test_the_access_log_keeps_no_query_string_and_no_forged_lines(
    served: str, tmp_path: Path
) -> None:
    for path in ("/oma/linkki?t=secret-token", "/x%0d%0a127.0.0.1%20FAKE%20LINE"):
        with contextlib.suppress(urllib.error.HTTPError):
            _get(served + path)

    # gunicorn writes the line after the answer is sent: wait for the second one.
    log = ""
    deadline = time.monotonic() + 10
    while log.count("\n") < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
        log = (tmp_path / "access.log").read_text()
    assert "secret-token" not in log
    assert not any(line.startswith("127.0.0.1 FAKE") for line in log.splitlines())
    assert "\\x0d\\x0a127.0.0.1 FAKE LINE" in log


@pytest.mark.django_db(transaction=True)
def test_serve_refuses_a_port_out_of_range() -> None:
    result = subprocess.run(
        rekisteri_command("serve", "--port", "70000"),
        env=rekisteri_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "--port must be between 1 and 65535" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_serve_refuses_to_start_before_setup() -> None:
    result = subprocess.run(
        rekisteri_command("serve", "--port", "8999"),
        env=rekisteri_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "run `rekisteri setup` first" in result.stderr


def test_a_bad_port_variable_is_a_message_not_a_traceback() -> None:
    result = subprocess.run(
        rekisteri_command("serve"),
        env=rekisteri_env(REKISTERI_PORT="abc"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "invalid int value: 'abc'" in result.stderr
    assert "Traceback" not in result.stderr
