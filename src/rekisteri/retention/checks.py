"""The retention promises the self-check counts: periods kept (notice §6), the erasure
ledger whole, and names anonymised in every inflection."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from rekisteri.core.selfcheck import Check
from rekisteri.policy.selectors import policy_get
from rekisteri.retention.ledger import ledger_verify
from rekisteri.retention.replay import ledger_foreign, ledger_people_back, ledger_reconcile
from rekisteri.retention.scrub import morphology_available
from rekisteri.retention.sweep import retention_run


def kept_past_retention() -> list[Check]:
    """One line per rule that has people or rows due; and vouchers whose hold has ended."""
    # The sweep's own dry run: the check counts exactly what the sweep would erase.
    due = retention_run(dry_run=True)
    checks = [
        Check(
            f"retention.{rule}",
            gettext_noop("People kept past their retention period (rule: %(rule)s)"),
            count,
            rule=rule,
        )
        for rule, count in sorted(due.people.items())
    ]
    checks += [
        Check(
            f"retention.{rule}",
            gettext_noop("Rows kept past their retention period (rule: %(rule)s)"),
            count,
            rule=rule,
        )
        for rule, count in sorted(due.rows.items())
    ]
    checks.append(
        Check(
            "retention.holds",
            gettext_noop("Erased people whose legal hold has ended but whose vouchers remain"),
            due.holds_ended,
        )
    )
    return checks


def ledger_whole() -> list[Check]:
    """The erasure ledger: its chain, erased people back after a restore, foreign lines."""
    # Intents a crash left open are settled first: only committed erasures count.
    ledger_reconcile()
    return [
        Check(
            "ledger.chain",
            gettext_noop("Problems in the erasure ledger"),
            len(ledger_verify()),
        ),
        Check(
            "ledger.back",
            gettext_noop(
                "Erased people in the database again (a restore without `rekisteri restore-replay`)"
            ),
            ledger_people_back(),
        ),
        Check(
            "ledger.foreign",
            gettext_noop(
                "Erasures in the ledger that belong to another register's database (left alone)"
            ),
            ledger_foreign(),
            finding=False,
        ),
    ]


def _finnish_names_expected() -> bool:
    """Finnish free text, hence inflected Finnish names, comes to a register that
    offers Finnish or whose controller is in Finland."""
    policy = policy_get()
    return "fi" in policy.policy.languages or policy.controller.country == "FI"


def morphology_missing() -> list[Check]:
    """Without Voikko an inflected name ("Ainolle") may survive the anonymisation of free text."""
    missing = _finnish_names_expected() and not morphology_available()
    return [
        Check(
            "anonymisation.morphology",
            gettext_noop(
                "Finnish morphology (Voikko) is missing: inflected names may survive anonymisation"
            ),
            1 if missing else 0,
        )
    ]
