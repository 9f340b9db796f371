"""A change of e-mail address by someone other than the person: confirmed from the new
address, undone from the old, and settled once it can no longer be undone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import InvalidInput
from rekisteri.core.jobs import job_enqueue
from rekisteri.policy.selectors import policy_get
from rekisteri.register.catalogue import (
    model_categories,
)
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.models import (
    EmailAddress,
    EmailChange,
    EmailChangeState,
    Person,
)

# The job that tells the person of a change of their e-mail address made by
# someone else (the rights app, which speaks to people, registers it).
EMAIL_CHANGE_JOB = "register.email_change_notify"
# The new address confirms within this time; the old one can undo for longer,
# so that a change confirmed by whoever holds the new address can still be undone.
EMAIL_CONFIRM_DAYS = 7
EMAIL_UNDO_DAYS = 14


def email_replace(
    actor: Actor, person: Person, address: str, *, now: dt.datetime, source: str
) -> EmailChange | None:
    """Make ``address`` the person's e-mail address.

    Only the person makes an address verified by giving it. A change by anyone
    else (a client, staff, an import) keeps the person's verified addresses
    and unverified ones beside the new one, so that sign-in links still go
    there, and records a pending change: the new address gets a link to confirm
    it, the old ones a link to undo it (both sent by a job, after commit).
    """
    rows = list(EmailAddress.objects.filter(person=person))
    same = next((row for row in rows if row.address.lower() == address.lower()), None)
    pending = EmailChange.objects.filter(person=person, state=EmailChangeState.PENDING)
    superseded = set(pending.values_list("new_email_row", flat=True))
    pending.update(state=EmailChangeState.SUPERSEDED, decided_at=now)
    if actor.kind == ActorKind.SUBJECT and actor.id == str(person.pk):
        # The person's own word: the address is theirs, and replaces the others.
        keep = same or EmailAddress.objects.create(
            person=person, stored_at=now, source=source, address=address
        )
        if keep.verified_at is None:
            keep.verified_at = now
            keep.save(update_fields=["verified_at"])
        EmailAddress.objects.filter(person=person).exclude(pk=keep.pk).delete()
        return None
    if same is not None and same.verified_at is not None:
        # An address the person already proved theirs needs no confirmation; but
        # their other verified addresses stay, since an undo link may need them
        # (a confirmed change settles them away once it can no longer be undone).
        EmailAddress.objects.filter(person=person, verified_at__isnull=True).exclude(
            pk=same.pk
        ).delete()
        return None
    # The old addresses stay, verified or not, until the change can no longer be
    # undone: each is told of the change with the undo link, and an undo leaves
    # them as they were. Only the new addresses of superseded changes go.
    stale = EmailAddress.objects.filter(person=person, pk__in=superseded, verified_at__isnull=True)
    if same is not None:
        stale = stale.exclude(pk=same.pk)
    stale.delete()
    if same is not None and same.pk in superseded:
        # Set again while its change waited: it is a new change, stored now.
        same.stored_at, same.source = now, source
        same.save(update_fields=["stored_at", "source"])
    new = same or EmailAddress.objects.create(
        person=person, stored_at=now, source=source, address=address
    )
    change = EmailChange.objects.create(
        person=person, stored_at=now, source=source, new_email_row=new.pk
    )
    job_enqueue(EMAIL_CHANGE_JOB, change_id=change.pk)
    return change


def _email_change(change_id: int, *, states: tuple[str, ...]) -> EmailChange:
    change = (
        EmailChange.objects.select_for_update()
        .filter(pk=change_id, state__in=states, person__erased_at__isnull=True)
        .first()
    )
    if change is None:
        raise InvalidInput("the link is not valid any more", code=RegisterCode.LINK_INVALID)
    return change


def _email_change_audit(actor: Actor, change: EmailChange, event: AuditEvent) -> None:
    audit_record(
        actor=actor,
        event=event,
        person_id=change.person_id,
        categories=model_categories(EmailAddress, policy_get()),
        data={"email_change": change.pk, "email_row": change.new_email_row},
    )


@transaction.atomic
def email_change_confirm(*, actor: Actor, change_id: int) -> EmailChange:
    """Confirm the new address of a change, from the link sent to it. The old addresses
    stay until the change can no longer be undone.

    Sign-in links go to the new address from now on only if the person had a
    verified address to be told at: the link proves that whoever changed the
    address holds the new one, not that it is the person's. Without a verified
    old address nobody the register knows to be the person could undo the
    change, so the new address stays unverified (a contact address, no sign-in)
    until the person gives it themselves.
    """
    change = _email_change(change_id, states=(EmailChangeState.PENDING,))
    now = clock.now()
    rows = EmailAddress.objects.filter(person_id=change.person_id)
    new = rows.filter(pk=change.new_email_row)
    if not new.exists():
        raise InvalidInput("the link is not valid any more", code=RegisterCode.LINK_INVALID)
    if rows.exclude(pk=change.new_email_row).filter(verified_at__isnull=False).exists():
        new.update(verified_at=now)
    change.state, change.decided_at = EmailChangeState.CONFIRMED, now
    change.save(update_fields=["state", "decided_at"])
    _email_change_audit(actor, change, AuditEvent.EMAIL_CHANGE_CONFIRMED)
    return change


@transaction.atomic
def email_change_undo(*, actor: Actor, change_id: int) -> EmailChange:
    """Undo a change, from the link sent to the old address: the new address goes,
    the person's verified addresses stay."""
    change = _email_change(change_id, states=(EmailChangeState.PENDING, EmailChangeState.CONFIRMED))
    EmailAddress.objects.filter(pk=change.new_email_row, person_id=change.person_id).delete()
    change.state, change.decided_at = EmailChangeState.UNDONE, clock.now()
    change.save(update_fields=["state", "decided_at"])
    _email_change_audit(actor, change, AuditEvent.EMAIL_CHANGE_UNDONE)
    return change


@transaction.atomic
def email_changes_settle() -> int:
    """Remove the addresses that confirmed changes replaced, once they can no longer
    be undone; return how many changes settled."""
    due = EmailChange.objects.select_for_update().filter(
        state=EmailChangeState.CONFIRMED,
        stored_at__lt=clock.now() - dt.timedelta(days=EMAIL_UNDO_DAYS),
    )
    settled = 0
    for change in due:
        EmailAddress.objects.filter(
            person_id=change.person_id, stored_at__lte=change.stored_at
        ).exclude(pk=change.new_email_row).delete()
        change.state = EmailChangeState.SETTLED
        change.save(update_fields=["state"])
        settled += 1
    return settled
