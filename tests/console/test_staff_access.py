"""Staff accounts: an enrolment link, two factors, lockout, timeouts, roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.register.models import Person
from rekisteri.register.services import PersonIn, person_register
from rekisteri.staff.services import staff_create
from tests import policy_keys as keys
from tests.console.conftest import PASSWORD, code_for, said, short_password_refusal, signed_in

pytestmark = pytest.mark.django_db


def test_an_enrolment_link_sets_password_and_second_factor_and_signs_in(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("staff", "create", "aino", "--role", keys.service_role())
    link = capsys.readouterr().out.strip()
    path = link.removeprefix("http://127.0.0.1:8000")
    client = Client()

    page = client.get(path)
    user = User.objects.get(username="aino")
    done = client.post(path, {"password": PASSWORD, "code": code_for(user)})
    home = client.get("/console/")

    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert done.status_code == 302
    assert home.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert client.get(path).status_code == 404  # the link works once


def test_an_expired_or_unknown_link_is_refused() -> None:
    _, token = staff_create(actor=SYSTEM, username="eero", role=keys.marketing_role())

    with time_machine.travel(clock.now() + dt.timedelta(hours=25)):
        expired = Client().get(f"/console/enrol/{token}")
    unknown = Client().get("/console/enrol/nonsense")

    assert expired.status_code == unknown.status_code == 404


def test_a_short_password_or_a_wrong_code_enrols_nothing() -> None:
    user, token = staff_create(actor=SYSTEM, username="helmi", role=keys.request_role())
    client = Client()
    client.get(f"/console/enrol/{token}")

    short = client.post(f"/console/enrol/{token}", {"password": "lyhyt", "code": code_for(user)})
    wrong = client.post(f"/console/enrol/{token}", {"password": PASSWORD, "code": "000000"})

    # The register's own language: "vähintään 12 merkkiä" in Mainioco's Finnish console.
    with translation.override(keys.language()):
        assert escape(short_password_refusal()) in short.content.decode()
        wrong_code = gettext(
            "The code does not match. Enter the newest code your authenticator app shows."
        )
        assert escape(wrong_code) in wrong.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_signing_in_takes_password_and_code(enrolled: Callable[[str, str], User]) -> None:
    user = enrolled("aino", keys.service_role())
    client = Client()

    after_password = client.post("/console/login", {"username": "aino", "password": PASSWORD})
    console_before_code = client.get("/console/")
    signed = signed_in(user)

    assert after_password.status_code == 302
    assert console_before_code.status_code == 302  # the password alone is not enough
    assert signed.get("/console/").status_code == 200
    assert AuditEntry.objects.filter(
        event=AuditEvent.LOGIN_SUCCEEDED, actor_id=str(user.pk)
    ).exists()


def test_five_wrong_passwords_lock_the_account(enrolled: Callable[[str, str], User]) -> None:
    enrolled("aino", keys.service_role())
    client = Client()

    for _ in range(5):
        client.post("/console/login", {"username": "aino", "password": "väärä salasana x"})
    locked = client.post("/console/login", {"username": "aino", "password": PASSWORD})

    assert locked.status_code in (403, 429)
    assert AuditEntry.objects.filter(event=AuditEvent.LOGIN_FAILED).count() >= 5


def test_a_disabled_account_is_signed_out_at_once(enrolled: Callable[[str, str], User]) -> None:
    user = enrolled("aino", keys.service_role())
    client = signed_in(user)

    call_command("staff", "disable", "aino")

    assert client.get("/console/").status_code == 302


def test_an_idle_session_ends(enrolled: Callable[[str, str], User]) -> None:
    client = signed_in(enrolled("aino", keys.service_role()))

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=31)):
        response = client.get("/console/")

    assert response.status_code == 302


def test_console_pages_are_not_cached_and_carry_a_content_security_policy(
    enrolled: Callable[[str, str], User],
) -> None:
    response = signed_in(enrolled("aino", keys.service_role())).get("/console/")

    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_search_and_person_page_follow_the_role(enrolled: Callable[[str, str], User]) -> None:
    person = person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(
            first_name="Kerttu",
            last_name="Laine",
            email="kerttu@example.fi",
            birth_year=1970 if keys.collects("person.birth_year") else None,
        ),
    )
    clerk = signed_in(enrolled("aino", keys.service_role()))

    found = clerk.post(
        "/console/", {"q": "Laine", "purpose": keys.relationship_purpose()}
    ).content.decode()
    page = clerk.get(f"/console/people/{person.pk}?purpose={keys.relationship_purpose()}")

    assert "Kerttu Laine" in found
    assert page.status_code == 200
    body = page.content.decode()
    assert "kerttu@example.fi" in body
    # The source of each datum, in the policy's words.
    assert keys.policy().sources[keys.subject_source()].name(keys.language()) in body
    assert AuditEntry.objects.filter(event=AuditEvent.PERSON_READ, person_id=person.pk).count() == 2


def test_a_restricted_person_is_shown_to_the_dpo_alone(
    enrolled: Callable[[str, str], User],
) -> None:
    person = person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Onni", last_name="Mäkinen", email="onni@example.fi"),
    )
    Person.objects.filter(pk=person.pk).update(restricted_since=clock.now())
    clerk = signed_in(enrolled("aino", keys.service_role()))
    dpo = signed_in(enrolled("helmi", keys.request_role()))

    clerk_search = clerk.post(
        "/console/", {"q": "Mäkinen", "purpose": keys.relationship_purpose()}
    ).content.decode()
    clerk_page = clerk.get(f"/console/people/{person.pk}?purpose={keys.relationship_purpose()}")
    dpo_page = dpo.get(f"/console/people/{person.pk}?purpose={keys.relationship_purpose()}")

    assert "Onni" not in clerk_search
    # To the clerk she looks like no one: the restriction is not named, but the
    # refusal is in the audit trail.
    assert clerk_page.status_code == 404
    assert "restrict" not in clerk_page.content.decode()
    refused = AuditEntry.objects.get(event=AuditEvent.PERSON_READ_REFUSED, person_id=person.pk)
    assert (refused.actor_kind, refused.purpose, refused.data["refused"]) == (
        "staff",
        keys.relationship_purpose(),
        "restricted",
    )
    assert dpo_page.status_code == 200
    assert "onni@example.fi" in dpo_page.content.decode()


def test_an_analyst_sees_no_person(enrolled: Callable[[str, str], User]) -> None:
    person = person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Kerttu", last_name="Laine"),
    )
    analyst = signed_in(enrolled("tilastot", keys.analyst_role()))

    page = analyst.get(f"/console/people/{person.pk}?purpose={keys.statistics_purpose()}")
    search = analyst.post(
        "/console/", {"q": "Laine", "purpose": keys.statistics_purpose()}
    ).content.decode()

    assert page.status_code == 403
    assert "Kerttu" not in search
    assert not AuditEntry.objects.filter(event=AuditEvent.PERSON_READ).exists()


def test_a_search_never_puts_what_was_searched_in_the_url(
    enrolled: Callable[[str, str], User],
) -> None:
    person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Kerttu", last_name="Laine"),
    )
    clerk = signed_in(enrolled("aino", keys.service_role()))

    by_get = clerk.get(f"/console/?q=Laine&purpose={keys.relationship_purpose()}").content.decode()
    by_post = clerk.post("/console/", {"q": "Laine", "purpose": keys.relationship_purpose()})
    too_short = clerk.post("/console/", {"q": "a", "purpose": keys.relationship_purpose()})

    assert "Kerttu" not in by_get  # a URL does not search
    assert "Kerttu Laine" in by_post.content.decode()
    assert said("Give at least two characters to search for.") in too_short.content.decode()
