"""The data protection officer's queue: register, verify, answer; others are refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy

from rekisteri.core.actors import SYSTEM
from rekisteri.register.selectors import PersonIdentifier
from rekisteri.rights.models import RequestState, SubjectRequest
from rekisteri.rights.services import request_file_by_client
from tests import policy_keys as keys
from tests.console.conftest import said, signed_in
from tests.rights.conftest import register_aino


@pytest.mark.mainioco  # the Finnish console's words
@time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC))
def test_the_dpo_registers_a_letter_verifies_and_answers_it_from_the_queue(
    enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    aino = register_aino()
    client = signed_in(enrolled("tietosuoja", keys.request_role()))

    created = client.post(
        "/console/requests",
        {
            "person_id": str(aino.pk),
            "kind": "deletion",
            "channel": "letter",
            "received_on": "2026-02-02",
            "language": keys.language(),
            "action": "register",
        },
    )
    request = SubjectRequest.objects.get(person_id=aino.pk)
    assert created["Location"] == f"/console/requests/{request.pk}"
    queue = client.get("/console/requests").content.decode()
    # Received 2.2.2026, due 2.3.2026: overdue on 5.3.
    assert "myöhässä" in queue
    assert "asiakkuuden päättäminen" in queue

    page = client.get(f"/console/requests/{request.pk}").content.decode()
    assert "ei varmennettu" in page
    client.post(f"/console/requests/{request.pk}", {"action": "fulfil"})
    assert (
        SubjectRequest.objects.get(pk=request.pk).state == RequestState.RECEIVED
    )  # not before verifying
    client.post(
        f"/console/requests/{request.pk}",
        {"action": "verify", "note": "signed letter; address on file matches"},
    )
    client.post(
        f"/console/requests/{request.pk}",
        {"action": "fulfil", "reason": "Asiakkuutesi on päätetty."},
    )

    assert SubjectRequest.objects.get(pk=request.pk).state == RequestState.FULFILLED
    assert "Ei avoimia pyyntöjä." in client.get("/console/requests").content.decode()


def test_an_unknown_person_or_a_bad_date_gets_a_clear_message_and_changes_nothing(
    enrolled: Callable[[str, str], User],
) -> None:
    client = signed_in(enrolled("tietosuoja", keys.request_role()))

    unknown = client.post(
        "/console/requests",
        {
            "person_id": "999999",
            "kind": "access",
            "channel": "letter",
            "language": keys.language(),
            "action": "register",
        },
    )
    bad_date = client.post(
        "/console/requests",
        {
            "person_id": "1",
            "kind": "access",
            "channel": "letter",
            "language": keys.language(),
            "received_on": "31.2.2026",
            "action": "register",
        },
    )
    unknown_request = client.get("/console/requests/424242")

    # The form comes back with its errors in place, in Finnish.
    assert unknown.status_code == 400
    assert said("Not found, or your role's purposes do not let you see it.") in (
        unknown.content.decode()
    )
    assert bad_date.status_code == 400
    assert said("Give a date, for example 31.1.2026.") in bad_date.content.decode()
    assert unknown_request.status_code == 404
    assert not SubjectRequest.objects.exists()


def test_customer_service_cannot_open_the_queue(enrolled: Callable[[str, str], User]) -> None:
    aino = register_aino()
    client = signed_in(enrolled("asiakaspalvelu", keys.service_role()))

    assert client.get("/console/requests").status_code == 403
    refused = client.post(
        "/console/requests", {"person_id": str(aino.pk), "kind": "erasure", "channel": "letter"}
    )
    assert refused.status_code == 403
    assert not SubjectRequest.objects.exists()


def test_an_erasure_a_system_filed_waits_in_the_queue_until_the_dpo_answers_it(
    enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    from rekisteri.register.models import Person
    from rekisteri.staff.keys import api_key_actor, api_key_create

    aino = register_aino()
    key, _ = api_key_create(
        actor=SYSTEM,
        name="analysis",
        scopes=["requests:write"],
        purposes=[keys.relationship_purpose()],
    )
    filed = request_file_by_client(
        actor=api_key_actor(key), kind="erasure", identifier=PersonIdentifier(username="aino")
    )
    client = signed_in(enrolled("tietosuoja", keys.request_role()))

    queue = client.get("/console/requests").content.decode()
    assert keys.words(gettext_lazy("to be reviewed")) in queue
    assert Person.objects.get(pk=aino.pk).erased_at is None

    client.post(f"/console/requests/{filed.pk}", {"action": "fulfil"})

    assert SubjectRequest.objects.get(pk=filed.pk).state == RequestState.FULFILLED
    assert Person.objects.get(pk=aino.pk).erased_at is not None
