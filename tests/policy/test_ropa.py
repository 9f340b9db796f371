"""The record of processing activities (Art. 30) comes from the same policy."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from rekisteri.policy.ropa import COLUMNS
from tests import policy_keys as keys


def _export(fmt: str, lang: str, capsys: pytest.CaptureFixture[str]) -> str:
    call_command("ropa", "--format", fmt, "--lang", lang)
    return capsys.readouterr().out


def test_csv_has_one_activity_per_purpose_with_every_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    policy, lang = keys.policy(), keys.language()
    rows = list(csv.DictReader(io.StringIO(_export("csv", lang, capsys))))

    assert len(rows) == len(policy.purposes)
    assert tuple(rows[0]) == COLUMNS
    purpose = policy.purposes[keys.marketing_purpose()]
    marketing = next(r for r in rows if r["purpose"].startswith(purpose.name(lang)))
    assert policy.categories[keys.contact_category()].name(lang) in marketing["data_categories"]
    assert marketing["retention"]
    controller = policy.controller
    assert marketing["controller"] == f"{controller.name} ({controller.business_id})"


@pytest.mark.mainioco  # Mainioco's own notice, in its words
def test_json_names_the_legal_hold_of_accounting(capsys: pytest.CaptureFixture[str]) -> None:
    record = json.loads(_export("json", "en", capsys))

    accounting = next(
        a for a in record["activities"] if a["purpose"].startswith("meeting the obligations")
    )
    assert accounting["legal_basis"].startswith("legal obligation")
    assert any("Accounting Act (1336/1997)" in line for line in accounting["retention"])
    assert "customers" in accounting["data_subjects"]
    assert any("standard contractual clauses" in t for t in accounting["transfers"])
