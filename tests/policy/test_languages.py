"""The languages a register offers come from its policy, and each must be complete."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest

from rekisteri.policy import loader
from rekisteri.policy.loader import PolicyError, load_policy, parse_policy

REPO = Path(__file__).resolve().parent.parent.parent
NORRSKEN = REPO / "policies" / "norrsken.toml"
LOCALE = REPO / "src" / "rekisteri" / "locale"


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.fixture(scope="module")
def norrsken_text() -> str:
    return NORRSKEN.read_text(encoding="utf-8")


def test_the_swedish_description_offers_swedish_first_and_english() -> None:
    policy = load_policy(NORRSKEN).policy

    assert policy.policy.languages == ("sv", "en")
    assert policy.register_name("sv") == "Norrsken Analys AB:s kundregister"
    assert policy.controller.postal_code == "114 55"
    assert policy.supervisory_authority.email == "imy@imy.se"
    assert policy.retention["accounting_records"].total_months == 7 * 12


def test_a_text_without_one_of_the_policys_languages_is_refused_naming_its_line(
    norrsken_text: str,
) -> None:
    swedish_name = 'sv = "Norrsken Analys AB:s kundregister"\n'
    broken = norrsken_text.replace(swedish_name, "", 1)

    with pytest.raises(PolicyError) as refused:
        parse_policy(broken, source="broken.toml")

    line = _line_of(broken, "[register_name]")
    assert (
        f"broken.toml:{line}: register_name: the text must be given in every language the "
        "register offers ([policy] languages); missing: sv"
    ) in refused.value.message


def test_offering_swedish_asks_every_text_in_swedish(mainioco_text: str) -> None:
    swedish_too = mainioco_text.replace(
        'languages = ["fi", "en"]', 'languages = ["fi", "sv", "en"]'
    )

    with pytest.raises(PolicyError) as refused:
        parse_policy(swedish_too, source="mainioco.toml")

    line = _line_of(swedish_too, "[purposes.marketing]") + 1
    assert f"mainioco.toml:{line}: purposes.marketing.name: " in refused.value.message
    assert "missing: sv" in refused.value.message


def test_a_language_named_twice_is_refused(norrsken_text: str) -> None:
    twice = norrsken_text.replace('languages = ["sv", "en"]', 'languages = ["sv", "en", "sv"]')

    with pytest.raises(PolicyError) as refused:
        parse_policy(twice, source="twice.toml")

    assert "policy.languages[2]: the language 'sv' is named twice" in refused.value.message


def test_an_unsupported_language_is_refused(norrsken_text: str) -> None:
    german = norrsken_text.replace('languages = ["sv", "en"]', 'languages = ["de", "en"]')

    with pytest.raises(PolicyError) as refused:
        parse_policy(german, source="german.toml")

    line = _line_of(german, "languages = ")
    assert f"german.toml:{line}: policy.languages[0]: " in refused.value.message


def test_declaring_the_default_languages_keeps_mainiocos_recorded_versions(
    mainioco_text: str,
) -> None:
    undeclared = mainioco_text.replace('languages = ["fi", "en"]\n', "", 1)

    assert parse_policy(undeclared).content_hash == parse_policy(mainioco_text).content_hash


def _locale_with(tmp_path: Path, swedish_entries: int | None) -> Path:
    """A copy of the Finnish catalogue, and a Swedish one cut to this many messages."""
    fi = tmp_path / "fi" / "LC_MESSAGES"
    fi.mkdir(parents=True)
    shutil.copy(LOCALE / "fi" / "LC_MESSAGES" / "django.mo", fi / "django.mo")
    if swedish_entries is not None:
        sv = tmp_path / "sv" / "LC_MESSAGES"
        sv.mkdir(parents=True)
        full = polib.pofile(str(LOCALE / "sv" / "LC_MESSAGES" / "django.po"))
        cut = polib.POFile()
        cut.metadata = full.metadata
        cut.extend(list(full)[:swedish_entries])
        cut.save_as_mofile(str(sv / "django.mo"))
    return tmp_path


def test_a_language_without_a_catalogue_fails_the_check(
    norrsken_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "LOCALE_DIR", _locale_with(tmp_path, swedish_entries=None))

    with pytest.raises(PolicyError) as refused:
        parse_policy(norrsken_text, source="norrsken.toml")

    line = _line_of(norrsken_text, "languages = ")
    assert (
        f"norrsken.toml:{line}: policy.languages[0]: there is no translation catalogue for 'sv'"
    ) in refused.value.message


def test_a_language_whose_catalogue_is_incomplete_fails_the_check(
    norrsken_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "LOCALE_DIR", _locale_with(tmp_path, swedish_entries=10))

    with pytest.raises(PolicyError) as refused:
        parse_policy(norrsken_text, source="norrsken.toml")

    assert "the translation catalogue for 'sv' lacks " in refused.value.message


def test_english_needs_no_catalogue(
    norrsken_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "LOCALE_DIR", _locale_with(tmp_path, swedish_entries=None))
    english_only = norrsken_text.replace('languages = ["sv", "en"]', 'languages = ["en"]')

    assert parse_policy(english_only).policy.policy.languages == ("en",)
