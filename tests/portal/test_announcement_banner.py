"""The portal shows an announced change of the notice until the person has read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.loader import parse_policy
from rekisteri.policy.services import notice_version_record
from rekisteri.rights.announcements import notice_announce
from tests.rights.conftest import Subject

pytestmark = pytest.mark.django_db


def test_an_announced_change_is_shown_until_read(
    aino: Subject, aino_client: Client, mainioco_text: str, smtp: object
) -> None:
    # given a longer retention, announced to take effect later
    changed, _ = notice_version_record(
        loaded=parse_policy(mainioco_text.replace("months = 24\n", "months = 36\n", 1))
    )
    effective = clock.today() + dt.timedelta(days=30)
    announcement = notice_announce(
        actor=SYSTEM, version_number=changed.number, effective_on=effective
    )
    jobs_run_queued()

    # when Aino opens her pages, she sees what changes and when
    page = aino_client.get("/oma/").content.decode()
    assert (
        f"Tietosuojaselosteemme muuttuu {effective.day}.{effective.month}.{effective.year}" in page
    )
    assert "säilytysaika kuukausina muutettu: 24 → 36" in page

    # and once she has read it, it is gone
    response = aino_client.post(f"/oma/ilmoitus/{announcement.pk}")
    assert response.status_code == 302
    assert "Tietosuojaselosteemme muuttuu" not in aino_client.get("/oma/").content.decode()


def test_another_persons_announcement_cannot_be_marked_read_by_id(
    aino: Subject, aino_client: Client
) -> None:
    response = aino_client.post("/oma/ilmoitus/999999")
    assert response.status_code == 302  # nothing of hers to mark, nothing else touched
