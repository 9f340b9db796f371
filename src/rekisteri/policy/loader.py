"""Read a register description from TOML, refusing any that contradicts itself.

Every problem is reported as ``file:line: key.path: what is wrong``; the line is
found by a small scan of the TOML text, since the standard parser keeps none.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rekisteri.core.errors import PolicyRefusal
from rekisteri.policy.rules import Problem, check_policy
from rekisteri.policy.schema import Language, Policy


class PolicyCode(StrEnum):
    UNREADABLE = "policy_unreadable"
    INVALID = "policy_invalid"


@dataclass(frozen=True)
class LocatedProblem:
    path: str
    line: int | None
    message: str

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class PolicyError(PolicyRefusal):
    """The register description cannot be loaded; every problem is listed."""

    def __init__(self, source: str, problems: Sequence[LocatedProblem], code: PolicyCode) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [problem.render(source) for problem in self.problems]
        super().__init__(
            f"the register description {source} is refused:\n  " + "\n  ".join(lines),
            code=code,
            data={"problems": [p.__dict__ for p in self.problems]},
        )


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    source: str
    # Canonical JSON of the parsed content: what a notice version stores and hashes.
    canonical: dict[str, Any]
    content_hash: str


NOT_IN_NOTICE: dict[str, Any] = {
    "api_clients": True,
    "portal": True,
    "purposes": {"__all__": {"serves"}},
    "sources": {"__all__": {"records"}},
    "roles": {"__all__": {"handles_requests"}},
}


def load_policy(path: Path | str) -> LoadedPolicy:
    """Load and check the policy file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(
            str(file), [LocatedProblem("", None, f"cannot read: {exc}")], PolicyCode.UNREADABLE
        ) from None
    return parse_policy(text, source=str(file))


def parse_policy(text: str, *, source: str = "<policy>") -> LoadedPolicy:
    """Parse and check the text of a policy."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line_match = re.search(r"line (\d+)", str(exc))
        line = int(line_match.group(1)) if line_match else None
        raise PolicyError(
            source, [LocatedProblem("", line, f"not valid TOML: {exc}")], PolicyCode.INVALID
        ) from None
    lines = _key_lines(text)
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        problems = [
            _locate(tuple(error["loc"]), _pydantic_message(error), lines) for error in exc.errors()
        ]
        raise PolicyError(source, problems, PolicyCode.INVALID) from None
    found: list[Problem] = [*check_policy(policy), *catalogue_problems(policy.policy.languages)]
    if found:
        raise PolicyError(
            source, [_locate(p.path, p.message, lines) for p in found], PolicyCode.INVALID
        )
    # How the register treats its integrating systems, the words of the portal and what
    # the code asks the policy a thing means (features, records, request handling) are
    # no part of the notice: a change there makes no new notice version. Nor are the
    # controller's optional region and zone while unset, nor an empty list of what is
    # not collected, so that a description written before they existed keeps its version.
    unset = {key for key in ("subdivision", "time_zone") if getattr(policy.controller, key) is None}
    excluded: dict[str, Any] = {**NOT_IN_NOTICE, "controller": unset}
    if not policy.not_collected:
        excluded["not_collected"] = True
    canonical = json.loads(policy.model_dump_json(exclude=excluded))
    digest = hashlib.sha256(
        json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return LoadedPolicy(policy=policy, source=source, canonical=canonical, content_hash=digest)


# The translation catalogues of the pages, messages and packages (Django's locale dir).
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogue_problems(languages: Sequence[Language]) -> list[Problem]:
    """Name each offered language whose translation catalogue is missing or incomplete.

    Source strings are English; every other language needs a compiled catalogue
    that translates every message any catalogue knows.
    """
    catalogues = {
        mo.parent.parent.name: _translated(mo, mo.stat().st_mtime_ns)
        for mo in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.mo"))
    }
    every_msgid = set().union(*catalogues.values()) if catalogues else set()
    problems: list[Problem] = []
    for i, lang in enumerate(languages):
        if lang == "en":
            continue
        if lang not in catalogues:
            problems.append(
                Problem(
                    ("policy", "languages", i), f"there is no translation catalogue for {lang!r}"
                )
            )
            continue
        missing = len(every_msgid - catalogues[lang])
        if missing:
            problems.append(
                Problem(
                    ("policy", "languages", i),
                    f"the translation catalogue for {lang!r} lacks {missing} of "
                    f"{len(every_msgid)} messages",
                )
            )
    return problems


@functools.lru_cache(maxsize=16)
def _translated(mo: Path, mtime_ns: int) -> frozenset[str]:
    """The messages a compiled catalogue translates (mtime: a recompiled file is read anew)."""
    with mo.open("rb") as handle:
        catalog: dict[str | tuple[str, int], str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return frozenset(
        key if isinstance(key, str) else str(key[0])
        for key, text in catalog.items()
        if key != "" and text
    )


def _pydantic_message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "required key is missing"
    return str(error["msg"])


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _locate(
    path: Sequence[str | int], message: str, lines: dict[tuple[str | int, ...], int]
) -> LocatedProblem:
    # pydantic marks a bad mapping key with a "[key]" step; the key itself is the place.
    path = tuple(part for part in path if part != "[key]")
    # The nearest enclosing key that the scan saw carries the line.
    for end in range(len(path), 0, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return LocatedProblem(_dotted(path), line, message)
    return LocatedProblem(_dotted(path), None, message)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", dotted)
    return [part.strip("\"'") for part in parts]


def _key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Map each key path the TOML text defines to its line number (1-based)."""
    found: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    array_counts: dict[tuple[str | int, ...], int] = {}
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(line)
        if header:
            path: tuple[str | int, ...] = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                index = array_counts.get(path, 0)
                array_counts[path] = index + 1
                path = (*path, index)
            table = path
            # A header also opens its parent tables implicitly.
            for end in range(1, len(table) + 1):
                found.setdefault(table[:end], number)
            continue
        key = _KEY.match(line)
        if key:
            found.setdefault((*table, *_split_key(key.group(1))), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote
    return found
