"""Changing contact details over the API names a purpose that covers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import EmailAddress
from rekisteri.register.services import CONTACT_FIELDS, contact_write_purposes
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api

pytestmark = pytest.mark.django_db

NEW = {"source": keys.staff_source(), "email": "uusi@example.org"}


def _marketing_purpose() -> str:
    """A direct-marketing purpose that reads contact details, as the policy says."""
    policy = policy_get()
    contact = policy.category_of_field(CONTACT_FIELDS[0])
    assert contact is not None
    return next(
        key
        for key, purpose in policy.purposes.items()
        if purpose.direct_marketing and key in policy.categories[contact].purposes
    )


def _person(make_key: Callable[..., str]) -> int:
    response = Api(make_key()).call("post", "/people", {**AINO, "source": keys.subject_source()})
    assert response.status_code == 201
    return int(response.json()["id"])


def _addresses(person_id: int) -> set[str]:
    return set(EmailAddress.objects.filter(person_id=person_id).values_list("address", flat=True))


def test_a_contact_change_without_a_purpose_is_refused(make_key: Callable[..., str]) -> None:
    person_id = _person(make_key)
    api = Api(make_key(scopes=["people:write"], purposes=[]))

    response = api.call("patch", f"/people/{person_id}/contact", NEW)

    assert response.status_code == 422
    assert _addresses(person_id) == {AINO["email"]}


def test_a_key_must_hold_the_purpose_it_names(make_key: Callable[..., str]) -> None:
    person_id = _person(make_key)
    api = Api(make_key(scopes=["people:write"], purposes=[_marketing_purpose()]))

    response = api.call(
        "patch", f"/people/{person_id}/contact?purpose={contact_write_purposes()[0]}", NEW
    )

    assert response.status_code == 403
    assert _addresses(person_id) == {AINO["email"]}


def test_a_direct_marketing_purpose_does_not_cover_changing_contact_details(
    make_key: Callable[..., str],
) -> None:
    person_id = _person(make_key)
    marketing = _marketing_purpose()
    api = Api(make_key(scopes=["people:write"], purposes=[marketing]))
    if policy_get().purposes[marketing].legal_basis == LegalBasis.CONSENT:
        # Marketing on consent alone reads only those who consented: she has.
        granted = api.call(
            "post",
            f"/people/{person_id}/consents",
            {"scope": marketing, "action": "granted", "text": "Jag vill få nyhetsbrev."},
        )
        assert granted.status_code == 201, granted.json()

    response = api.call("patch", f"/people/{person_id}/contact?purpose={marketing}", NEW)

    assert response.status_code == 403
    assert response.json()["code"] == "purpose_does_not_cover"
    assert _addresses(person_id) == {AINO["email"]}
    assert not AuditEntry.objects.filter(event=AuditEvent.PERSON_CHANGED).exists()


def test_a_covering_purpose_stores_the_change_and_tells_both_addresses(
    make_key: Callable[..., str], smtp: Any
) -> None:
    person_id = _person(make_key)
    purpose = contact_write_purposes()[0]
    api = Api(make_key(scopes=["people:write"], purposes=[purpose]))

    response = api.call("patch", f"/people/{person_id}/contact?purpose={purpose}", NEW)
    jobs_run_queued()

    assert response.status_code == 200
    assert _addresses(person_id) == {AINO["email"], NEW["email"]}
    entry = AuditEntry.objects.get(event=AuditEvent.PERSON_CHANGED, person_id=person_id)
    assert entry.data["changed"] == ["email"]
    assert "email_change" in entry.data
    assert len(smtp.to(AINO["email"])) == 1
    assert len(smtp.to(NEW["email"])) == 1
