"""After a restore: erase again everyone the erasure ledger says was erased.

A backup taken before an erasure brings the person back when it is restored.
The ledger is outside the database, so it still knows. Each entry names the
person by id and by a salted hash of their random pseudonym: a person who got
the same id later (after the restore) has another pseudonym and is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rekisteri.core.actors import Actor, ActorKind
from rekisteri.register import models as m
from rekisteri.retention.erasure import identifiers_suppress, people_erase, pseudonym_digest
from rekisteri.retention.ledger import LedgerEntry, LedgerProblem, ledger_read, ledger_verify
from rekisteri.retention.sweep import id_chunks

REPLAYER = Actor(ActorKind.SYSTEM, "restore-replay", origin="restore replay")
BATCH = 500


@dataclass
class ReplayReport:
    entries: int = 0
    # Found in the database again and erased again.
    erased: int = 0
    # Not there (or only the husk a legal hold keeps): nothing to do.
    already_erased: int = 0
    # The id now belongs to someone else: left alone.
    other_person: int = 0
    # Identifiers of people erased on request, put back on the suppression list.
    suppressed: int = 0
    problems: list[LedgerProblem] = field(default_factory=list)


def _by_person(entries: list[LedgerEntry]) -> dict[int, list[LedgerEntry]]:
    found: dict[int, list[LedgerEntry]] = {}
    for entry in entries:
        found.setdefault(entry.person_id, []).append(entry)
    return found


def _returned(entries: dict[int, list[LedgerEntry]], ids: list[int]) -> dict[int, bool]:
    """Of these ids, the people who are back: id -> whether the same person (pseudonym)."""
    back = m.Person.objects.filter(pk__in=ids, erased_at__isnull=True).values_list(
        "pk", "pseudonym"
    )
    return {
        pid: pseudonym_digest(pseudonym) in {e.pseudonym for e in entries[pid]}
        for pid, pseudonym in back
    }


def ledger_people_back() -> int:
    """How many people the ledger says were erased are in the database again."""
    entries = _by_person(list(ledger_read()))
    return sum(
        sum(_returned(entries, chunk).values()) for chunk in id_chunks(sorted(entries), BATCH)
    )


def restore_replay() -> ReplayReport:
    """Re-apply every erasure in the ledger; safe to run again and again."""
    report = ReplayReport(problems=ledger_verify())
    all_entries = list(ledger_read())
    report.entries = len(all_entries)
    entries = _by_person(all_entries)
    digests = sorted({d for e in all_entries if e.suppress for d in e.identifiers})
    report.suppressed = identifiers_suppress(digests)
    for chunk in id_chunks(sorted(entries), BATCH):
        returned = _returned(entries, chunk)
        same = [pid for pid, is_same in returned.items() if is_same]
        report.other_person += len(returned) - len(same)
        report.already_erased += len(chunk) - len(returned)
        for forgotten in (True, False):
            group = [pid for pid in same if any(e.suppress for e in entries[pid]) == forgotten]
            if group:
                report.erased += len(
                    people_erase(
                        actor=REPLAYER,
                        person_ids=group,
                        reason="restore replay",
                        forgotten=forgotten,
                        record=False,
                    )
                )
    return report
