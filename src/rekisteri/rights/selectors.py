"""Reads of the request engine: the handler's queue and a subject's own requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum

from rekisteri.audit.models import Disclosure
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import NotFound
from rekisteri.core.models import Job, JobState
from rekisteri.core.routing import may_be_stale
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import EmailChange, EmailChangeState
from rekisteri.rights.models import OPEN_STATES, ExportPackage, RecipientNotice, SubjectRequest


def filer(actor: Actor) -> str:
    """How a request records who filed it: "api_key:7", "staff:3", "subject:12"."""
    return f"{actor.kind}:{actor.id}"


def request_get(*, request_id: int, filed_by: Actor | None = None) -> SubjectRequest:
    """One request; with ``filed_by``, only if that actor filed it (any other is not found)."""
    found = SubjectRequest.objects.filter(pk=request_id).first()
    if found is None or (filed_by is not None and found.filed_by != filer(filed_by)):
        raise NotFound(f"there is no request {request_id}", data={"request_id": request_id})
    return found


def requests_all() -> list[SubjectRequest]:
    """Every request, open or answered, by due date."""
    return list(SubjectRequest.objects.order_by("due_on", "id"))


@dataclass(frozen=True)
class Queue:
    open: list[SubjectRequest]
    due_soon: list[SubjectRequest]
    overdue: list[SubjectRequest]


def requests_queue(*, soon_days: int = 7) -> Queue:
    """Open requests by due date, with those due within ``soon_days`` and those overdue."""
    today = clock.today()
    open_ = list(SubjectRequest.objects.filter(state__in=OPEN_STATES).order_by("due_on", "id"))
    return Queue(
        open=open_,
        due_soon=[r for r in open_ if today <= r.due_on <= today + dt.timedelta(days=soon_days)],
        overdue=[r for r in open_ if r.due_on < today],
    )


def requests_of(*, person_id: int) -> list[SubjectRequest]:
    """The person's own requests, newest first."""
    return list(SubjectRequest.objects.filter(person_id=person_id).order_by("-received_at", "-id"))


def packages_of(*, person_id: int) -> list[ExportPackage]:
    """The person's packages that are ready and not expired, newest first."""
    return list(
        ExportPackage.objects.filter(
            request__person_id=person_id, ready_at__isnull=False, expires_at__gt=clock.now()
        )
        .select_related("request")
        .prefetch_related("files")
        .order_by("-ready_at")
    )


def requests_work_failed() -> list[SubjectRequest]:
    """Open requests whose package job failed: never silently lost, the DPO retries it
    (`rekisteri jobs retry`); the files of a failed build are never downloadable."""
    failed = [
        job.arguments.get("package_id")
        for job in Job.objects.filter(name="rights.package", state=JobState.FAILED)
    ]
    return list(
        SubjectRequest.objects.filter(state__in=OPEN_STATES, packages__pk__in=failed)
        .distinct()
        .order_by("due_on", "id")
    )


def requests_overdue_count() -> int:
    """Open requests past their due date (Art. 12(3))."""
    return SubjectRequest.objects.filter(state__in=OPEN_STATES, due_on__lt=clock.today()).count()


@may_be_stale
def requests_volume(*, since: dt.date) -> list[dict[str, Any]]:
    """Requests received since ``since``, by right: count and the sum of their ids (for
    disclosure control, which releases the counts). Read on a replica where there is one."""
    return list(
        SubjectRequest.objects.filter(received_on__gte=since)
        .values("kind")
        .annotate(n=Count("pk"), k=Sum("pk"))
        .order_by("kind")
    )


def subject_session_valid(*, person_id: int, signed_in_at: dt.datetime) -> bool:
    """Whether a portal session begun then still stands.

    A change of the person's address that they undid after the session began
    ends it: whoever confirmed the new address may have signed in with it.
    """
    return not EmailChange.objects.filter(
        person_id=person_id, state=EmailChangeState.UNDONE, decided_at__gte=signed_in_at
    ).exists()


@dataclass(frozen=True)
class RecipientTold:
    """Art. 19: one recipient told of a request's rectification, erasure or restriction."""

    recipient: str
    disclosed_on: dt.date | None
    sent_at: dt.datetime | None


def recipient_notices_for(*, request_id: int, lang: Language) -> list[RecipientTold]:
    """The recipients a request's answer tells (Art. 19), named as the policy names them."""
    recipients = policy_get().recipients
    notices = list(RecipientNotice.objects.filter(request_id=request_id).order_by("pk"))
    disclosed = dict(
        Disclosure.objects.filter(pk__in=[n.disclosure_id for n in notices]).values_list(
            "pk", "disclosed_on"
        )
    )
    return [
        RecipientTold(
            recipients[n.recipient].name(lang) if n.recipient in recipients else n.recipient,
            disclosed.get(n.disclosure_id),
            n.sent_at,
        )
        for n in notices
    ]
