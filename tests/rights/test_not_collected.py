"""The notice and the access package of a register that does not collect some data
leave it out: no section, no label, no value, not even one stored before."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.loader import load_policy
from rekisteri.policy.notice import render_notice
from rekisteri.register import services as s
from rekisteri.rights import services as rs
from rekisteri.rights.models import ExportFile, VerificationMethod
from tests.countries import MAINIOCO
from tests.notcollected import NORRSKEN
from tests.portal.test_what_people_read import _visible
from tests.rights.conftest import DPO, Subject

pytestmark = pytest.mark.django_db

# What Norrsken does not collect, as the access document would label it in English.
NOT_COLLECTED_LABELS = (
    "Personal identity code",
    "Year of birth",
    "Gender",
    "Brand",
    "Last four",
)


def test_the_notice_has_no_section_for_what_the_register_does_not_collect() -> None:
    norrsken = load_policy(NORRSKEN).policy
    mainioco = load_policy(MAINIOCO).policy
    # Mainioco's categories that hold only what Norrsken does not collect (payment cards,
    # identification, users' own content, data given under a separate consent)
    left_out = [
        category.name("en")
        for category in mainioco.categories.values()
        if set(category.fields) <= set(norrsken.not_collected)
    ]

    text = render_notice(norrsken, lang="en", fmt="md")

    assert len(left_out) >= 3
    assert [name for name in left_out if name in text] == []
    assert all(category.name("en") in text for category in norrsken.categories.values())


@pytest.mark.mainioco  # data stored under Mainioco's description, then read under Norrsken's
def test_the_access_package_leaves_out_what_the_register_does_not_collect(
    aino: Subject, settings: Any
) -> None:
    # Given Aino, registered with an identity code, a year of birth and a payment card
    # while the register collected them
    s.payment_card_add(
        actor=SYSTEM,
        person_id=aino.pk,
        source="subject",
        provider_token="tok_1",
        brand="Visa",
        last_four="4242",
        expires=dt.date(2029, 1, 31),
    )
    # When the register runs a description that collects none of them, and she asks for access
    settings.REKISTERI_POLICY = NORRSKEN
    request = rs.request_create(
        actor=DPO, person_id=aino.pk, kind="access", channel="letter", language="en"
    )
    rs.request_verify(
        actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK, note="known"
    )
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    jobs_run_queued()

    # Then the package holds what is collected, and nothing of what is not
    files = {f.name: bytes(f.content) for f in ExportFile.objects.filter(package__request=request)}
    package = json.loads(files["access.json"])
    fields = {key for rows in package["data"].values() for row in rows for key in row}
    tables = {row["table"] for rows in package["data"].values() for row in rows}
    assert "first_name" in fields
    assert not {"personal_identity_code", "birth_year", "gender", "job_title"} & fields
    assert "payment_card" not in tables
    html = _visible(files["access.html"].decode())
    assert "Aino" in html
    assert [label for label in NOT_COLLECTED_LABELS if label in html] == []
    assert "4242" not in html
