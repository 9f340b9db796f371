"""A material change of the notice is announced to everyone on file; wording alone is not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import Conflict, InvalidInput
from rekisteri.core.jobs import job_retry, jobs_run_queued
from rekisteri.core.models import JobState
from rekisteri.policy.loader import parse_policy
from rekisteri.policy.models import NoticeVersion
from rekisteri.policy.services import notice_version_record
from rekisteri.rights import announcements
from rekisteri.rights.announcements import notice_announce, notice_versions_unannounced
from rekisteri.rights.models import AnnouncementDelivery
from tests.conftest import SmtpInbox
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def people(count: int) -> list[str]:
    addresses = [f"henkilo{n}@example.fi" for n in range(count)]
    for address in addresses:
        PersonFactory(email=address)
    return addresses


def versions(mainioco_text: str, changed: str) -> int:
    notice_version_record(loaded=parse_policy(mainioco_text))
    version, _ = notice_version_record(loaded=parse_policy(changed))
    return version.number


@pytest.fixture(autouse=True)
def today() -> Any:
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_change_of_wording_alone_is_not_announced(mainioco_text: str) -> None:
    reworded = mainioco_text.replace('en = "the customer themself"', 'en = "the customer"', 1)
    number = versions(mainioco_text, reworded)

    with pytest.raises(InvalidInput, match="changes only the wording"):
        notice_announce(actor=SYSTEM, version_number=number, effective_on=dt.date(2026, 10, 1))
    assert notice_versions_unannounced() == []


@pytest.mark.mainioco
def test_a_longer_retention_is_announced_to_everyone_in_their_language(
    mainioco_text: str, smtp: SmtpInbox
) -> None:
    addresses = people(3)
    number = versions(mainioco_text, mainioco_text.replace("months = 24\n", "months = 36\n", 1))
    assert notice_versions_unannounced() == [number]

    with pytest.raises(InvalidInput, match="no earlier than it is announced"):
        notice_announce(actor=SYSTEM, version_number=number, effective_on=dt.date(2026, 8, 31))
    notice_announce(actor=SYSTEM, version_number=number, effective_on=dt.date(2026, 10, 1))
    jobs_run_queued()

    for address in addresses:
        [message] = smtp.to(address)
        assert message["Subject"] == "Tietosuojaselosteemme muuttuu 1.10.2026"
        body = smtp.body(message)
        assert "säilytysaika kuukausina muutettu: 24 → 36" in body
    assert NoticeVersion.objects.get(number=number).effective_on == dt.date(2026, 10, 1)
    assert AnnouncementDelivery.objects.filter(emailed_at__isnull=False).count() == 3
    assert notice_versions_unannounced() == []
    with pytest.raises(Conflict, match="announced already"):
        notice_announce(actor=SYSTEM, version_number=number, effective_on=dt.date(2026, 10, 1))


def test_an_announcement_interrupted_mid_way_resumes_without_telling_anyone_twice(
    mainioco_text: str, smtp: SmtpInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses = people(5)
    number = versions(mainioco_text, mainioco_text.replace("months = 24\n", "months = 36\n", 1))
    monkeypatch.setattr(announcements, "BATCH", 2)
    original = announcements._message
    calls = {"n": 0}

    def fails_on_the_third(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise ConnectionError("the mail server went away")
        return original(*args)

    monkeypatch.setattr(announcements, "_message", fails_on_the_third)
    notice_announce(actor=SYSTEM, version_number=number, effective_on=dt.date(2026, 10, 1))
    [failed] = [j for j in jobs_run_queued() if j.name == "rights.announce"]
    assert failed.state == JobState.FAILED

    job_retry(job_id=failed.pk)
    [done] = [j for j in jobs_run_queued() if j.pk == failed.pk]

    assert done.state == JobState.DONE
    assert sorted(len(smtp.to(a)) for a in addresses) == [1, 1, 1, 1, 1]
