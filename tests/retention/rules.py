"""The loaded description's retention rules, found by what they keep.

The sweep reports by rule key, and each description names and times its rules in
its own way; tests ask here instead of naming Mainioco's keys or months.
"""

from __future__ import annotations

from tests.policy_keys import category_of, policy


def customer_rule() -> str:
    """The rule that keeps a customer's data after the customership ends."""
    return policy().categories[category_of("customership.started_on")].retention


def never_customer_rule() -> str:
    """The rule for a person who never became a customer (the customer rule's fallback)."""
    fallback = policy().retention[customer_rule()].fallback
    if fallback is None:
        raise LookupError("the customer rule of the policy has no fallback")
    return fallback


def web_rule() -> str:
    """The rule for web visits, which go on their own clock."""
    return policy().categories[category_of("web_visit.ip_address")].retention


def voucher_hold() -> str:
    """The legal hold that keeps invoices and payments for the accounting law."""
    hold = policy().categories[category_of("invoice.number")].hold
    if hold is None:
        raise LookupError("the policy holds no accounting records")
    return hold


def months(rule: str) -> int:
    return policy().retention[rule].total_months
