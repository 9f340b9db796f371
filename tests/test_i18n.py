"""Finnish is complete, and the compiled catalogue matches its source."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "rekisteri" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_there_is_a_finnish_catalogue() -> None:
    assert [p.parts[-3] for p in CATALOGUES] == ["fi"]


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
