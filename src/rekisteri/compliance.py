"""The compliance self-check: the live data against the policy's promises.

Each check counts what breaks one promise of the notice; a count above zero is
a finding. `rekisteri check` prints them and exits non-zero on any; the
console's compliance page shows the same beside what falls due next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from rekisteri.audit.selectors import audit_verify
from rekisteri.consent.selectors import (
    consent_events_unlisted_scope,
    deliveries_despite_objection,
    deliveries_while_restricted,
)
from rekisteri.consent.transfers import transfers_untold
from rekisteri.policy.selectors import policy_get
from rekisteri.register.catalogue import catalogue_gaps, rows_with_unlisted_source
from rekisteri.register.selectors import not_collected_stored
from rekisteri.retention.ledger import ledger_verify
from rekisteri.retention.replay import ledger_foreign, ledger_people_back, ledger_reconcile
from rekisteri.retention.scrub import morphology_available
from rekisteri.retention.sweep import retention_run
from rekisteri.rights.announcements import notice_versions_unannounced
from rekisteri.rights.notify import messages_unsent
from rekisteri.rights.recipients import recipient_notices_unsent
from rekisteri.rights.selectors import requests_overdue_count, requests_work_failed


@dataclass(frozen=True)
class Check:
    key: str
    # English; the console translates it (the strings are marked below).
    promise: str
    count: int
    # False for a note: the count is told, but it breaks no promise.
    finding: bool = True

    @property
    def ok(self) -> bool:
        return self.count == 0 or not self.finding

    def text(self, translate: Callable[[str], str] = str) -> str:
        return translate(self.promise) % {"rule": rule_of(self), "table": table_of(self)}


def compliance_checks() -> list[Check]:
    """Every check with its count; zero means the promise is kept."""
    due = retention_run(dry_run=True)
    # Intents a crash left open are settled first: only committed erasures count.
    ledger_reconcile()
    checks = [
        Check(
            f"retention.{rule}",
            gettext_noop("People kept past their retention period (rule: %(rule)s)"),
            count,
        )
        for rule, count in sorted(due.people.items())
    ]
    checks += [
        Check(
            f"retention.{rule}",
            gettext_noop("Rows kept past their retention period (rule: %(rule)s)"),
            count,
        )
        for rule, count in sorted(due.rows.items())
    ]
    checks += [
        Check(
            "retention.holds",
            gettext_noop("Erased people whose legal hold has ended but whose vouchers remain"),
            due.holds_ended,
        ),
        Check(
            "catalogue.undeclared",
            gettext_noop("Fields of personal data that no category of the policy declares"),
            len(catalogue_gaps(policy_get())),
        ),
        *_source_checks(),
        Check(
            "consent.scopes",
            gettext_noop("Consent events on a scope the policy does not list for their choice"),
            consent_events_unlisted_scope(),
        ),
    ]
    # One finding per field that holds what the register says it does not collect.
    stored = not_collected_stored()
    checks += [
        Check(
            f"not_collected.{field}",
            gettext_noop(
                "Stored values in a field the register description declares not collected "
                "(%(rule)s)"
            ),
            count,
        )
        for field, count in sorted(stored.items())
    ] or [
        Check(
            "not_collected",
            gettext_noop("Stored values in fields the register description declares not collected"),
            0,
        )
    ]
    checks += [
        Check(
            "marketing.objected",
            gettext_noop("Marketing deliveries sent after the person objected to marketing"),
            deliveries_despite_objection(),
        ),
        Check(
            "marketing.restricted",
            gettext_noop("Marketing deliveries sent while the person's processing was restricted"),
            deliveries_while_restricted(),
        ),
        Check(
            "requests.overdue",
            gettext_noop("Data subject requests past their due date"),
            requests_overdue_count(),
        ),
        Check(
            "audit.chain",
            gettext_noop("Problems in the audit chain"),
            len(audit_verify()),
        ),
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
        Check(
            "transfers.untold",
            gettext_noop("Ended transfers whose recipient has not been told"),
            transfers_untold(),
        ),
        Check(
            "recipients.untold",
            gettext_noop(
                "Recipients not yet told of a rectification, erasure or restriction (Art. 19)"
            ),
            recipient_notices_unsent(),
        ),
        Check(
            "requests.work_failed",
            gettext_noop(
                "Open requests whose package could not be built "
                "(`rekisteri jobs list --state failed`, then `rekisteri jobs retry`)"
            ),
            len(requests_work_failed()),
        ),
        Check(
            "messages.unsent",
            gettext_noop(
                "Messages owed to people about their requests, not sent within an hour "
                "or given up after a week of refusals (`rekisteri jobs list --state failed`)"
            ),
            messages_unsent(),
        ),
        Check(
            "notice.unannounced",
            gettext_noop(
                "Notice versions that change what is processed, why, how long or to whom, "
                "never announced (`rekisteri notice announce`)"
            ),
            len(notice_versions_unannounced()),
        ),
        Check(
            "anonymisation.morphology",
            gettext_noop(
                "Finnish morphology (Voikko) is missing: inflected names may survive anonymisation"
            ),
            0 if morphology_available() else 1,
        ),
    ]
    return checks


def _source_checks() -> list[Check]:
    """One finding per table whose rows came from a source the policy does not list for
    their data; one line that says so when no table has any."""
    unlisted = rows_with_unlisted_source(policy_get())
    if not unlisted:
        return [
            Check(
                "sources",
                gettext_noop("Rows stored under a source the policy does not list for their data"),
                0,
            )
        ]
    return [
        Check(
            f"sources.{table}",
            gettext_noop(
                "Rows stored under a source the policy does not list for their data "
                "(table: %(table)s)"
            ),
            count,
        )
        for table, count in sorted(unlisted.items())
    ]


def table_of(check: Check) -> str:
    """The table a source check names, for the promise's %(table)s."""
    return check.key.split(".", 1)[1] if check.key.startswith("sources.") else ""


def rule_of(check: Check) -> str:
    """The rule (or field) a check names, for the promise's %(rule)s."""
    kind, _, named = check.key.partition(".")
    return named if kind in {"retention", "not_collected"} else ""
