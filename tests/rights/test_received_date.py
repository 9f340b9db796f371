"""A date of receipt is checked in the service: not in the future, not before the register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from rekisteri.core import clock
from rekisteri.core.errors import InvalidInput
from rekisteri.rights import services as rs
from rekisteri.rights.models import SubjectRequest
from tests import policy_keys as keys
from tests.console.conftest import signed_in
from tests.rights.conftest import DPO, REGISTER_SET_UP, Subject, aino

__all__ = ["aino"]

NOW = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=clock.zone())


@time_machine.travel(NOW, tick=False)
def test_a_request_cannot_have_arrived_before_the_register_existed(aino: Subject) -> None:
    began = rs.register_began_on()

    with pytest.raises(InvalidInput, match="before the register existed") as refused:
        rs.request_create(
            actor=DPO,
            person_id=aino.pk,
            kind="access",
            channel="letter",
            received_at=_noon(began - dt.timedelta(days=1)),
        )
    with pytest.raises(InvalidInput, match="before the register existed"):
        rs.request_create(
            actor=DPO,
            person_id=aino.pk,
            kind="access",
            channel="letter",
            received_at=dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        )
    first_day = rs.request_create(
        actor=DPO, person_id=aino.pk, kind="access", channel="letter", received_at=_noon(began)
    )

    assert refused.value.data == {"field": "received_at", "earliest": began.isoformat()}
    assert list(SubjectRequest.objects.all()) == [first_day]


@time_machine.travel(NOW, tick=False)
def test_the_register_began_on_the_date_its_description_states(aino: Subject) -> None:
    from rekisteri.policy.selectors import policy_get

    stated = policy_get().policy.text_date
    set_up = REGISTER_SET_UP.date()  # when the fixture's `rekisteri setup` ran

    # The earliest known: the description's own date, unless the register is older.
    assert rs.register_began_on() == min(stated or clock.today(), set_up)


@time_machine.travel(NOW, tick=False)
def test_the_command_line_refuses_the_year_one(
    aino: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="before the register existed") as refused:
        call_command(
            "request", "create", "--person", str(aino.pk), "--kind", "access",
            "--received", "0001-01-01",
        )  # fmt: skip

    assert refused.value.returncode == 1
    assert not SubjectRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_console_refuses_the_year_one_and_the_future_with_a_clear_message(
    aino: Subject, enrolled: Callable[[str, str], User]
) -> None:
    client = signed_in(enrolled("tietosuoja", keys.request_role()))
    form = {
        "person_id": str(aino.pk),
        "kind": "access",
        "channel": "letter",
        "language": keys.language(),
        "action": "register",
    }

    ancient = client.post("/console/requests", {**form, "received_on": "0001-01-01"})
    future = client.post("/console/requests", {**form, "received_on": "2026-02-03"})

    # In the register's language: the rule's words, and the field they are about.
    with translation.override(keys.language()):
        before_began = (
            gettext("%(field)s: the date cannot be before the register began (%(earliest)s).")
            .split(": ", 1)[1]
            .split(" (")[0]
        )
        in_future = f"{gettext('Received on')}: {gettext('the date cannot be in the future.')}"
    assert ancient.status_code == 400
    assert before_began in ancient.content.decode()
    assert future.status_code == 400
    assert in_future in future.content.decode()
    assert not SubjectRequest.objects.exists()
