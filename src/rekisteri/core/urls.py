"""URL pieces every door shares."""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    """A database id: digits that fit a 64-bit integer column.

    Django's ``int`` takes any length of digits, and a number past the column's
    range makes the database driver fail (a 500); such a path is simply not found.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
