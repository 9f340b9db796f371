"""Billing: accounts, invoices, payments and cards as the payment provider knows them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, InvalidInput
from rekisteri.register import validation as v
from rekisteri.register.models import (
    BillingAccount,
    Invoice,
    Payment,
    PaymentCard,
)
from rekisteri.register.services.writing import collected_require, person_lock, person_row_add


def _amount(value: Decimal, field: str) -> Decimal:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2 or abs(value) >= Decimal(10**10):
        raise InvalidInput(
            f"{field}: must be a sum with at most two decimals", data={"field": field}
        )
    return value


@transaction.atomic
def payment_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    amount: Decimal,
    currency: str = "EUR",
    method: str = "",
    paid_at: dt.datetime | None = None,
) -> Payment:
    v.refuse_card_number(method, field="method")
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise InvalidInput("currency: must be an ISO 4217 code", data={"field": "currency"})
    return person_row_add(
        actor=actor,
        model=Payment,
        person_id=person_id,
        source=source,
        amount=_amount(amount, "amount"),
        currency=currency,
        method=v.clean_text(method, field="method", max_length=30, required=False),
        paid_at=paid_at or clock.now(),
    )


@transaction.atomic
def invoice_record(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    number: str,
    amount: Decimal,
    issued_on: dt.date,
    due_on: dt.date,
    billing_name: str,
    billing_address: str,
) -> Invoice:
    if due_on < issued_on:
        raise InvalidInput("due_on: cannot be before issued_on", data={"field": "due_on"})
    clean_number = v.clean_text(number, field="number", max_length=50)
    if Invoice.objects.filter(number=clean_number).exists():
        raise Conflict("number: an invoice with this number exists")
    return person_row_add(
        actor=actor,
        model=Invoice,
        person_id=person_id,
        source=source,
        number=clean_number,
        amount=_amount(amount, "amount"),
        issued_on=issued_on,
        due_on=due_on,
        billing_name=v.clean_text(billing_name, field="billing_name", max_length=200),
        billing_address=v.clean_text(billing_address, field="billing_address", max_length=300),
    )


@transaction.atomic
def payment_card_add(
    *,
    actor: Actor,
    person_id: int,
    source: str,
    provider_token: str,
    brand: str,
    last_four: str,
    expires: dt.date,
) -> PaymentCard:
    """Keep a card as the payment provider knows it; a full card number is refused."""
    collected_require(
        PaymentCard,
        {"provider_token": provider_token, "brand": brand, "last_four": last_four},
    )
    for field, value in (("provider_token", provider_token), ("brand", brand)):
        v.refuse_card_number(value, field=field)
    return person_row_add(
        actor=actor,
        model=PaymentCard,
        person_id=person_id,
        source=source,
        provider_token=v.clean_text(provider_token, field="provider_token", max_length=200),
        brand=v.clean_text(brand, field="brand", max_length=30),
        last_four=v.clean_last_four(last_four),
        expires=expires,
    )


@transaction.atomic
def billing_account_set(
    *, actor: Actor, person_id: int, source: str, e_invoice_address: str = "", reference: str = ""
) -> BillingAccount:
    """Replace the person's billing identifiers (never a card number)."""
    collected_require(
        BillingAccount, {"e_invoice_address": e_invoice_address, "reference": reference}
    )
    for field, value in (("e_invoice_address", e_invoice_address), ("reference", reference)):
        v.refuse_card_number(value, field=field)
    person_lock(person_id)
    BillingAccount.objects.filter(person_id=person_id).delete()
    return person_row_add(
        actor=actor,
        model=BillingAccount,
        person_id=person_id,
        source=source,
        e_invoice_address=v.clean_text(
            e_invoice_address, field="e_invoice_address", max_length=100, required=False
        ),
        reference=v.clean_text(reference, field="reference", max_length=100, required=False),
    )
