"""No company's keys in code: the policy says what a thing means, the code asks by meaning.

Every key of every shipped register description (purposes, categories, sources,
roles, consent scopes, recipients, retention rules) and the controller's name
are looked for as string literals in the code, templates and e-mails under
``src/``. A literal that merely spells the same word for another thing (a
model's table, a form field, a channel of the consent ledger) is allowed below,
by file and by how many times it occurs there, each with its reason; so one
more use of the word as a key in that file fails too.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from rekisteri.core.channels import MarketingChannel

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "rekisteri"
DESCRIPTIONS = sorted((REPO / "policies").glob("*.toml")) + sorted((REPO / "tests").rglob("*.toml"))
CHANNELS = tuple(MarketingChannel.values)

# (file under src/rekisteri, literal): (occurrences, why it is not a policy key).
ALLOWED: dict[tuple[str, str], tuple[int, str]] = {
    ("analytics/apps.py", "analytics"): (1, "the Django app's label"),
    ("analytics/segments.py", "customership"): (3, "the segment filter of that name"),
    ("console/templates/console/segments.html", "customership"): (
        2,
        "the segment filter of that name",
    ),
    ("api/people.py", "contact"): (1, "the event kind of the contact_event table"),
    ("api/people.py", "feedback"): (1, "the event kind of the feedback table"),
    ("api/people.py", "customership"): (1, "what the audit entry says was written"),
    ("register/selectors.py", "contact"): (2, "the event kind of the contact_event table"),
    ("register/selectors.py", "feedback"): (2, "the event kind of the feedback table"),
    ("register/selectors.py", "subject"): (1, "the service_case.subject column"),
    ("register/selectors.py", "demographics"): (1, "a section of the console's person page"),
    ("register/services/events.py", "subject"): (1, "the service_case.subject form field"),
    ("register/models.py", "other"): (2, "a value of the gender field and its label"),
    ("api/schemas.py", "other"): (1, "a value of the gender field"),
    ("core/channels.py", "customer_service"): (1, "a channel a request or a choice came by"),
    ("rights/fulfilment/objection.py", "customer_service"): (1, "the consent ledger's channel"),
    ("portal/cookies.py", "marketing"): (1, "a field of the banner's configuration"),
    # The demo page stands in for Mainioco's web site (not served in production);
    # it goes with the demo when the demo reads the policy.
    ("portal/templates/portal/cookie_demo.html", "analytics"): (2, "the demo site's cookies"),
    ("portal/templates/portal/cookie_demo.html", "marketing"): (1, "the demo site's cookies"),
    ("cli/management/commands/marketing.py", "subject"): (1, "the e-mail's subject"),
    ("consent/sending.py", "subject"): (1, "the e-mail's subject"),
    ("core/actors.py", "subject"): (1, "the actor kind of a data subject"),
    ("policy/schema.py", "subject"): (1, "the source kind of the data subject"),
    ("policy/diff.py", "cookies"): (3, "the policy's section of cookie categories"),
    ("policy/rules.py", "cookies"): (2, "the policy's section of cookie categories"),
    ("consent/cookies.py", "cookies"): (3, "the policy's section of cookie categories"),
    ("analytics/reports.py", "feedback"): (2, "the register's own name of its feedback report"),
    ("portal/my.py", "subject"): (1, "the prefix that keeps data subjects' lockouts apart"),
    # A CSS class of the pages, for the small print that says where a datum came from.
    ("console/templates/console/segments.html", "provenance"): (1, "a CSS class"),
    ("portal/templates/portal/my/choices.html", "provenance"): (1, "a CSS class"),
    ("portal/templates/portal/my/overview.html", "provenance"): (3, "a CSS class"),
    # The console's words for form fields, segment filters and the self-check's keys.
    ("console/errors.py", "customership"): (2, "the segment filter of that name"),
    ("console/views/segments.py", "customership"): (1, "the segment filter of that name"),
    ("console/views/home.py", "marketing"): (1, "the self-check's group of marketing findings"),
    ("console/words.py", "customership"): (1, "the segment filter of that name"),
    ("console/words.py", "organisation"): (3, "the organisation table and its column"),
    ("console/words.py", "other"): (2, "a value of the gender field"),
    ("console/words.py", "subject"): (2, "the service_case.subject column"),
    # The words for the data model's own fields and coded values.
    ("register/labels.py", "customer_service"): (1, "the consent ledger's channel"),
    ("register/labels.py", "organisation"): (2, "the organisation table and its column"),
    ("register/labels.py", "other"): (2, "a value of the gender field"),
    ("register/labels.py", "subject"): (2, "the service_case.subject column"),
    # Words Norrsken's description also uses as keys, here meaning something else.
    ("analytics/reports.py", "usage"): (2, "the register's own name of its usage report"),
    ("api/people.py", "usage"): (1, "the event kind of the usage_event table"),
    ("register/selectors.py", "usage"): (2, "the event kind of the usage_event table"),
    ("policy/diff.py", "security"): (1, "the policy's section of security measures"),
    ("policy/schema.py", "surveys"): (1, "the feature a purpose may serve (PurposeUse)"),
    ("portal/choices.py", "choices"): (1, "the portal's choices page"),
    ("portal/languages.py", "choices"): (1, "the portal's choices page"),
    ("register/models.py", "organisation"): (1, "the organisation_role.organisation column"),
    ("register/selectors.py", "organisation"): (1, "the organisation_role.organisation column"),
    ("register/selectors.py", "account"): (1, "a section of the console's person page"),
    ("retention/scrub.py", "organisation"): (2, "the placeholder for an organisation's name"),
    # The demo's plan names the columns it writes and the ledger's channel staff use.
    ("demo/rules.py", "organisation"): (1, "the organisation_role.organisation column"),
    ("demo/store.py", "organisation"): (1, "the organisation_role.organisation column"),
    ("demo/rules.py", "subject"): (1, "the service_case.subject column"),
    ("demo/rules.py", "customer_service"): (1, "the consent ledger's channel"),
    ("cli/management/commands/request.py", "verification"): (
        1,
        "the request's verification method",
    ),
}


def _keys_of(path: Path) -> dict[str, str]:
    """Each key of the description, with what it is."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    keys: dict[str, str] = {}
    for table in ("purposes", "categories", "sources", "roles", "recipients", "retention"):
        for key in raw.get(table, {}):
            keys.setdefault(key, table)
    for purpose, declared in raw.get("purposes", {}).items():
        if declared.get("direct_marketing"):
            for channel in CHANNELS:
                keys[f"{purpose}:{channel}"] = "consent scope"
    for recipient in raw.get("recipients", {}):
        keys[f"disclosure:{recipient}"] = "consent scope"
    return keys


def _policy_words() -> tuple[dict[str, str], list[str]]:
    keys: dict[str, str] = {}
    names: list[str] = []
    for path in DESCRIPTIONS:
        keys.update(_keys_of(path))
        names.append(tomllib.loads(path.read_text(encoding="utf-8"))["controller"]["name"])
    return keys, names


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _literals(path: Path) -> list[str]:
    """The string literals of a module (docstrings aside) or the quoted strings of a template."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return [a or b for a, b in re.findall(r'"([^"\n]*)"|\'([^\'\n]*)\'', text)]
    tree = ast.parse(text)
    skip = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def _scanned() -> list[Path]:
    return sorted(
        path
        for suffix in ("*.py", "*.html", "*.txt")
        for path in SRC.rglob(suffix)
        if "migrations" not in path.parts
    )


def _key_in(literal: str, keys: dict[str, str]) -> str | None:
    if literal in keys:
        return literal
    # The constant head of an f-string that builds a scope: f"marketing:{channel}".
    if literal.endswith(":") and literal[:-1] in keys:
        return literal[:-1]
    return None


def findings() -> list[str]:
    keys, names = _policy_words()
    found: list[str] = []
    for path in _scanned():
        where = path.relative_to(SRC).as_posix()
        text = path.read_text(encoding="utf-8")
        for name in names:
            # A model's docstring may name the service it describes; code and texts may not.
            in_code = [s for s in _literals(path) if name in s] if path.suffix == ".py" else []
            if (path.suffix != ".py" and name in text) or in_code:
                found.append(f"{where}: the controller's name {name!r}")
        counts = Counter(k for s in _literals(path) if (k := _key_in(s, keys)) is not None)
        for key, count in sorted(counts.items()):
            allowed, _why = ALLOWED.get((where, key), (0, ""))
            if count > allowed:
                found.append(f"{where}: {keys[key]} key {key!r} ({count} times, {allowed} allowed)")
    return found


def test_the_shipped_descriptions_are_scanned() -> None:
    keys, names = _policy_words()
    assert "Mainioco Oy" in names
    assert len(DESCRIPTIONS) >= 2
    assert keys["customer_service"] == "sources"


def test_no_key_of_any_shipped_description_is_written_into_the_code() -> None:
    assert findings() == []


def test_every_allowance_is_still_needed() -> None:
    """An allowance whose word is gone from its file would hide a key written there later."""
    keys, _names = _policy_words()
    stale = []
    for (where, key), (allowed, _why) in ALLOWED.items():
        path = SRC / where
        used = sum(1 for s in _literals(path) if _key_in(s, keys) == key) if path.exists() else 0
        if used != allowed:
            stale.append(f"{where}: {key!r} occurs {used} times, allowed {allowed}")
    assert stale == []


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        ('source = "customer_service"\n', True),
        ('scope = f"marketing:{channel}"\n', True),
        ('ROLE = "dpo"\n', True),
        ('subject = "a mail subject"\n', False),
        ('def f() -> None:\n    """Counted under "provenance"."""\n', False),
    ],
)
def test_the_scan_sees_a_key_written_as_a_literal(tmp_path: Path, code: str, flagged: bool) -> None:
    keys, _names = _policy_words()
    module = tmp_path / "module.py"
    module.write_text(code, encoding="utf-8")
    assert any(_key_in(s, keys) for s in _literals(module)) is flagged
