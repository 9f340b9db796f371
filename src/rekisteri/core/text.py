"""What no database can store in a text column."""

from __future__ import annotations

import re

# NUL (PostgreSQL refuses it in text) and lone surrogates (not encodable as
# UTF-8); JSON escapes and percent-encoded forms can carry both.
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def storable(text: str) -> bool:
    """Whether every database the register runs on can store the text."""
    return UNSTORABLE.search(text) is None
