"""One gate: no module outside the register app queries the register's personal tables.

Every read of personal data for a purpose enters through ``rekisteri.register.gate``;
this test reads the source of every other module and fails on a query of a
personal table (``Model.objects``, ``Model._default_manager``, the table's name
for raw SQL, ``apps.get_model`` on the register). The few modules that must touch
personal rows for another reason than a read for a purpose are listed below, each
with its reason; a listed module that no longer does is a failure too, so the list
stays honest.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import rekisteri
from rekisteri.register.catalogue import personal_data_models

pytestmark = pytest.mark.django_db

SOURCE = Path(rekisteri.__file__).parent
REGISTER = "rekisteri.register"
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager", "_meta"})

# Module -> why it touches personal rows outside the gate. Writes, erasure and a
# person's own rights; never a read of people for a purpose.
NOT_READS_FOR_A_PURPOSE: dict[str, str] = {
    "rekisteri.retention.erasure": "erases and anonymises a forgotten person's rows (Art. 17)",
    "rekisteri.retention.identifiers": "a forgotten person's identifiers, to scrub and suppress",
    "rekisteri.retention.sweep": "finds whose retention ran out and erases them (notice §6)",
    "rekisteri.retention.replay": "erases again, after a restore, whom the ledger says it erased",
    "rekisteri.retention.outlook": "dates when a person's data will be erased, for that person",
    "rekisteri.demo.store": "writes a made-up register",
    "rekisteri.demo.management.commands.demo": "writes the demo only into an empty register",
    "rekisteri.consent.services": "records marketing deliveries, the rules (gate) deciding whom",
    "rekisteri.consent.sending": "takes back the deliveries of messages that failed to leave",
    "rekisteri.consent.selectors": "counts deliveries despite an objection or a restriction",
    "rekisteri.rights.requests": "whether the subject of a request filed for them still exists",
    "rekisteri.rights.decisions": "whether the subject of a request being decided still exists",
    "rekisteri.rights.fulfilment.deletion": "ends the subject's own customership at their request",
    "rekisteri.rights.subjects": "finds and verifies the data subject by their own identifiers",
    "rekisteri.rights.selectors": "whether the subject's own portal session still stands",
    "rekisteri.rights.notify": "the subject's own verified address, to answer their request",
    "rekisteri.rights.announcements": "verified addresses, to tell everyone the notice changed",
}


def _personal_models() -> dict[str, str]:
    """The register's personal models, by class name, with their tables."""
    return {
        model.__name__: model._meta.db_table
        for model in personal_data_models()
        if model._meta.app_label == "register"
    }


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def queries_of_personal_tables(source: str, models: dict[str, str]) -> list[str]:
    """Where ``source`` queries a personal table of the register, as "line: what"."""
    tree = ast.parse(source)
    modules: set[str] = set()  # names bound to rekisteri.register.models
    classes: dict[str, str] = {}  # name -> the personal model it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == REGISTER:
            modules |= {a.asname or a.name for a in node.names if a.name == "models"}
        elif isinstance(node, ast.ImportFrom) and node.module == f"{REGISTER}.models":
            classes |= {a.asname or a.name: a.name for a in node.names if a.name in models}
        elif isinstance(node, ast.Import):
            modules |= {a.asname for a in node.names if a.name == f"{REGISTER}.models" and a.asname}
    tables = re.compile(r"\b(" + "|".join(map(re.escape, models.values())) + r")\b")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            owner = node.value
            model = None
            if isinstance(owner, ast.Name):
                model = classes.get(owner.id)
            elif (
                isinstance(owner, ast.Attribute)
                and isinstance(owner.value, ast.Name)
                and owner.value.id in modules
                and owner.attr in models
            ):
                model = owner.attr
            if model:
                found.append(f"{node.lineno}: {model}.{node.attr}")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
            if any(isinstance(a, ast.Constant) and a.value == "register" for a in node.args):
                found.append(f"{node.lineno}: apps.get_model('register', ...)")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and tables.search(node.value)
        ):
            found.append(f"{node.lineno}: SQL naming a personal table")
    return found


def _outside_the_register() -> dict[str, list[str]]:
    models = _personal_models()
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        name = _module_name(path)
        if name == REGISTER or name.startswith(f"{REGISTER}.") or ".migrations." in name:
            continue
        queries = queries_of_personal_tables(path.read_text(encoding="utf-8"), models)
        if queries:
            found[name] = queries
    return found


def test_no_module_outside_the_register_queries_a_personal_table_but_the_listed_ones() -> None:
    found = _outside_the_register()

    unlisted = {name: where for name, where in found.items() if name not in NOT_READS_FOR_A_PURPOSE}
    assert unlisted == {}, "read personal data through rekisteri.register.gate"
    # A module that no longer touches personal rows leaves the list.
    assert sorted(NOT_READS_FOR_A_PURPOSE) == sorted(found)


def test_the_readers_of_people_for_a_purpose_are_not_on_the_list() -> None:
    readers = {
        "rekisteri.consent.marketing.rules",  # who is in an audience
        "rekisteri.consent.marketing.audiences",
        "rekisteri.analytics.surveys",
        "rekisteri.analytics.reports",
        "rekisteri.analytics.segments",
        "rekisteri.rights.packages",  # exports, through the register's own rendering
    }

    assert readers.isdisjoint(NOT_READS_FOR_A_PURPOSE)
    assert {name for name in readers if name in _outside_the_register()} == set()


@pytest.mark.parametrize(
    "source",
    [
        "from rekisteri.register import models as m\nm.Person.objects.filter(pk=1)",
        "from rekisteri.register.models import EmailAddress as E\nE._default_manager.all()",
        "import rekisteri.register.models as rm\nrm.Customership.objects.count()",
        "from django.apps import apps\napps.get_model('register', 'Person')",
        "SQL = 'SELECT id FROM {table}'",
    ],
)
def test_each_way_of_querying_a_personal_table_is_seen(source: str) -> None:
    models = _personal_models()

    found = queries_of_personal_tables(source.format(table=models["Person"]), models)

    assert found, source


def test_a_model_passed_to_the_gate_is_no_query() -> None:
    source = (
        "from rekisteri.register import models as m\n"
        "def report(read):\n    return read.rows(m.Customership).count()\n"
    )

    assert queries_of_personal_tables(source, _personal_models()) == []
