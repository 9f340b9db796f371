"""Messages about a request go to an address the person has verified, never to another."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from rekisteri.core import clock
from rekisteri.core.errors import Conflict
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.register.models import EmailAddress
from rekisteri.rights import services as rs
from tests import policy_keys as keys
from tests.portal.conftest import page
from tests.rights.conftest import DPO, SUBJECT_EMAIL, Subject

DIRECTORY_EMAIL = "a.virtanen@hakemisto.example"


def test_a_request_from_the_portal_is_answered_at_the_address_signed_in_with_not_a_later_one(
    aino: Subject, aino_client: Client, smtp: Any
) -> None:
    # Given a newer address from a directory service that Aino never confirmed
    EmailAddress.objects.create(
        person=aino.person,
        stored_at=clock.now() + dt.timedelta(days=1),
        source=keys.third_party_source(),
        address=DIRECTORY_EMAIL,
    )

    # When she asks for her data in the portal
    aino_client.post(page("request"), {"kind": "access"})
    jobs_run_queued()

    # Then the acknowledgement goes to the address she proved hers, and only there
    assert smtp.to(SUBJECT_EMAIL)
    assert smtp.to(DIRECTORY_EMAIL) == []


def test_a_person_with_only_an_unconfirmed_address_gets_no_message_and_no_code(
    aino: Subject, smtp: Any
) -> None:
    # Given Bertta, whose only address came from a directory service, unconfirmed
    EmailAddress.objects.filter(person=aino.other).update(
        verified_at=None, source=keys.third_party_source()
    )
    bertta_email = EmailAddress.objects.get(person=aino.other).address

    # When her written request is registered
    request = rs.request_create(actor=DPO, person_id=aino.other.pk, kind="access", channel="letter")
    jobs_run_queued()

    # Then nothing is sent to the unconfirmed address; the handler must verify otherwise
    assert smtp.to(bertta_email) == []
    with pytest.raises(Conflict, match="no verified e-mail address"):
        rs.request_verification_code_send(actor=DPO, request_id=request.pk)
