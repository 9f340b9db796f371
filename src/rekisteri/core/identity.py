"""The register's own identity, which binds the files beside the database to it."""

from __future__ import annotations

import uuid

from django.db import transaction

from rekisteri.core import clock
from rekisteri.core.models import RegisterIdentity


def register_identity() -> str:
    """Return this database's identity, made on first use (by ``rekisteri setup`` in practice).

    Read each time, not cached: a restore or a new database behind the same
    process must show its own identity.
    """
    row = RegisterIdentity.objects.filter(id=1).first()
    if row is None:
        with transaction.atomic():
            row, _ = RegisterIdentity.objects.get_or_create(
                id=1, defaults={"identity": uuid.uuid4(), "created_at": clock.now()}
            )
    return str(row.identity)
