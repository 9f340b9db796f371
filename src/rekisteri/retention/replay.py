"""After a restore: erase again everyone the erasure ledger says was erased.

A backup taken before an erasure brings the person back when it is restored.
The ledger is outside the database, so it still knows. Each entry names the
person by id and by a salted hash of their random pseudonym: a person who got
the same id later (after the restore) has another pseudonym and is left alone.
Only this register's erasures that committed count; another register's lines
are named and left alone, and an intent a crash left open is first settled
from the database (``ledger_reconcile``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.identity import register_identity
from rekisteri.register import models as m
from rekisteri.register.services import people_lock
from rekisteri.retention.erasure import people_erase
from rekisteri.retention.identifiers import identifiers_suppress, pseudonym_digest
from rekisteri.retention.ledger import (
    ABORTED,
    COMMITTED,
    LedgerEntry,
    LedgerOutcome,
    LedgerProblem,
    ledger_append,
    ledger_state,
    ledger_verify,
)
from rekisteri.retention.models import ErasureMark
from rekisteri.retention.sweep import id_chunks

logger = logging.getLogger(__name__)

REPLAYER = Actor(ActorKind.SYSTEM, "restore-replay", origin="restore replay")
# The worker's own replay, when it finds erased people back after a restore.
WORKER_REPLAYER = Actor(ActorKind.SYSTEM, "restore-replay", origin="worker")
BATCH = 500


@dataclass
class ReplayReport:
    entries: int = 0
    # Found in the database again and erased again.
    erased: int = 0
    erased_ids: list[int] = field(default_factory=list)
    # Not there (or only the husk a legal hold keeps): nothing to do.
    already_erased: int = 0
    # The id now belongs to someone else: left alone.
    other_person: int = 0
    # Identifiers of people erased on request, put back on the suppression list.
    suppressed: int = 0
    # Lines of another register's ledger (or of none): left alone.
    foreign: int = 0
    # Intents of erasures that never committed: void, left alone.
    aborted: int = 0
    problems: list[LedgerProblem] = field(default_factory=list)


def ledger_reconcile() -> int:
    """Settle every open intent of this register from the database; return how many erasures.

    An intent has no outcome when the process died between the intent and its
    outcome line, or while the erasure's transaction is still running. The
    people are locked first, so a running erasure is waited for; then the
    erasure's mark says whether it committed. In doubt it is settled as not
    committed (no one is erased on a guess), so run it on the database the
    erasure ran on before restoring an older backup: the worker does at start.
    """
    register = register_identity()
    state = ledger_state(register)
    for erasure, entries in state.open.items():
        with transaction.atomic():
            people_lock([e.person_id for e in entries])
            committed = ErasureMark.objects.filter(pk=erasure).exists()
            ledger_append(
                [
                    LedgerOutcome(
                        erasure=erasure,
                        register=register,
                        outcome=COMMITTED if committed else ABORTED,
                        at=clock.now().isoformat(),
                        settled_by="reconciliation",
                    )
                ]
            )
    return len(state.open)


def _by_person(entries: list[LedgerEntry]) -> dict[int, list[LedgerEntry]]:
    found: dict[int, list[LedgerEntry]] = {}
    for entry in entries:
        found.setdefault(entry.person_id, []).append(entry)
    return found


def _returned(entries: dict[int, list[LedgerEntry]], ids: list[int]) -> dict[int, bool]:
    """Of these ids, the people who are back: id -> whether the same person (pseudonym)."""
    back = m.Person.objects.living().filter(pk__in=ids).values_list("pk", "pseudonym")
    return {
        pid: pseudonym_digest(pseudonym) in {e.pseudonym for e in entries[pid]}
        for pid, pseudonym in back
    }


def ledger_people_back() -> int:
    """How many people whose erasure in this register committed are in the database again."""
    entries = _by_person(ledger_state(register_identity()).committed)
    return sum(
        sum(_returned(entries, chunk).values()) for chunk in id_chunks(sorted(entries), BATCH)
    )


def ledger_foreign() -> int:
    """How many erasures in the ledger are another register's (left alone)."""
    return ledger_state(register_identity()).foreign


def restore_replay(*, actor: Actor = REPLAYER) -> ReplayReport:
    """Re-apply every committed erasure of this register in the ledger; safe to run again."""
    report = ReplayReport(problems=ledger_verify())
    ledger_reconcile()
    state = ledger_state(register_identity())
    report.entries = len(state.committed)
    report.foreign = state.foreign
    report.aborted = state.aborted
    entries = _by_person(state.committed)
    digests = sorted({d for e in state.committed if e.suppress for d in e.identifiers})
    report.suppressed = identifiers_suppress(digests)
    for chunk in id_chunks(sorted(entries), BATCH):
        returned = _returned(entries, chunk)
        same = [pid for pid, is_same in returned.items() if is_same]
        report.other_person += len(returned) - len(same)
        report.already_erased += len(chunk) - len(returned)
        for forgotten in (True, False):
            group = [pid for pid in same if any(e.suppress for e in entries[pid]) == forgotten]
            if group:
                erased = people_erase(
                    actor=actor,
                    person_ids=group,
                    reason="restore replay",
                    forgotten=forgotten,
                    record=False,
                )
                report.erased += len(erased)
                report.erased_ids.extend(sorted(erased))
    report.erased_ids.sort()
    return report


def ledger_watch() -> ReplayReport | None:
    """Settle the ledger, and erase again anyone a restore brought back; None when no one was.

    The worker runs this at start-up and every few minutes, so that a restore
    is repaired without anyone remembering ``rekisteri restore-replay``; each
    person erased again gets an audit entry (actor restore-replay, origin
    worker), and the log says how many, by id.
    """
    ledger_reconcile()
    if not ledger_people_back():
        return None
    report = restore_replay(actor=WORKER_REPLAYER)
    logger.warning(
        "erased people were back in the database (a restore?): erased again %d, ids %s",
        report.erased,
        report.erased_ids,
    )
    return report
