"""Verified e-mail addresses and changes of them that wait for the person."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Any

import pytest
import time_machine
from django.apps import apps

from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.core.errors import InvalidInput
from rekisteri.core.jobs import jobs_daily_enqueue, jobs_run_queued
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.register.models import EmailAddress, EmailChange, EmailChangeState
from rekisteri.rights.subjects import email_change_link_use

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _sources() -> tuple[str, str]:
    """A source the person gives contact details through, and a third party's: both
    sources the policy lists for contact details."""
    policy = policy_get()
    contact = policy.categories[policy.category_of_field("email_address.address") or ""]
    sources = {key: policy.sources[key] for key in contact.sources}
    own = next(key for key, source in sources.items() if source.from_subject)
    other = next(key for key, source in sources.items() if not source.from_subject)
    return own, other


def _person(email: str, source: str) -> int:
    return s.person_register(
        actor=SYSTEM,
        source=source,
        person=s.PersonIn(first_name="Aino", last_name="Virtanen", email=email),
    ).pk


def _change(person_id: int, email: str, actor: Actor = SYSTEM) -> None:
    own, _ = _sources()
    s.person_contact_update(actor=actor, person_id=person_id, source=own, purpose=None, email=email)


def _verified(person_id: int) -> dict[str, bool]:
    rows = EmailAddress.objects.filter(person_id=person_id)
    return {row.address: row.verified_at is not None for row in rows}


def test_an_address_the_person_gave_is_verified_and_one_from_a_third_party_is_not() -> None:
    own, other = _sources()

    mine = _person("aino@example.fi", own)
    theirs = _person("eero@example.fi", other)

    assert _verified(mine) == {"aino@example.fi": True}
    assert _verified(theirs) == {"eero@example.fi": False}


def test_the_migration_counts_addresses_from_the_person_as_verified() -> None:
    own, other = _sources()
    mine, theirs = _person("aino@example.fi", own), _person("eero@example.fi", other)
    EmailAddress.objects.update(verified_at=None)
    migration = importlib.import_module("rekisteri.register.migrations.0007_email_verified")

    migration._verify_what_the_person_gave(apps, None)

    assert _verified(mine) == {"aino@example.fi": True}
    assert _verified(theirs) == {"eero@example.fi": False}
    row = EmailAddress.objects.get(person_id=mine)
    assert row.verified_at == row.stored_at


def test_the_person_changing_their_own_address_needs_no_confirmation() -> None:
    own, _ = _sources()
    person_id = _person("aino@example.fi", own)

    _change(person_id, "aino@uusi.example.fi", Actor(ActorKind.SUBJECT, str(person_id)))

    assert _verified(person_id) == {"aino@uusi.example.fi": True}
    assert not EmailChange.objects.exists()


def test_a_later_change_replaces_one_still_waiting() -> None:
    own, _ = _sources()
    person_id = _person("aino@example.fi", own)

    _change(person_id, "eka@example.org")
    _change(person_id, "toka@example.org")

    assert _verified(person_id) == {"aino@example.fi": True, "toka@example.org": False}
    first, second = EmailChange.objects.order_by("pk")
    assert (first.state, second.state) == (EmailChangeState.SUPERSEDED, EmailChangeState.PENDING)
    with pytest.raises(InvalidInput):
        s.email_change_confirm(actor=SYSTEM, change_id=first.pk)


def test_the_replaced_address_goes_once_a_confirmed_change_can_no_longer_be_undone() -> None:
    own, _ = _sources()
    with time_machine.travel(START, tick=False):
        person_id = _person("aino@example.fi", own)
        _change(person_id, "aino@uusi.example.fi")
        change = EmailChange.objects.get()
        s.email_change_confirm(actor=SYSTEM, change_id=change.pk)
        jobs_run_queued()
    assert _verified(person_id) == {"aino@example.fi": True, "aino@uusi.example.fi": True}

    with time_machine.travel(START + dt.timedelta(days=s.EMAIL_UNDO_DAYS + 1), tick=False):
        jobs_daily_enqueue()
        jobs_run_queued()

    assert _verified(person_id) == {"aino@uusi.example.fi": True}
    change.refresh_from_db()
    assert change.state == EmailChangeState.SETTLED


def test_setting_a_confirmed_address_again_keeps_the_old_one_for_the_undo() -> None:
    own, _ = _sources()
    person_id = _person("aino@example.fi", own)
    _change(person_id, "taker@example.org")
    first = EmailChange.objects.get()
    s.email_change_confirm(actor=SYSTEM, change_id=first.pk)

    # The same address again, now verified: nothing to confirm, nothing removed.
    _change(person_id, "taker@example.org")
    s.email_change_undo(actor=SYSTEM, change_id=first.pk)

    assert _verified(person_id) == {"aino@example.fi": True}


def _undo_token(mailbox: list[Any], address: str) -> str:
    for message in mailbox:
        found = re.search(r"\?t=(\S+)", message.body)
        if address in message.to and found:
            return found.group(1)
    raise AssertionError("no link sent to the address")


def test_a_change_over_an_unverified_address_tells_it_and_can_be_undone_from_it(
    mailoutbox: list[Any],
) -> None:
    _, other = _sources()
    person_id = _person("aino@hakemisto.example.fi", other)

    _change(person_id, "attacker@evil.test")
    jobs_run_queued()

    token = _undo_token(mailoutbox, "aino@hakemisto.example.fi")
    email_change_link_use(token=token, action="undo", origin="test")
    assert _verified(person_id) == {"aino@hakemisto.example.fi": False}


def test_confirming_a_change_gives_no_sign_in_when_the_person_had_no_verified_address(
    mailoutbox: list[Any],
) -> None:
    _, other = _sources()
    with time_machine.travel(START, tick=False):
        person_id = _person("aino@hakemisto.example.fi", other)
        _change(person_id, "attacker@evil.test")
        jobs_run_queued()
        s.email_change_confirm(actor=SYSTEM, change_id=EmailChange.objects.get().pk)
    assert _verified(person_id) == {
        "aino@hakemisto.example.fi": False,
        "attacker@evil.test": False,
    }

    with time_machine.travel(START + dt.timedelta(days=s.EMAIL_UNDO_DAYS + 1), tick=False):
        jobs_daily_enqueue()
        jobs_run_queued()
    # The new address became the contact address, but sign-in links never go to it.
    assert _verified(person_id) == {"attacker@evil.test": False}
