"""Rows stored by a channel's former name read by the one name after the migrations."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core import clock
from rekisteri.register.models import Delivery
from tests import policy_keys as keys
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CONSENT = importlib.import_module("rekisteri.consent.migrations.0003_scope_channel_letter")
REGISTER = importlib.import_module("rekisteri.register.migrations.0009_delivery_channel_letter")


def _stored_before(scope: str) -> ConsentEvent:
    """A choice as the ledger kept it before the channels had one vocabulary."""
    return ConsentEvent.objects.create(
        person_id=PersonFactory().pk,
        stored_at=clock.now(),
        source=keys.subject_source(),
        scope=scope,
        action=ConsentAction.OBJECTED,
        channel="letter",
        occurred_at=clock.now(),
    )


def test_a_choice_about_post_becomes_one_about_letters_and_back() -> None:
    # given: an objection to marketing by post, and a recipient's scope that names no channel
    purpose = keys.marketing_purpose()
    objection = _stored_before(f"{purpose}:post")
    disclosure = _stored_before("disclosure:post")
    purpose_wide = _stored_before(purpose)

    # when
    CONSENT.forwards(apps, None)

    # then
    objection.refresh_from_db()
    disclosure.refresh_from_db()
    purpose_wide.refresh_from_db()
    assert objection.scope == f"{purpose}:letter"
    assert disclosure.scope == "disclosure:post"
    assert purpose_wide.scope == purpose

    CONSENT.backwards(apps, None)
    objection.refresh_from_db()
    assert objection.scope == f"{purpose}:post"


def test_a_delivery_by_post_becomes_a_letter_and_back() -> None:
    # given: deliveries as the API stored them before
    person_id = PersonFactory().pk
    for channel in ("post", "email"):
        Delivery.objects.create(
            person_id=person_id,
            stored_at=clock.now(),
            source=keys.marketing_source(),
            channel=channel,
            campaign="kevät",
            sent_at=clock.now(),
        )

    # when
    REGISTER.forwards(apps, None)

    # then
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "letter"]
    REGISTER.backwards(apps, None)
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "post"]
