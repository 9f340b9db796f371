"""The access package's HTML is a document a person can read and print, in their language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.labels import legal_basis_label, retention_phrase, right_label
from rekisteri.policy.schema import Language, RecipientKind, Right
from rekisteri.register.labels import field_label, when_display
from tests import policy_keys as keys
from tests.portal.conftest import LANGUAGES, page
from tests.portal.test_what_people_read import _visible
from tests.rights.conftest import Subject

# Aino's invoices are of 2025, her number is Finnish (tests/rights/conftest.py).
BOOKED_IN = 2025
AINO_PHONE = "+358401234567"


def _expected(lang: Language) -> tuple[str, ...]:
    """What Art. 15 says the person is told, as the description and the register word it."""
    policy = keys.policy()
    controller = policy.controller
    contact = policy.categories[keys.contact_category()]
    purpose = policy.purposes[keys.relationship_purpose()]
    billing = policy.categories[keys.category_of("invoice.number")]
    hold = policy.retention[billing.hold or ""]
    processor = next(r for r in policy.recipients.values() if r.kind == RecipientKind.PROCESSOR)
    with translation.override(lang):
        return (
            controller.name,
            f"{_('Business ID')} {controller.business_id}",
            capfirst(contact.name(lang)),
            _("Why we hold them"),
            f"{capfirst(purpose.name(lang))} ("
            + _("basis: %(basis)s") % {"basis": legal_basis_label(purpose.legal_basis)},
            _("Where they came from"),
            capfirst(policy.sources[keys.subject_source()].name(lang)),
            _("Kept %(phrase)s.")
            % {"phrase": retention_phrase(policy.retention[contact.retention])},
            _("The part the law requires us to keep: until %(day)s.")
            % {"day": when_display(dt.date(BOOKED_IN + (hold.years or 0), 12, 31))},
            hold.law(lang) if hold.law else "",
            capfirst(processor.name(lang)),
            right_label(Right.ERASURE),
            policy.supervisory_authority.name(lang),
            f"{capfirst(field_label('phone_number', 'number'))} {AINO_PHONE}",
            f"{capfirst(field_label('invoice', 'due_on'))} {when_display(dt.date(2025, 3, 15))}",
        )


@pytest.mark.parametrize("lang", LANGUAGES)
@time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC), tick=True)
def test_the_access_document_says_what_why_on_what_basis_from_where_how_long_and_to_whom(
    aino: Subject, aino_client: Client, lang: Language
) -> None:
    # Given Aino's access request, answered by the worker
    aino_client.post(page("request", lang), {"kind": "access"})
    jobs_run_queued()
    [href] = set(
        re.findall(
            r'href="([^"]+/access\.html)"', aino_client.get(page("my", lang)).content.decode()
        )
    )

    # When she opens the document she downloaded
    markup = aino_client.get(href).content.decode()
    text = _visible(markup)

    # Then it reads as a document in her language, with everything Art. 15 names
    assert f'<html lang="{lang}">' in markup
    missing = [line for line in _expected(lang) if line not in text]
    assert missing == []
    # and its data are in words, not the register's column names or raw values
    for raw in ("first_name", "billing_name", "stored_at", keys.service_source(), "+00:00"):
        assert raw not in text
