"""Correcting contact details in the console: only for a purpose that covers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import EmailAddress, EmailChange, EmailChangeState
from rekisteri.register.services import contact_write_purposes
from tests import policy_keys as keys
from tests.console.conftest import signed_in
from tests.rights.conftest import SUBJECT_EMAIL, Subject

NEW = "uusi.osoite@example.org"


def _role(*, covers: bool) -> tuple[str, str]:
    """A role that reads people, with or without a purpose that covers contact changes;
    and the purpose it reads them for."""
    policy = policy_get()
    writers = set(contact_write_purposes())
    contact = {
        key
        for key, category in policy.categories.items()
        if "email_address.address" in category.fields
    }
    for key, role in policy.roles.items():
        if role.aggregates_only or role.sees_restricted:
            continue
        reading = [
            p for p in role.purposes if any(p in policy.categories[c].purposes for c in contact)
        ]
        if reading and bool(writers & set(role.purposes)) == covers:
            return key, reading[0]
    pytest.skip("the policy has no such role")


def _correct(client: Any, person_id: int, purpose: str) -> Any:
    return client.post(
        f"/console/people/{person_id}/rectify?purpose={purpose}",
        {"email": NEW, "reason": "asiakas soitti"},
    )


def test_a_role_whose_purposes_do_not_cover_contact_details_cannot_change_them(
    aino: Subject, enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    role, purpose = _role(covers=False)
    client = signed_in(enrolled("markku", role))
    if policy_get().purposes[purpose].legal_basis == LegalBasis.CONSENT:
        # Marketing on consent alone reads only those who consented (Norrsken's newsletter).
        consent_record(
            actor=SYSTEM,
            person_id=aino.pk,
            scope=purpose,
            action="granted",
            channel="form",
            text="Saa lähettää uutiskirjeen.",
        )

    page = client.get(f"/console/people/{aino.pk}?purpose={purpose}")
    response = _correct(client, aino.pk, purpose)
    jobs_run_queued()

    assert page.status_code == 200
    assert "/rectify" not in page.content.decode()
    assert response.status_code == 403
    assert set(
        EmailAddress.objects.filter(person_id=aino.pk).values_list("address", flat=True)
    ) == {SUBJECT_EMAIL}
    assert not EmailChange.objects.exists()
    assert smtp.messages == []


def test_a_staff_correction_of_the_email_waits_for_the_person_and_tells_the_old_address(
    aino: Subject, enrolled: Callable[[str, str], User], smtp: Any
) -> None:
    role, purpose = _role(covers=True)
    client = signed_in(enrolled("asta", role))

    response = _correct(client, aino.pk, purpose)
    jobs_run_queued()

    assert response.status_code == 302
    [change] = EmailChange.objects.filter(person_id=aino.pk)
    assert change.state == EmailChangeState.PENDING
    assert EmailAddress.objects.get(pk=change.new_email_row).verified_at is None
    assert EmailAddress.objects.get(address=SUBJECT_EMAIL).verified_at is not None
    lang = keys.language()
    assert reverse(f"my-email-undo-{lang}") + "?t=" in smtp.body(smtp.to(SUBJECT_EMAIL)[0])
    assert reverse(f"my-email-confirm-{lang}") + "?t=" in smtp.body(smtp.to(NEW)[0])
    assert AuditEntry.objects.filter(
        event=AuditEvent.PERSON_CHANGED, person_id=aino.pk, data__email_change=change.pk
    ).exists()
