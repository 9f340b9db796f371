"""Register descriptions that do not collect some fields: Norrsken Analys AB's, and
Mainioco's without phone numbers, so that only what is not collected differs."""

from __future__ import annotations

from pathlib import Path

from tests.countries import MAINIOCO

NORRSKEN = MAINIOCO.parent / "norrsken.toml"


def without_phones(directory: Path) -> Path:
    """Write Mainioco's description with phone numbers declared not collected."""
    text = MAINIOCO.read_text(encoding="utf-8")
    collected = '"phone_number.number", '
    assert collected in text
    text = 'not_collected = ["phone_number.number"]\n' + text.replace(collected, "", 1)
    path = directory / "no-phones.toml"
    path.write_text(text, encoding="utf-8")
    return path
