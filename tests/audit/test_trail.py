"""What the audit trail records: who, when, whose, which categories, why, from where."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.audit.selectors import audit_verify
from rekisteri.core.identity import register_identity
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api
from tests.conftest import rekisteri_command, rekisteri_env

pytestmark = pytest.mark.django_db


def test_an_api_read_records_whose_data_which_categories_and_why(api: Api) -> None:
    person_id = api.call("post", "/people", AINO).json()["id"]

    purpose = keys.relationship_purpose()
    unread = [k for k, c in keys.policy().categories.items() if purpose not in c.purposes]
    api.call("get", f"/people/{person_id}?purpose={purpose}")

    read = AuditEntry.objects.get(event=AuditEvent.PERSON_READ)
    assert read.person_id == person_id
    assert read.purpose == purpose
    assert keys.contact_category() in read.categories
    assert unread
    assert not set(unread) & set(read.categories)
    assert read.actor_kind == "api_key"
    assert read.origin == "api 127.0.0.1"


def test_writes_record_the_person_and_the_row_but_no_values(api: Api) -> None:
    person_id = api.call("post", "/people", AINO).json()["id"]
    api.call(
        "post",
        f"/people/{person_id}/events/feedback",
        {"source": keys.subject_source(), "text": "Aino ei tykännyt", "rating": 2},
    )

    created = AuditEntry.objects.get(event=AuditEvent.PERSON_CREATED)
    changed = AuditEntry.objects.get(event=AuditEvent.PERSON_CHANGED)
    assert created.person_id == changed.person_id == person_id
    assert changed.data["table"] == "feedback"
    assert changed.categories == [keys.category_of("feedback.text")]


def test_a_refused_request_leaves_no_entry(api: Api) -> None:
    api.call("post", "/people", {**AINO, "email": "not-an-email"})

    assert (
        AuditEntry.objects.count()
        == AuditEntry.objects.filter(event=AuditEvent.PERMISSION_CHANGED).count()
    )


def test_no_entry_holds_personal_data(api: Api) -> None:
    person_id = api.call("post", "/people", AINO).json()["id"]
    api.call("get", f"/people/{person_id}?purpose={keys.relationship_purpose()}")
    api.call(
        "patch",
        f"/people/{person_id}/contact?purpose={keys.relationship_purpose()}",
        {"source": keys.subject_source(), "phone": "0507654321"},
    )
    api.call(
        "post", "/people/lookup", {"email": AINO["email"], "purpose": keys.marketing_purpose()}
    )

    trail = json.dumps(list(AuditEntry.objects.values()), default=str).lower()

    for datum in ("aino", "virtanen", "example.fi", "4567", "7654321", "kauppakatu", "jyväskylä"):
        assert datum not in trail


def test_an_import_records_each_imported_person(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("first_name,last_name\nAino,V\nEero,K\n", encoding="utf-8")

    call_command("import", "people", str(path), "--source", "subject")

    imported = AuditEntry.objects.filter(event=AuditEvent.PEOPLE_IMPORTED)
    assert imported.count() == 2
    assert {e.origin for e in imported} == {"cli"}
    assert all(e.person_id for e in imported)


def test_making_and_revoking_a_key_are_permission_changes() -> None:
    marketing = keys.marketing_purpose()
    call_command("apikey", "create", "web", "--scope", "people:read", "--purpose", marketing)
    call_command("apikey", "revoke", "web")

    changes = list(AuditEntry.objects.filter(event=AuditEvent.PERMISSION_CHANGED).order_by("id"))
    assert [c.data.get("revoked", False) for c in changes] == [False, True]
    assert changes[0].data["granted"] == {"scopes": ["people:read"], "purposes": [marketing]}


@pytest.mark.django_db(transaction=True)
def test_the_worker_seals_what_was_written(api: Api, tmp_path: Path, settings: object) -> None:
    seal_file = tmp_path / "seals.log"
    settings.REKISTERI_AUDIT_SEAL_FILE = seal_file  # type: ignore[attr-defined]
    api.call("post", "/people", AINO)

    result = subprocess.run(
        rekisteri_command("worker", "--batch"),
        env=rekisteri_env(REKISTERI_AUDIT_SEAL_FILE=str(seal_file)),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in seal_file.read_text().splitlines()]
    sealed = [line for line in lines if line["kind"] == "seal"]
    assert [(line["number"], line["register"]) for line in sealed] == [(1, register_identity())]
    assert audit_verify() == []
