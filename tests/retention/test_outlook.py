"""When one person's data go, as the portal tells them: by the policy's rules and holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from rekisteri.core.actors import SYSTEM
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.retention.outlook import person_retention_outlook
from tests import policy_keys as keys
from tests.retention.rules import months, voucher_hold

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def _person() -> int:
    return s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(first_name="Eino", last_name="Leino"),
    ).pk


def _customer_rule_months() -> int:
    policy = policy_get()
    [months] = {r.total_months for r in policy.retention.values() if r.after == "customership_end"}
    return months


@time_machine.travel(NOW, tick=False)
def test_a_customer_has_no_day_yet_and_ending_today_names_one() -> None:
    pid = _person()
    s.customership_start(
        actor=SYSTEM, person_id=pid, source=keys.service_source(), started_on=dt.date(2024, 1, 2)
    )

    standing = person_retention_outlook(person_id=pid)
    if_ended = person_retention_outlook(person_id=pid, ending_on=dt.date(2026, 12, 1))

    assert standing.customer
    assert standing.erased_on is None
    months = _customer_rule_months()
    assert if_ended.erased_on == dt.date(2026 + months // 12, 12, 1)


@time_machine.travel(NOW, tick=False)
def test_a_person_never_a_customer_goes_by_the_fallback_from_when_stored() -> None:
    pid = _person()

    outlook = person_retention_outlook(person_id=pid)

    policy = policy_get()
    fallback = policy.retention[outlook.rule]
    assert fallback.after == "registered"
    assert not outlook.customer
    assert outlook.erased_on is not None
    assert outlook.erased_on > NOW.date()


@time_machine.travel(NOW, tick=False)
def test_vouchers_are_held_to_the_end_of_the_hold_from_their_latest_date() -> None:
    pid = _person()
    s.invoice_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.billing_source(),
        number="2026-7",
        amount=Decimal("10.00"),
        issued_on=dt.date(2026, 2, 1),
        due_on=dt.date(2026, 2, 15),
        billing_name="Eino Leino",
        billing_address="Katu 1, 00100 Helsinki",
    )

    [hold] = person_retention_outlook(person_id=pid).holds

    # The hold's years from the end of the financial year (2026): six under the
    # Finnish Accounting Act 2:10, seven under the Swedish Bookkeeping Act 7:2.
    assert hold.rule == voucher_hold()
    assert hold.until == dt.date(2026 + months(voucher_hold()) // 12, 12, 31)
