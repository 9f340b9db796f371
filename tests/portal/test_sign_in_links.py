"""Asking for a sign-in link tells nothing about whether an address is registered.

The request answers the same page whatever the address and whatever the mail
server does: the link is made and sent by a job after the answer. Requests are
limited per client and per address, alike for registered and unknown addresses.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.core.models import Job, JobState
from rekisteri.policy.selectors import policy_get
from rekisteri.register.services import PersonIn, person_register
from rekisteri.rights.models import SignInLink
from tests import policy_keys as keys
from tests.conftest import free_port
from tests.portal.conftest import page
from tests.rights.conftest import SUBJECT_EMAIL, Subject

UNKNOWN = "ei.rekisterissa@example.org"


def _page(response: Any) -> str:
    """The page without its form's CSRF token, which differs for every client."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _ask(address: str, client_ip: str = "192.0.2.10") -> Any:
    return Client(REMOTE_ADDR=client_ip).post(page("sign_in"), {"method": "link", "email": address})


def test_the_link_leaves_from_a_job_and_the_answer_is_the_same_for_any_address(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(SUBJECT_EMAIL, "192.0.2.1")
        unknown = _ask(UNKNOWN, "192.0.2.2")

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.content == unknown.content
    assert smtp.messages == []  # nothing was sent inside the request

    jobs_run_queued()

    [mail] = smtp.messages
    assert SUBJECT_EMAIL in mail["To"]
    assert reverse(f"my-link-{keys.language()}") + "?t=" in smtp.body(mail)


def test_a_refusing_mail_server_gives_the_same_page_and_no_error(
    aino: Subject, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(SUBJECT_EMAIL, "192.0.2.1")
        unknown = _ask(UNKNOWN, "192.0.2.2")
    ran = jobs_run_queued()

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.content == unknown.content
    # The failure stays in the job queue, to be retried; no one saw it.
    assert [job.state for job in ran if job.name == "rights.sign_in_link"].count(
        JobState.FAILED
    ) == 1
    assert Job.objects.filter(state=JobState.FAILED).values_list("last_error", flat=True)[0]


def test_a_client_asking_too_often_is_limited_whatever_the_addresses(aino: Subject) -> None:
    answers = [_ask(f"kuka{n}@example.org", "192.0.2.7") for n in range(5)]
    limited = _ask(SUBJECT_EMAIL, "192.0.2.7")
    elsewhere = _ask(SUBJECT_EMAIL, "192.0.2.8")

    assert [a.status_code for a in answers] == [200] * 5
    assert limited.status_code == 429
    too_many = _(
        "Too many sign-in links were asked for. Wait a few minutes and try "
        "again; a link already sent still works."
    )
    assert keys.words(too_many) in html.unescape(limited.content.decode())
    assert elsewhere.status_code == 200


def test_the_limit_per_address_looks_the_same_for_registered_and_unknown_addresses(
    aino: Subject, smtp: Any
) -> None:
    known = [_ask(SUBJECT_EMAIL, f"198.51.100.{n}") for n in range(4)]
    unknown = [_ask(UNKNOWN, f"203.0.113.{n}") for n in range(4)]
    jobs_run_queued()

    assert [a.status_code for a in known] == [200, 200, 200, 429]
    assert [a.status_code for a in unknown] == [200, 200, 200, 429]
    assert _page(known[3]) == _page(unknown[3])
    assert len(smtp.to(SUBJECT_EMAIL)) == 3


@pytest.mark.django_db
def test_no_link_goes_to_an_address_the_person_has_not_verified(smtp: Any) -> None:
    policy = policy_get()
    # One the policy lists for contact details: a third party's, not the person's own.
    contact = policy.categories[policy.category_of_field("email_address.address") or ""]
    third_party = next(key for key in contact.sources if not policy.sources[key].from_subject)
    person_register(
        actor=SYSTEM,
        source=third_party,
        person=PersonIn(first_name="Eero", last_name="Korhonen", email="eero@example.fi"),
    )

    assert _ask("eero@example.fi").status_code == 200
    jobs_run_queued()

    assert smtp.messages == []
    assert not SignInLink.objects.exists()
