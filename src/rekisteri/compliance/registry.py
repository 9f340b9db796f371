"""Every check of the self-check, in the order the command and the console read them.

A new promise gets its check in the app that owns the rule (``<app>/checks.py``)
and one line here.
"""

from __future__ import annotations

from rekisteri.audit import checks as audit
from rekisteri.consent import checks as consent
from rekisteri.core import checks as core
from rekisteri.core.selfcheck import Check, Checker
from rekisteri.register import checks as register
from rekisteri.retention import checks as retention
from rekisteri.rights import checks as rights

CHECKS: tuple[Checker, ...] = (
    retention.kept_past_retention,
    register.undeclared_fields,
    register.unlisted_sources,
    consent.unlisted_scopes,
    register.not_collected,
    consent.marketing_despite_objection,
    consent.marketing_while_restricted,
    rights.requests_overdue,
    audit.audit_chain,
    retention.ledger_whole,
    consent.ended_transfers_untold,
    rights.recipients_untold,
    rights.packages_failed,
    rights.messages_late,
    rights.notice_unannounced,
    retention.morphology_missing,
    core.jobs_not_taken_up,
)


def compliance_checks() -> list[Check]:
    """Every check with its count; zero means the promise is kept."""
    return [check for declared in CHECKS for check in declared()]


def rule_of(check: Check) -> str:
    """The rule (or field) a check names, for the promise's %(rule)s."""
    return check.rule
