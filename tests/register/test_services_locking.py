"""A write for a person and the person's erasure serialise on the person's row.

Two real threads, each with its own database connection (PostgreSQL in CI's
second leg): no write for a person commits after the person's erasure did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.register.models import Person, UsageEvent
from rekisteri.retention.erasure import person_erase
from rekisteri.staff.keys import api_key_create
from tests import policy_keys as keys
from tests.api.conftest import ALL_SCOPES, Api
from tests.rights.conftest import register_aino

pytestmark = pytest.mark.django_db(transaction=True)

USAGE = {"source": keys.service_source(), "action": "report.opened"}


def _in_thread(work: Callable[[], Any], results: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(work())
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_an_event_written_while_the_person_is_being_erased_fails_and_leaves_nothing() -> None:
    # given Aino, whose invoices keep a husk of her after erasure
    aino = register_aino()
    _, key = api_key_create(
        actor=SYSTEM, name="analysis", scopes=ALL_SCOPES, purposes=[keys.relationship_purpose()]
    )
    erasing, release = threading.Event(), threading.Event()

    def erase() -> None:
        with transaction.atomic():
            person_erase(actor=SYSTEM, person_id=aino.pk, reason="request 1")
            erasing.set()
            # The erasure is done but not committed while the write comes in.
            release.wait(10)

    erased: list[Any] = []
    eraser = _in_thread(erase, erased)
    assert erasing.wait(10)

    # when the analysis service writes an event for her before the erasure commits
    written: list[Any] = []
    writer = _in_thread(
        lambda: Api(key).call("post", f"/people/{aino.pk}/events/usage", USAGE), written
    )
    time.sleep(1.0)
    release.set()
    eraser.join(20)
    writer.join(20)

    # then the write is refused as for anyone gone, and nothing of hers is stored
    assert erased == [None]
    response = written[0]
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "person_not_found"
    assert Person.objects.get(pk=aino.pk).erased_at is not None
    assert not UsageEvent.objects.filter(person_id=aino.pk).exists()


def test_an_event_written_just_before_the_erasure_is_erased_with_the_person() -> None:
    # given Aino, and a write for her whose transaction is still open
    aino = register_aino()
    wrote, release = threading.Event(), threading.Event()

    def write() -> None:
        with transaction.atomic():
            s.usage_event_record(
                actor=SYSTEM, person_id=aino.pk, source=keys.service_source(), action="x"
            )
            wrote.set()
            release.wait(10)

    written: list[Any] = []
    writer = _in_thread(write, written)
    assert wrote.wait(10)

    # when she is erased meanwhile
    erased: list[Any] = []
    eraser = _in_thread(
        lambda: person_erase(actor=SYSTEM, person_id=aino.pk, reason="request 1"), erased
    )
    time.sleep(1.0)
    # the erasure waits for the write: it holds her row
    assert not erased
    release.set()
    writer.join(20)
    eraser.join(20)

    # then the write committed first and went with her
    assert written == [None]
    assert erased[0].person_id == aino.pk
    assert not UsageEvent.objects.filter(person_id=aino.pk).exists()
