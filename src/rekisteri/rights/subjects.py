"""How a data subject proves who they are to the portal.

With the analysis service's username and password, or with a one-time link
e-mailed to an address already on file. Neither tells whether an address or
a username is registered: a wrong answer looks the same either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import InvalidInput, Unauthenticated
from rekisteri.core.text import storable
from rekisteri.register import models as rm
from rekisteri.rights import notify
from rekisteri.rights.models import SignInLink

LINK_MINUTES = 15
# The token rides in the query string, which the access log never records.
LINK_PATHS = {"fi": "/oma/linkki?t=", "en": "/en/my/link?t="}
# At most this many links are sent per person within a link's lifetime.
LINKS_PER_WINDOW = 3
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
        raise Unauthenticated("the username or the password is wrong")
    account = (
        rm.ServiceAccount.objects.filter(username=username, person__erased_at__isnull=True)
        .only("person_id", "password_hash")
        .first()
    )
    matches = check_password(password, account.password_hash if account else _DUMMY_HASH)
    if account is None or not matches:
        raise Unauthenticated("the username or the password is wrong")
    return _signed_in(account.person_id, "password", origin)


@transaction.atomic
def subject_sign_in_link_request(*, email: str, language: str) -> None:
    """E-mail a one-time sign-in link to the address, if it is on file; say nothing either way."""
    if not storable(email):
        return
    try:
        row = rm.emails_matching(email.strip()).filter(person__erased_at__isnull=True).first()
    except ValueError:
        row = None
    if row is None:
        return
    now = clock.now()
    recent = SignInLink.objects.filter(
        person_id=row.person_id, created_at__gt=now - dt.timedelta(minutes=LINK_MINUTES)
    ).count()
    if recent >= LINKS_PER_WINDOW:
        # Someone is asking again and again: the links already sent still work.
        return
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(
        person_id=row.person_id,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=LINK_MINUTES),
    )
    lang = language if language in LINK_PATHS else "fi"
    notify.sign_in_link_send(
        row.address, lang, settings.REKISTERI_BASE_URL + LINK_PATHS[lang] + token
    )


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
        raise InvalidInput("the link has expired or has been used; ask for a new one")
    link.used_at = now
    link.save(update_fields=["used_at"])
    if not rm.Person.objects.filter(pk=link.person_id, erased_at__isnull=True).exists():
        raise InvalidInput("the link has expired or has been used; ask for a new one")
    return _signed_in(link.person_id, "link", origin)
