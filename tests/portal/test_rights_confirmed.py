"""Consequential rights are explained and asked once; afterwards the page says what
happened and what is still kept, until when and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.labels import period_label
from rekisteri.register.models import Customership, Person
from rekisteri.rights.models import SubjectRequest
from tests import policy_keys as keys
from tests.portal.conftest import page
from tests.portal.test_what_people_read import EMAILS, _visible
from tests.rights.conftest import SUBJECT_EMAIL, Subject

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
# Aino's invoices and payments are of 2025 (tests/rights/conftest.py).
BOOKED_IN = 2025
HOLD = _("%(what)s are kept until %(day)s, because the %(law)s requires it, and are then deleted.")


def _said(text: Any, **values: Any) -> str:
    """``text`` as the register says it in its own language, dates in its format."""
    with translation.override(keys.language()):
        shown = {
            k: formats.date_format(v, "SHORT_DATE_FORMAT") if isinstance(v, dt.date) else v
            for k, v in values.items()
        }
        return str(text) % shown


def _hold() -> tuple[str, dt.date]:
    """The sentence on what the law keeps of her invoices and payments, and until when:
    the end of the financial year they were booked in, and the years the rule names."""
    policy, lang = keys.policy(), keys.language()
    rule = policy.retention[policy.categories[keys.category_of("invoice.number")].hold or ""]
    until = dt.date(BOOKED_IN + (rule.years or 0), 12, 31)
    name = rule.name(lang)
    what = name[:1].upper() + name[1:]
    return _said(HOLD, what=what, day=until, law=rule.law(lang) if rule.law else ""), until


def _deleted_after(future: bool) -> str:
    """When the rest of her data go: the customership's rule after it ended today."""
    policy = keys.policy()
    rule = policy.retention[policy.categories[keys.contact_category()].retention]
    months = rule.months or 12 * (rule.years or 0)
    day = dt.date(
        TODAY.year + (TODAY.month - 1 + months) // 12, (TODAY.month - 1 + months) % 12 + 1, 1
    )
    with translation.override(keys.language()):
        period = period_label(rule)
    text = (
        _(
            "The rest of your data will be deleted on %(day)s, %(period)s after the "
            "customership ended."
        )
        if future
        else _("Your data will be deleted on %(day)s, %(period)s after the customership ended.")
    )
    return _said(text, day=day, period=period)


@time_machine.travel(TODAY, tick=False)
def test_ending_the_customership_says_when_the_data_go_before_and_after(
    aino: Subject, aino_client: Client
) -> None:
    # When Aino asks to end her customership
    asked = _visible(aino_client.post(page("request"), {"kind": "deletion"}).content.decode())

    # Then she is told what follows, with the days, and nothing has changed yet
    ends = _(
        "Your customership ends today, %(day)s. We stop sending you direct marketing "
        "at once. You can still sign in and see your data."
    )
    hold, _until = _hold()
    assert _said(ends, day=TODAY.date()) in asked
    assert _deleted_after(future=True) in asked
    assert hold in asked
    assert Customership.objects.filter(person=aino.person, ended_on__isnull=True).exists()
    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()

    # When she confirms
    done = aino_client.post(page("request"), {"kind": "deletion", "confirm": "yes"})
    after = _visible(aino_client.get(done["Location"]).content.decode())

    # Then the customership has ended and the page says when her data go, and it
    # still says so when she comes back later
    assert not Customership.objects.filter(person=aino.person, ended_on__isnull=True).exists()
    ended = _("Your customership has ended, and we no longer send you direct marketing.")
    assert _said(ended) in after
    assert _deleted_after(future=False) in after
    later = _visible(aino_client.get(page("my")).content.decode())
    assert _deleted_after(future=False) in later
    assert hold in later


@time_machine.travel(TODAY, tick=False)
def test_a_restriction_is_explained_and_applied_only_when_confirmed(
    aino: Subject, aino_client: Client
) -> None:
    asked = _visible(
        aino_client.post(page("request", "en"), {"kind": "restriction"}).content.decode()
    )

    assert "From now on your data are only stored" in asked
    assert Person.objects.get(pk=aino.pk).restricted_since is None

    done = aino_client.post(page("request", "en"), {"kind": "restriction", "confirm": "yes"})
    after = _visible(aino_client.get(done["Location"]).content.decode())

    assert Person.objects.get(pk=aino.pk).restricted_since is not None
    assert "The processing of your data is restricted" in after


@time_machine.travel(TODAY, tick=False)
def test_after_erasure_the_page_and_the_last_message_say_what_the_hold_keeps_until_when(
    aino: Subject, aino_client: Client, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        erased = _visible(
            aino_client.post(
                page("request"), {"kind": "erasure", "confirm": "yes"}
            ).content.decode()
        )

    hold, until = _hold()
    assert _said(_("Your data have been erased")) in erased
    assert hold in erased
    assert aino_client.get(page("my")).status_code == 302
    # The worker sends the message owed (rights/notify.py's outbox), in her language.
    jobs_run_queued()
    lang = keys.language()
    first_line = (EMAILS / f"request_erased_{lang}.txt").read_text(encoding="utf-8").splitlines()[0]
    subject = first_line.removeprefix("{% autoescape off %}").split(" (")[0]
    [last] = [m for m in smtp.to(SUBJECT_EMAIL) if m["Subject"].startswith(subject)]
    body = smtp.body(last)
    # The law and what it keeps are the policy's words, not a sentence typed for one company.
    policy = keys.policy()
    rule = policy.retention[policy.categories[keys.category_of("invoice.number")].hold or ""]
    assert rule.law is not None
    assert f"({rule.law(lang)})" in body
    with translation.override(lang):
        dates = {formats.date_format(until, f) for f in ("SHORT_DATE_FORMAT", "DATE_FORMAT")}
    assert any(f"{day}." in body for day in dates), dates
