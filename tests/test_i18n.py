"""Finnish and Swedish are complete, and the compiled catalogues match their sources."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "rekisteri" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_there_are_finnish_and_swedish_catalogues() -> None:
    assert [p.parts[-3] for p in CATALOGUES] == ["fi", "sv"]


def test_every_finnish_message_has_a_swedish_translation() -> None:
    finnish = polib.pofile(str(LOCALE / "fi" / "LC_MESSAGES" / "django.po"))
    swedish = {e.msgid: e for e in polib.pofile(str(LOCALE / "sv" / "LC_MESSAGES" / "django.po"))}

    def translated(entry: polib.POEntry | None) -> bool:
        if entry is None:
            return False
        if entry.msgid_plural:
            return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
        return bool(entry.msgstr.strip())

    assert [e.msgid for e in finnish if not translated(swedish.get(e.msgid))] == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_message_is_translated(po_path: Path) -> None:
    po = polib.pofile(str(po_path))

    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_compiled_catalogue_is_up_to_date(po_path: Path) -> None:
    source = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in polib.pofile(str(po_path))}
    compiled = {
        (e.msgid, e.msgstr or str(e.msgstr_plural))
        for e in polib.mofile(str(po_path.with_suffix(".mo")))
        if e.msgid
    }

    assert compiled == source, "run scripts/messages --compile-only"


SRC = LOCALE.parent
FINNISH_EMAILS = sorted(SRC.glob("*/templates/*/email/*_fi.txt"))


def test_there_are_emails_written_per_language() -> None:
    assert len(FINNISH_EMAILS) >= 10


@pytest.mark.parametrize("finnish", FINNISH_EMAILS, ids=lambda p: p.name)
def test_every_email_is_written_in_swedish_too_with_the_same_placeholders(finnish: Path) -> None:
    swedish = finnish.with_name(finnish.name.replace("_fi.txt", "_sv.txt"))

    def placeholders(path: Path) -> set[str]:
        return set(re.findall(r"\{\{\s*([\w.]+)", path.read_text(encoding="utf-8")))

    assert swedish.exists()
    assert placeholders(swedish) == placeholders(finnish)
