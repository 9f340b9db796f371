"""The portal shows an announced change of the notice until the person has read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.loader import parse_policy
from rekisteri.policy.services import notice_version_record
from rekisteri.rights.announcements import notice_announce
from tests import policy_keys as keys
from tests.portal.conftest import page
from tests.rights.conftest import Subject

pytestmark = pytest.mark.django_db


def _banner(effective: dt.date) -> str:
    """The banner's title, as the register says it in its own language."""
    with translation.override(keys.language()):
        day = formats.date_format(effective, "SHORT_DATE_FORMAT")
        return str(_("Our privacy notice changes on %(day)s")) % {"day": day}


def test_an_announced_change_is_shown_until_read(
    aino: Subject, aino_client: Client, smtp: object
) -> None:
    # given a longer retention, announced to take effect later
    text = Path(settings.REKISTERI_POLICY).read_text(encoding="utf-8")
    assert "months = 24\n" in text
    changed, _unused = notice_version_record(
        loaded=parse_policy(text.replace("months = 24\n", "months = 36\n", 1))
    )
    effective = clock.today() + dt.timedelta(days=30)
    announcement = notice_announce(
        actor=SYSTEM, version_number=changed.number, effective_on=effective
    )
    jobs_run_queued()

    # when Aino opens her pages, she sees what changes and when
    shown = aino_client.get(page("my")).content.decode()
    assert _banner(effective) in shown
    change = keys.words(_("%(what)s: %(field)s changed from %(old)s to %(new)s"))
    field_changed = change.split("%(what)s: ", 1)[1] % {
        "field": keys.words(_("months")),
        "old": 24,
        "new": 36,
    }
    assert field_changed in shown

    # and once she has read it, it is gone
    response = aino_client.post(page("announcement") + str(announcement.pk))
    assert response.status_code == 302
    assert _banner(effective) not in aino_client.get(page("my")).content.decode()


def test_another_persons_announcement_cannot_be_marked_read_by_id(
    aino: Subject, aino_client: Client
) -> None:
    response = aino_client.post(page("announcement") + "999999")
    assert response.status_code == 302  # nothing of hers to mark, nothing else touched
