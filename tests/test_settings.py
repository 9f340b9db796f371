"""Settings come from the environment; production refuses to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

START_DJANGO = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
)


def _start(env_overrides: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKISTERI_")}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "rekisteri.settings", "REKISTERI_VAR_DIR": str(tmp_path)})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", START_DJANGO], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _start({"REKISTERI_PRODUCTION": "true"}, tmp_path)

    assert result.returncode != 0
    assert "REKISTERI_SECRET_KEY is required in production mode" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    result = _start({"REKISTERI_PRODUCTION": "true", "REKISTERI_SECRET_KEY": "k" * 64}, tmp_path)

    assert result.returncode != 0
    assert "REKISTERI_ALLOWED_HOSTS is required in production mode" in result.stderr


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = _start({}, tmp_path)
    key = (tmp_path / "secret_key").read_text()
    second = _start({}, tmp_path)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert len(key) >= 50
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_debug_is_off_unless_asked_for(tmp_path: Path) -> None:
    assert _start({}, tmp_path).stdout.strip() == "False"


def test_a_nonsense_boolean_is_refused_by_name(tmp_path: Path) -> None:
    result = _start({"REKISTERI_DEBUG": "maybe"}, tmp_path)

    assert result.returncode != 0
    assert "REKISTERI_DEBUG must be true or false" in result.stderr


def test_the_command_line_reports_configuration_mistakes_without_a_traceback(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKISTERI_")}
    env.update({"REKISTERI_PRODUCTION": "true", "REKISTERI_VAR_DIR": str(tmp_path)})

    result = subprocess.run(
        [sys.executable, "-m", "rekisteri", "setup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "rekisteri: configuration: REKISTERI_SECRET_KEY is required in production mode "
        "(REKISTERI_PRODUCTION=true)"
    )


LANGUAGES_OF_DJANGO = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.LANGUAGE_CODE, [code for code, _ in settings.LANGUAGES])"
)


def _languages(policy: Path, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REKISTERI_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "rekisteri.settings",
            "REKISTERI_VAR_DIR": str(tmp_path),
            "REKISTERI_POLICY": str(policy),
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", LANGUAGES_OF_DJANGO],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_django_speaks_the_languages_of_the_policy_its_default_first(tmp_path: Path) -> None:
    policies = Path(__file__).resolve().parent.parent / "policies"

    assert _languages(policies / "mainioco.toml", tmp_path) == "fi ['fi', 'en']"
    assert _languages(policies / "norrsken.toml", tmp_path) == "sv ['sv', 'en']"


def test_an_unreadable_policy_leaves_the_languages_to_the_loader_to_refuse(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[policy\nlanguages = ", encoding="utf-8")

    assert _languages(broken, tmp_path) == "fi ['fi', 'en']"
    assert _languages(tmp_path / "missing.toml", tmp_path) == "fi ['fi', 'en']"
