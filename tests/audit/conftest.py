"""What the audit tests share: a clerk, a sealed trail, the seal file, the owner's hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record, audit_seal
from rekisteri.core.actors import Actor, ActorKind
from tests import policy_keys as keys

# The API's client fixtures, for tests that check what API calls leave in the trail.
from tests.api.conftest import api, make_key

__all__ = ["CLERK", "api", "make_key", "owner_sql", "seal_file", "trail"]

CLERK = Actor(ActorKind.STAFF, "7", purposes=frozenset(), origin="console 192.0.2.1")


@pytest.fixture
def seal_file() -> Path:
    """This test's seal file (each test has its own; see tests/conftest.py)."""
    return Path(settings.REKISTERI_AUDIT_SEAL_FILE)


@pytest.fixture
def trail() -> Callable[[], None]:
    """Six entries, sealed in two batches, each seal also written to the file."""

    def make() -> None:
        for n in range(6):
            audit_record(
                actor=CLERK,
                event=AuditEvent.PERSON_READ,
                person_id=100 + n,
                categories=[keys.contact_category()],
                purpose=keys.relationship_purpose(),
            )
            if n in (2, 5):
                assert audit_seal().seal is not None

    return make


@pytest.fixture
def owner_sql() -> Iterator[None]:
    """Act as the table's owner, who alone can switch the append-only trigger off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditseal DISABLE TRIGGER USER")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditseal ENABLE TRIGGER USER")
