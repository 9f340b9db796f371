"""What the request engine tells people, by e-mail, in the person's language.

A message about a request is owed in the transaction of the change it reports
(a ``SubjectMessage`` row, the outbox) and sent by a job after the commit, once:
the job marks it sent, and a run after a kill or a retry finds the mark. Secrets
(codes, sign-in links) are sent when the transaction commits, because only their
hashes are stored. No message carries personal data beyond what its reader
already is: an id, a date, a link to the portal.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from email.utils import make_msgid, parseaddr
from enum import StrEnum
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.core import clock
from rekisteri.core.errors import Conflict
from rekisteri.core.jobs import JobRun, job, job_enqueue
from rekisteri.core.logs import failure_summary
from rekisteri.core.mail import mail_copies_forget
from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as rm
from rekisteri.rights.models import RightKind, SubjectMessage, SubjectRequest
from rekisteri.rights.selectors import requests_queue

logger = logging.getLogger(__name__)

PORTAL_PATHS = {"fi": "/oma/", "en": "/en/my/", "sv": "/sv/mina-sidor/"}
# A message the mail server has refused this long is given up and its address
# blanked: an outbox must not become a second copy of people's addresses.
MESSAGE_GIVE_UP_AFTER = dt.timedelta(days=7)


class NotifyCode(StrEnum):
    MAIL_NOT_SENT = "mail_not_sent"


def _context(language: str, **extra: Any) -> dict[str, Any]:
    policy = policy_get()
    return {
        "controller": policy.controller,
        "register_name": policy.register_name(language),  # type: ignore[arg-type]
        "authority": policy.supervisory_authority,
        "authority_name": policy.supervisory_authority.name(language),  # type: ignore[arg-type]
        "portal_url": settings.REKISTERI_BASE_URL + PORTAL_PATHS.get(language, "/oma/"),
        **extra,
    }


def _send(
    template: str, language: str, to: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> None:
    """Render ``rights/email/<template>_<lang>.txt`` (first line: subject) and send it."""
    with translation.override(language):
        text = render_to_string(
            f"rights/email/{template}_{language}.txt", _context(language, **extra)
        )
    subject, _, body = text.strip().partition("\n")
    EmailMessage(
        subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    ).send()


def address_on_file(person_id: int) -> str | None:
    """Where notices and codes about a request go: the person's most recently verified
    e-mail address (the one they signed in with, gave themself or confirmed).

    An address someone else put on file (a directory service, an import) is never
    used: it may not be the person's, and a message about their request would tell
    a stranger of it. With no verified address the answer goes by letter.
    """
    return (
        rm.EmailAddress.objects.filter(person_id=person_id, verified_at__isnull=False)
        .order_by("-verified_at", "-stored_at")
        .values_list("address", flat=True)
        .first()
    )


def dpo_address() -> str:
    if settings.REKISTERI_DPO_EMAIL:
        return str(settings.REKISTERI_DPO_EMAIL)
    controller = policy_get().controller
    dpo = controller.data_protection_officer
    return str(dpo.email if dpo else controller.contact_email)


def subject_notice(request: SubjectRequest, event: str) -> None:
    """Owe the person a message about their request (received, extended, answered ...);
    it is sent from a job once the caller's transaction commits."""
    if request.kind == RightKind.ERASURE and event in ("fulfilled",):
        # Owed before the address went (``erasure_capture``).
        return
    _owe(request, event)


def _owe(request: SubjectRequest, event: str) -> SubjectMessage | None:
    """The outbox row and the job that sends it, in the caller's transaction; none
    when there is no address (the answer goes by letter; the handler's queue shows it)."""
    to = address_on_file(request.person_id) if request.person_id is not None else None
    if to is None:
        return None
    _, sender = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    message = SubjectMessage.objects.create(
        request=request,
        event=event,
        to_address=to,
        created_at=clock.now(),
        message_id=make_msgid(domain=sender.partition("@")[2] or "localhost"),
    )
    job_enqueue("rights.notify", message_id=message.pk)
    return message


@job("rights.notify")
def _notify_job(run: JobRun) -> None:
    if "message_id" not in run.arguments:
        # Queued before the outbox existed: owe it now, then send it as any other.
        request = SubjectRequest.objects.get(pk=run.arguments["request_id"])
        owed = _owe(request, run.arguments["event"])
        if owed is not None:
            _message_send(owed.pk)
        return
    _message_send(run.arguments["message_id"])


def _message_send(message_id: int) -> None:
    with transaction.atomic():
        # Locked while it is sent: a second worker waits, then finds it sent.
        message = (
            SubjectMessage.objects.select_for_update().select_related("request").get(pk=message_id)
        )
        if message.sent_at is not None or message.abandoned_at is not None:
            return
        request = message.request
        headers = {"Message-ID": message.message_id}
        if message.event == "erased":
            certificate = request.result.get("certificate", {})
            # The day the last of what a legal hold keeps goes, so the person can be told it.
            ends = [k["until"] for k in certificate.get("kept", []) if k.get("until")]
            _send(
                "request_erased",
                request.language,
                message.to_address,
                headers=headers,
                request=request,
                certificate=certificate,
                kept_until=dt.date.fromisoformat(max(ends)[:10]) if ends else None,
                **_kept_in_words(certificate, request.language),
            )
        else:
            _send(
                f"request_{message.event}",
                request.language,
                message.to_address,
                headers=headers,
                request=request,
                kind_label=RightKind(request.kind).label,
            )
        if message.event == "erased":
            # The last message to an erased person: once it is out, no copy of
            # the address stays in the mail files (outside production) either.
            sent_to = message.to_address
            transaction.on_commit(lambda: mail_copies_forget([sent_to]), robust=True)
        message.sent_at = clock.now()
        message.to_address = ""
        message.save(update_fields=["sent_at", "to_address"])


def _kept_in_words(certificate: dict[str, Any], language: str) -> dict[str, str]:
    """What a legal hold keeps and under which law, in the policy's words: the
    company's own law (a Finnish one's Accounting Act, a Swedish one's Bokföringslag)."""
    policy = policy_get()
    lang = cast(Language, language)
    kept = certificate.get("kept", [])
    what = {
        policy.categories[k["category"]].name(lang)
        for k in kept
        if k.get("category") in policy.categories
    }
    laws = {
        law(lang)
        for k in kept
        if k.get("hold") in policy.retention and (law := policy.retention[k["hold"]].law)
    }
    return {"kept_what": "; ".join(sorted(what)), "kept_law": "; ".join(sorted(laws))}


# Longer than any worker takes to send: an older unsent message is stuck.
MESSAGE_LATE_AFTER = dt.timedelta(hours=1)


def messages_unsent() -> int:
    """Messages owed to people that are late, or were given up in the last 30 days:
    the DPO's to look into (the failed job says why; `rekisteri jobs retry` sends a
    late one again; a given-up one is for a letter)."""
    now = clock.now()
    late = Q(abandoned_at__isnull=True, created_at__lt=now - MESSAGE_LATE_AFTER)
    given_up = Q(abandoned_at__gte=now - dt.timedelta(days=30))
    return SubjectMessage.objects.filter(late | given_up, sent_at__isnull=True).count()


def messages_give_up() -> int:
    """Blank the address of every message the mail server refused for too long."""
    return SubjectMessage.objects.filter(
        sent_at__isnull=True,
        abandoned_at__isnull=True,
        created_at__lt=clock.now() - MESSAGE_GIVE_UP_AFTER,
    ).update(abandoned_at=clock.now(), to_address="")


def _after_commit(what: str, send: Callable[[], None]) -> None:
    """Send when the transaction commits; a failure is logged by ids and class alone.

    A mail server's refusal quotes the recipient's address in its text, so the
    exception is never logged as it is; and the change it reports has already
    committed, so the failure must not turn into an error page.
    """

    def run() -> None:
        try:
            send()
        except OSError as error:  # smtplib's errors are OSErrors
            logger.error("%s could not be sent: %s", what, failure_summary(error))

    transaction.on_commit(run)


def code_send(request: SubjectRequest, address: str, code: str) -> None:
    _after_commit(
        f"the verification code of request {request.pk}",
        lambda: _send("verification_code", request.language, address, request=request, code=code),
    )


def sign_in_link_send(address: str, language: str, url: str) -> None:
    """Send a sign-in link now (from the job that made it)."""
    _send("sign_in_link", language, address, url=url)


def email_change_send(template: str, language: str, address: str, *, url: str) -> None:
    """Send a message about a change of the person's e-mail address (from its job)."""
    _send(template, language, address, url=url)


def erasure_capture(request: SubjectRequest) -> None:
    """Before the address is erased, owe the last message: the erasure is done. It is
    sent after the commit, and the outbox forgets the address once it is sent."""
    _owe(request, "erased")


def restriction_lift_notice(request: SubjectRequest) -> None:
    """Art. 18(3): the person is told before the restriction is lifted; no notice, no lift."""
    to = address_on_file(request.person_id)
    if to is None:
        return
    try:
        _send("restriction_lifted", request.language, to, request=request)
    except OSError as error:
        logger.error(
            "the restriction notice of request %s could not be sent: %s",
            request.pk,
            failure_summary(error),
        )
        raise Conflict(
            "the person could not be told by e-mail (the mail server did not take the "
            "message), so the restriction was not lifted; try again later",
            code=NotifyCode.MAIL_NOT_SENT,
            data={"request_id": request.pk},
        ) from None


@job("rights.remind", daily=True)
def _remind_job(run: JobRun) -> None:
    """Tell the data protection officer which requests are due soon or overdue."""
    if run.checkpoint.get("sent"):
        return
    queue = requests_queue()
    if not (queue.due_soon or queue.overdue):
        run.save(sent=False)
        return
    _send("dpo_reminder", "fi", dpo_address(), due_soon=queue.due_soon, overdue=queue.overdue)
    run.save(sent=True)
