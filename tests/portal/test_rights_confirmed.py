"""Consequential rights are explained and asked once; afterwards the page says what
happened and what is still kept, until when and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client

from rekisteri.core.jobs import jobs_run_queued
from rekisteri.register.models import Customership, Person
from rekisteri.rights.models import SubjectRequest
from tests.portal.test_what_people_read import _visible
from tests.rights.conftest import SUBJECT_EMAIL, Subject

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@time_machine.travel(TODAY, tick=False)
def test_ending_the_customership_says_when_the_data_go_before_and_after(
    aino: Subject, aino_client: Client
) -> None:
    # When Aino asks to end her customership
    asked = _visible(aino_client.post("/oma/pyynto", {"kind": "deletion"}).content.decode())

    # Then she is told what follows, with the days, and nothing has changed yet
    assert "Asiakkuutesi päättyy tänään 1.12.2026" in asked
    assert "Muut tietosi poistetaan 1.12.2028" in asked
    assert "Kirjanpidon tositteet (laskut ja maksut) säilytetään 31.12.2031 asti" in asked
    assert "kirjanpitolaki (1336/1997)" in asked
    assert Customership.objects.filter(person=aino.person, ended_on__isnull=True).exists()
    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()

    # When she confirms
    done = aino_client.post("/oma/pyynto", {"kind": "deletion", "confirm": "yes"})
    after = _visible(aino_client.get(done["Location"]).content.decode())

    # Then the customership has ended and the page says when her data go, and it
    # still says so when she comes back later
    assert not Customership.objects.filter(person=aino.person, ended_on__isnull=True).exists()
    assert "Asiakkuutesi on päättynyt" in after
    assert "Tietosi poistetaan 1.12.2028" in after
    later = _visible(aino_client.get("/oma/").content.decode())
    assert "Tietosi poistetaan 1.12.2028" in later
    assert "31.12.2031" in later


@time_machine.travel(TODAY, tick=False)
def test_a_restriction_is_explained_and_applied_only_when_confirmed(
    aino: Subject, aino_client: Client
) -> None:
    asked = _visible(aino_client.post("/en/my/request", {"kind": "restriction"}).content.decode())

    assert "From now on your data are only stored" in asked
    assert Person.objects.get(pk=aino.pk).restricted_since is None

    done = aino_client.post("/en/my/request", {"kind": "restriction", "confirm": "yes"})
    after = _visible(aino_client.get(done["Location"]).content.decode())

    assert Person.objects.get(pk=aino.pk).restricted_since is not None
    assert "The processing of your data is restricted" in after


@time_machine.travel(TODAY, tick=False)
def test_after_erasure_the_page_and_the_last_message_say_what_the_hold_keeps_until_when(
    aino: Subject, aino_client: Client, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        erased = _visible(
            aino_client.post("/oma/pyynto", {"kind": "erasure", "confirm": "yes"}).content.decode()
        )

    assert "Tietosi on poistettu" in erased
    assert "Kirjanpidon tositteet (laskut ja maksut) säilytetään 31.12.2031 asti" in erased
    assert aino_client.get("/oma/").status_code == 302
    # The worker sends the message owed (rights/notify.py's outbox).
    jobs_run_queued()
    [last] = [m for m in smtp.to(SUBJECT_EMAIL) if "poistettu" in m["Subject"]]
    assert "poistetaan säilytysajan päätyttyä 31.12.2031." in smtp.body(last)
    # The law and what it keeps are the policy's words, not a sentence typed for one company.
    assert (
        "Laki (kirjanpitolaki (1336/1997) 2 luku 10 §) velvoittaa säilyttämään osan tiedoista ("
        in smtp.body(last)
    )
