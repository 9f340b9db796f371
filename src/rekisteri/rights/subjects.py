"""How a data subject proves who they are to the portal.

With the analysis service's username and password, or with a one-time link
e-mailed to an address the person has verified. Neither tells whether an
address or a username is registered: a wrong answer looks the same either way,
and a link is looked up, written and sent by a job, never inside the request.

Also the links that confirm or undo a change of the person's e-mail address
made by someone else (``register.services.person_contact_update``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import InvalidInput, Throttled, Unauthenticated
from rekisteri.core.jobs import JobRun, job, job_enqueue
from rekisteri.core.text import storable
from rekisteri.register import models as rm
from rekisteri.register import services as register
from rekisteri.register.error_codes import RegisterCode
from rekisteri.rights import notify
from rekisteri.rights.error_codes import RightsCode
from rekisteri.rights.models import SignInAttempt, SignInLink

LINK_MINUTES = 15
# The token rides in the query string, which the access log never records.
LINK_PATHS = {"fi": "/oma/linkki?t=", "en": "/en/my/link?t=", "sv": "/sv/mina-sidor/lank?t="}
# At most this many links are asked for per e-mail address within a link's
# lifetime, registered or not, and sent per person.
LINKS_PER_WINDOW = 3
# At most this many link requests a minute from one client (IP address).
REQUESTS_PER_CLIENT_MINUTE = 5
SIGN_IN_LINK_JOB = "rights.sign_in_link"
EMAIL_CHANGE_PATHS = {
    "confirm": {
        "fi": "/oma/sahkoposti/vahvista?t=",
        "en": "/en/my/email/confirm?t=",
        "sv": "/sv/mina-sidor/e-post/bekrafta?t=",
    },
    "undo": {
        "fi": "/oma/sahkoposti/peru?t=",
        "en": "/en/my/email/undo?t=",
        "sv": "/sv/mina-sidor/e-post/angra?t=",
    },
}
_EMAIL_CHANGE_SALT = "rekisteri.email-change"
# Checked when no account matches, so that a wrong username takes as long as a wrong password.
_DUMMY_HASH = make_password("not a password of anyone")


def subject_actor(person_id: int, *, origin: str) -> Actor:
    """The data subject acting on their own data."""
    return Actor(ActorKind.SUBJECT, str(person_id), origin=origin)


def _signed_in(person_id: int, method: str, origin: str) -> int:
    audit_record(
        actor=subject_actor(person_id, origin=origin),
        event=AuditEvent.SUBJECT_SIGNED_IN,
        person_id=person_id,
        data={"method": method},
    )
    return person_id


@transaction.atomic
def subject_sign_in_password(*, username: str, password: str, origin: str) -> int:
    """Return the person whose analysis-service account this is, or refuse."""
    if not storable(username):
        # No account has such a name; a query for it would fail on PostgreSQL.
        raise Unauthenticated(
            "the username or the password is wrong", code=RightsCode.SIGN_IN_FAILED
        )
    account = (
        rm.ServiceAccount.objects.filter(username=username, person__erased_at__isnull=True)
        .only("person_id", "password_hash")
        .first()
    )
    matches = check_password(password, account.password_hash if account else _DUMMY_HASH)
    if account is None or not matches:
        raise Unauthenticated(
            "the username or the password is wrong", code=RightsCode.SIGN_IN_FAILED
        )
    return _signed_in(account.person_id, "password", origin)


def _digest(kind: str, value: str) -> str:
    """A keyed digest: counts requests by client and address without storing either."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def subject_sign_in_link_request(*, email: str, language: str, client: str) -> None:
    """Queue a one-time sign-in link to the address if the person verified it; say
    nothing either way. Refuse a client or an address that asks too often.

    The request does the same work whether or not the address is registered
    (count, store the attempt, look up, queue a job); the link is made and sent
    by the job, so that neither the time taken nor a failing mail server tells.
    """
    if not storable(email):
        # What no database can store is no address of anyone's (the middleware
        # answers 400 before this; a caller past it learns nothing either).
        return
    address = email.strip().lower()
    now = clock.now()
    client_digest, email_digest = _digest("client", client), _digest("email", address)
    attempts = SignInAttempt.objects
    by_client = attempts.filter(
        client_digest=client_digest, created_at__gt=now - dt.timedelta(minutes=1)
    ).count()
    by_email = attempts.filter(
        email_digest=email_digest, created_at__gt=now - dt.timedelta(minutes=LINK_MINUTES)
    ).count()
    if by_client >= REQUESTS_PER_CLIENT_MINUTE or by_email >= LINKS_PER_WINDOW:
        # The links already sent still work.
        raise Throttled("too many sign-in links were asked for; try again in a few minutes")
    attempts.create(client_digest=client_digest, email_digest=email_digest, created_at=now)
    try:
        row = (
            rm.emails_matching(address)
            .filter(verified_at__isnull=False, person__erased_at__isnull=True)
            .values_list("pk", flat=True)
            .first()
        )
    except ValueError:
        row = None
    job_enqueue(
        SIGN_IN_LINK_JOB, email_row=row, language=language if language in LINK_PATHS else "fi"
    )


@job(SIGN_IN_LINK_JOB)
def _sign_in_link_job(run: JobRun) -> None:
    """Make and send the link the request asked for, to the verified address only."""
    if run.checkpoint.get("done"):
        return
    row = (
        rm.EmailAddress.objects.filter(
            pk=run.arguments["email_row"],
            verified_at__isnull=False,
            person__erased_at__isnull=True,
        ).first()
        if run.arguments.get("email_row") is not None
        else None
    )
    if row is None:
        run.save(done=True)
        return
    now = clock.now()
    recent = SignInLink.objects.filter(
        person_id=row.person_id, created_at__gt=now - dt.timedelta(minutes=LINK_MINUTES)
    ).count()
    if recent >= LINKS_PER_WINDOW:
        run.save(done=True, skipped="links per window")
        return
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(
        person_id=row.person_id,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=LINK_MINUTES),
    )
    lang = run.arguments.get("language", settings.LANGUAGE_CODE)
    notify.sign_in_link_send(
        row.address, lang, settings.REKISTERI_BASE_URL + LINK_PATHS[lang] + token
    )
    run.save(done=True)


@transaction.atomic
def subject_sign_in_link_use(*, token: str, origin: str) -> int:
    """Sign in with a link: once, and before it expires."""
    link = (
        SignInLink.objects.select_for_update()
        .filter(token_hash=hashlib.sha256(token.encode()).hexdigest())
        .first()
    )
    now = clock.now()
    if link is None or link.used_at is not None or link.expires_at < now:
        raise InvalidInput(
            "the link has expired or has been used; ask for a new one",
            code=RightsCode.SIGN_IN_LINK_INVALID,
        )
    link.used_at = now
    link.save(update_fields=["used_at"])
    if not rm.Person.objects.living().filter(pk=link.person_id).exists():
        raise InvalidInput(
            "the link has expired or has been used; ask for a new one",
            code=RightsCode.SIGN_IN_LINK_INVALID,
        )
    return _signed_in(link.person_id, "link", origin)


def email_change_url(change_id: int, action: str, language: str) -> str:
    """A signed link that confirms (``confirm``) or undoes (``undo``) a change; no sign-in."""
    token = signing.dumps({"c": change_id, "a": action}, salt=_EMAIL_CHANGE_SALT)
    return settings.REKISTERI_BASE_URL + EMAIL_CHANGE_PATHS[action][language] + token


def _link_invalid() -> InvalidInput:
    return InvalidInput("the link is not valid any more", code=RegisterCode.LINK_INVALID)


def email_change_link_use(*, token: str, action: str, origin: str) -> int:
    """Confirm or undo the change a signed link names; return the person's id.

    Undoing also voids the person's unused sign-in links: one may have gone to
    the address that is taken away.
    """
    days = register.EMAIL_CONFIRM_DAYS if action == "confirm" else register.EMAIL_UNDO_DAYS
    try:
        found: Any = signing.loads(token, salt=_EMAIL_CHANGE_SALT, max_age=dt.timedelta(days=days))
    except signing.BadSignature:
        raise _link_invalid() from None
    change_id = found.get("c") if isinstance(found, dict) else None
    if not isinstance(change_id, int) or found.get("a") != action:
        raise _link_invalid()
    person_id = (
        rm.EmailChange.objects.filter(pk=change_id).values_list("person_id", flat=True).first()
    )
    if person_id is None:
        raise _link_invalid()
    actor = subject_actor(person_id, origin=origin)
    with transaction.atomic():
        if action == "confirm":
            register.email_change_confirm(actor=actor, change_id=change_id)
        else:
            register.email_change_undo(actor=actor, change_id=change_id)
            SignInLink.objects.filter(person_id=person_id, used_at__isnull=True).delete()
    return person_id


@job(register.EMAIL_CHANGE_JOB)
def _email_change_job(run: JobRun) -> None:
    """Tell the old addresses of a change (with the undo link) and ask the new address to
    confirm it; each message once, even when the job is retried. Unverified old
    addresses are told too: a change over them is as much a takeover attempt."""
    change = rm.EmailChange.objects.filter(
        pk=run.arguments["change_id"], state=rm.EmailChangeState.PENDING
    ).first()
    new = rm.EmailAddress.objects.filter(pk=change.new_email_row).first() if change else None
    if change is None or new is None:
        run.save(skipped="no longer pending")
        return
    # The person has no language on file; the register's own language it is.
    lang = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in LINK_PATHS else "fi"
    if not run.checkpoint.get("undo_sent"):
        old = (
            rm.EmailAddress.objects.filter(person_id=change.person_id)
            .exclude(pk=new.pk)
            .values_list("address", flat=True)
        )
        undo = email_change_url(change.pk, "undo", lang)
        for address in old:
            notify.email_change_send("email_changed", lang, address, url=undo)
        run.save(undo_sent=True)
    if not run.checkpoint.get("confirm_sent"):
        confirm = email_change_url(change.pk, "confirm", lang)
        notify.email_change_send("email_confirm", lang, new.address, url=confirm)
        run.save(confirm_sent=True)


@job("rights.sign_in_upkeep", daily=True)
def _sign_in_upkeep(run: JobRun) -> None:
    """Forget old sign-in attempts and settle e-mail changes that can no longer be undone."""
    cutoff = clock.now() - dt.timedelta(minutes=LINK_MINUTES)
    attempts, _ = SignInAttempt.objects.filter(created_at__lt=cutoff).delete()
    run.save(attempts_removed=attempts, changes_settled=register.email_changes_settle())
