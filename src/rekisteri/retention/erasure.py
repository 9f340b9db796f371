"""The erasure engine: forget a batch of people, driven by the policy's categories.

One transaction per batch, one statement per table: each table's rows go as
its category's strategy says (``strategies``); a forgotten person's identifiers
also leave others' free text and enter the suppression list (``identifiers``);
the erasure ledger records the intent and the commit (``ledger``).
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from django.db import connection, models, transaction
from django.db.models.expressions import RawSQL

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record_many
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import NotFound
from rekisteri.core.faults import fault_point
from rekisteri.core.identity import register_identity
from rekisteri.core.mail import mail_copies_forget
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.catalogue import model_categories
from rekisteri.register.services import people_lock
from rekisteri.retention.identifiers import (
    digests_of,
    identifier_digest,
    identifier_suppressed,
    identifiers_of,
    identifiers_suppress,
    pseudonym_digest,
    scrub_elsewhere,
)
from rekisteri.retention.ledger import COMMITTED, LedgerEntry, LedgerOutcome, ledger_append
from rekisteri.retention.models import ErasureMark
from rekisteri.retention.strategies import (
    ErasureCertificate,
    ErasureJob,
    date_field_of,
    erasure_strategy,
    hold_until,
    person_tables,
    rows_delete,
)

# Where the rest of the retention app and the doors have always found them.
__all__ = [
    "ErasureCertificate",
    "date_field_of",
    "hold_until",
    "identifier_digest",
    "identifier_suppressed",
    "identifiers_suppress",
    "people_erase",
    "person_erase",
    "person_tables",
    "pseudonym_digest",
    "rows_delete",
]


@transaction.atomic
def people_erase(
    *,
    actor: Actor,
    person_ids: list[int],
    reason: str,
    forgotten: bool,
    record: bool = True,
) -> dict[int, ErasureCertificate]:
    """Erase a batch of people in one transaction, set-based: one statement per table.

    ``forgotten`` is the Art. 17 request: the person's identifiers are also
    replaced in others' free text and enter the suppression list. The retention
    sweep erases without either; a returning customer is welcome. ``record``
    writes the erasure ledger (off when the ledger itself is being replayed).
    People already erased or gone are skipped; the certificates say who was erased.
    """
    policy = policy_get()
    # The same lock, in the same order, as every write for a person: no write
    # for these people can commit after this erasure does.
    people = people_lock(person_ids)
    if not people:
        return {}
    ids = [p.pk for p in people]
    pseudonyms = {p.pk: pseudonym_digest(p.pseudonym) for p in people}
    who = identifiers_of(people)
    now = clock.now()
    certificates = {
        pid: ErasureCertificate(person_id=pid, erased_at=now.isoformat()) for pid in ids
    }
    digests = {pid: digests_of(who[pid]) for pid in ids}
    if forgotten:
        for pid in ids:
            certificates[pid].scrubbed_elsewhere = scrub_elsewhere(who[pid], pid, policy)
            certificates[pid].suppressed_identifiers = identifiers_suppress(digests[pid])
    represented = set(
        m.OrganisationRole.objects.filter(person_id__in=ids).values_list(
            "organisation_id", flat=True
        )
    )
    for model, category_key, category in person_tables(policy):
        rows = model.objects.filter(person_id__in=ids)  # type: ignore[attr-defined]
        erasure_strategy(category.erasure)(
            ErasureJob(model, category_key, category, rows, who, policy, certificates)
        )
    _erase_lonely_organisations(represented, certificates)
    held = [pid for pid in ids if certificates[pid].kept]
    if held:
        # A minimised husk links the held vouchers until their hold ends; nothing
        # else of the person remains, and the pseudonym no longer matches anything.
        # One statement for the batch; each husk gets a fresh random pseudonym from
        # the database (a per-row bulk_update cost 2.4 s per 1,000 people).
        fresh = (
            "gen_random_uuid()"
            if connection.vendor == "postgresql"
            else "lower(hex(randomblob(16)))"
        )
        m.Person.objects.filter(pk__in=held).update(
            first_name="",
            last_name="",
            gender="",
            job_title="",
            personal_identity_code=None,
            birth_year=None,
            pseudonym=RawSQL(fresh, []),  # noqa: S611 - a constant expression
            restricted_since=now,
            erased_at=now,
        )
    rows_delete(m.Person.objects.filter(pk__in=[pid for pid in ids if pid not in set(held)]))
    for key in model_categories(m.Person, policy):
        for certificate in certificates.values():
            certificate.erased[key] = certificate.erased.get(key, 0) + 1
    audit_record_many(
        actor=actor,
        event=AuditEvent.PERSON_ERASED,
        person_ids=ids,
        categories=sorted({k for c in certificates.values() for k in c.erased}),
        data={"reason": reason},
    )
    # Outside production the mail files are a mailbox's stand-in: no copy of an
    # erased person's address stays there either.
    addresses = [a for pid in ids for a in who[pid].emails]
    transaction.on_commit(lambda: mail_copies_forget(addresses), robust=True)
    if record:
        _ledger_record(
            [
                LedgerEntry(
                    person_id=pid,
                    at=now.isoformat(),
                    reason=reason,
                    suppress=forgotten,
                    pseudonym=pseudonyms[pid],
                    identifiers=tuple(digests[pid]),
                )
                for pid in ids
            ]
        )
    return certificates


def _ledger_record(entries: list[LedgerEntry]) -> None:
    """Write the erasure's intent now, its outcome once it has committed (see ledger.py)."""
    erasure = uuid.uuid4()
    register = register_identity()
    # The database's witness of the commit: it commits with the erasure or not at all.
    ErasureMark.objects.create(id=erasure, at=clock.now())
    fault_point("erasure.before-intent")
    ledger_append(replace(e, erasure=str(erasure), register=register) for e in entries)
    fault_point("erasure.after-intent")

    def committed() -> None:
        fault_point("erasure.after-commit")
        ledger_append(
            [
                LedgerOutcome(
                    erasure=str(erasure),
                    register=register,
                    outcome=COMMITTED,
                    at=clock.now().isoformat(),
                    settled_by="commit",
                )
            ]
        )

    # Robust: the erasure stands even if the file cannot be written now; the
    # intent stays open and the reconciliation settles it from the mark.
    transaction.on_commit(committed, robust=True)


def _erase_lonely_organisations(
    represented: set[int], certificates: dict[int, ErasureCertificate]
) -> None:
    """An organisation no one represents any more goes with its last person (logo, site)."""
    # NOT EXISTS, an anti-join by index: NOT IN over every role scanned them per row.
    lonely = m.Organisation.objects.filter(pk__in=represented).exclude(
        models.Exists(m.OrganisationRole.objects.filter(organisation_id=models.OuterRef("pk")))
    )
    logos = [o.logo for o in lonely.only("pk", "logo") if o.logo]
    gone = rows_delete(lonely)
    if logos:
        # Files are not transactional: they go only once the rows are surely gone.
        transaction.on_commit(lambda: [logo.delete(save=False) for logo in logos])
    if gone and len(certificates) == 1:
        only = next(iter(certificates.values()))
        # Counted under the category that holds the organisations' data.
        for category in policy_get().categories_of("organisation.name"):
            only.erased[category] = only.erased.get(category, 0) + gone


def person_erase(*, actor: Actor, person_id: int, reason: str) -> ErasureCertificate:
    """Erase the person at once and for good, except what a legal hold keeps (Art. 17)."""
    certificates = people_erase(actor=actor, person_ids=[person_id], reason=reason, forgotten=True)
    if person_id not in certificates:
        raise NotFound(f"there is no person {person_id} to erase", data={"person_id": person_id})
    return certificates[person_id]
