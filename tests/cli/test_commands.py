"""The command line: clear messages, non-zero exits, nothing changed on bad input."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rekisteri.policy.models import NoticeVersion
from tests.conftest import MAINIOCO, rekisteri_command, rekisteri_env


def test_policy_check_accepts_mainiocos_policy(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("policy", "check", str(MAINIOCO))

    assert "ok — 12 purposes, 17 categories, 12 sources" in capsys.readouterr().out


def test_policy_check_names_the_problem_of_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(MAINIOCO.read_text().replace("2817330-9", "2817330-1"))

    with pytest.raises(CommandError, match=r"broken.toml:\d+: controller.business_id: "):
        call_command("policy", "check", str(broken))


@pytest.mark.django_db(transaction=True)
def test_setup_refuses_a_broken_policy_and_records_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(MAINIOCO.read_text().replace('after = "event_time"', 'after = "whenever"'))

    result = subprocess.run(
        rekisteri_command("setup"),
        env=rekisteri_env(REKISTERI_POLICY=str(broken)),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "retention.web_usage.after" in result.stderr
    assert "Traceback" not in result.stderr
    assert NoticeVersion.objects.count() == 0


def test_rekisteri_runs_djangos_commands_under_its_own_name() -> None:
    result = subprocess.run(
        rekisteri_command("help", "migrate"),
        env=rekisteri_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0
    assert "usage: rekisteri migrate" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_jobs_and_exits_in_batch_mode() -> None:
    result = subprocess.run(
        rekisteri_command("worker", "--batch"),
        env=rekisteri_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr


def test_commands_on_an_unprepared_database_say_to_run_setup(tmp_path: Path) -> None:
    result = subprocess.run(
        rekisteri_command("notice", "versions"),
        env=rekisteri_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            REKISTERI_VAR_DIR=str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "run `rekisteri setup` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_check_refuses_a_field_the_data_model_does_not_have(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    text = MAINIOCO.read_text().replace(
        '"person.job_title"]', '"person.job_title", "person.shoe_size"]'
    )
    broken.write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "person.shoe_size" in t)

    with pytest.raises(CommandError) as refused:
        call_command("policy", "check", str(broken))

    assert (
        f"broken.toml:{line}: categories: person.shoe_size: declared in the policy, "
        "but no such field exists"
    ) in str(refused.value)
