"""Staff accounts: made with a one-time enrolment link, two factors, a role from the policy."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from enum import StrEnum

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rekisteri.policy.selectors import policy_get
from rekisteri.staff.models import EnrolmentToken, StaffMember

ENROLMENT_VALID = dt.timedelta(hours=24)


class StaffCode(StrEnum):
    UNKNOWN_ROLE = "unknown_role"
    USERNAME_TAKEN = "username_taken"
    ENROLMENT_INVALID = "enrolment_invalid"
    WRONG_CODE = "wrong_code"
    NO_SECOND_FACTOR = "no_second_factor"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def staff_create(*, actor: Actor, username: str, role: str) -> tuple[User, str]:
    """Make a staff account with no password yet; return it and its one-time enrolment token."""
    clean = username.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,149}", clean):
        raise InvalidInput(
            "username: 2 to 150 letters a-z, digits, dots, dashes or underscores",
            data={"field": "username"},
        )
    roles = policy_get().roles
    if role not in roles:
        raise InvalidInput(
            f"role: unknown role {role!r}; the policy's roles are {', '.join(roles)}",
            code=StaffCode.UNKNOWN_ROLE,
        )
    if User.objects.filter(username__iexact=clean).exists():
        raise Conflict("username: already taken", code=StaffCode.USERNAME_TAKEN)
    user = User.objects.create_user(username=clean)  # unusable password until enrolment
    StaffMember.objects.create(user=user, role=role)
    token = secrets.token_urlsafe(32)
    EnrolmentToken.objects.create(
        user=user, token_hash=_token_hash(token), expires_at=clock.now() + ENROLMENT_VALID
    )
    audit_record(
        actor=actor,
        event=AuditEvent.PERMISSION_CHANGED,
        data={"staff_user": user.pk, "role": role, "created": True},
    )
    return user, token


def enrolment_get(*, token: str) -> EnrolmentToken:
    """The live enrolment a token opens; an unknown, used or expired one is refused alike."""
    enrolment = (
        EnrolmentToken.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    )
    if enrolment is None or enrolment.used_at is not None or enrolment.expires_at < clock.now():
        raise NotFound(
            "this enrolment link is not valid: it is unknown, used or expired",
            code=StaffCode.ENROLMENT_INVALID,
        )
    return enrolment


def enrolment_device(*, enrolment: EnrolmentToken) -> TOTPDevice:
    """The TOTP device being enrolled: made once, confirmed by the first right code."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=enrolment.user, confirmed=False, defaults={"name": "console"}
    )
    return device


@transaction.atomic
def staff_enrol(*, token: str, password: str, code: str) -> User:
    """Set the password and confirm the TOTP device with its first code."""
    enrolment = enrolment_get(token=token)
    user = enrolment.user
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            "password: " + " ".join(exc.messages), data={"field": "password"}
        ) from None
    device = enrolment_device(enrolment=enrolment)
    if not device.verify_token(code.strip()):
        raise InvalidInput(
            "code: the code does not match; try the newest one", code=StaffCode.WRONG_CODE
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    user.set_password(password)
    user.save(update_fields=["password"])
    enrolment.used_at = clock.now()
    enrolment.save(update_fields=["used_at"])
    return user


def staff_otp_check(*, user: User, code: str) -> TOTPDevice:
    """The user's confirmed device, if the code is right."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise Forbidden(
            "this account has no second factor: ask for a new enrolment link",
            code=StaffCode.NO_SECOND_FACTOR,
        )
    if not device.verify_token(code.strip()):
        raise InvalidInput("code: the code does not match", code=StaffCode.WRONG_CODE)
    return device


@transaction.atomic
def staff_disable(*, actor: Actor, username: str) -> User:
    """Disable an account; its sessions end at once (Django refuses inactive users)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"there is no staff account {username!r}")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        event=AuditEvent.PERMISSION_CHANGED,
        data={"staff_user": user.pk, "disabled": True},
    )
    return user


def staff_actor(*, user: User, origin: str) -> Actor:
    """The staff member as the register's actor: their role's purposes from the policy."""
    member = StaffMember.objects.filter(user=user).first()
    role = policy_get().roles.get(member.role) if member else None
    return Actor(
        ActorKind.STAFF,
        str(user.pk),
        purposes=frozenset(role.purposes) if role else frozenset(),
        sees_restricted=bool(role and role.sees_restricted),
        aggregates_only=bool(role and role.aggregates_only),
        handles_requests=bool(role and role.handles_requests),
        origin=origin,
    )


def staff_login_audit(*, user_id: int | None, succeeded: bool, origin: str) -> None:
    """Record a login attempt: the account's id (when known), never the name typed."""
    audit_record(
        actor=Actor(ActorKind.STAFF, str(user_id or "unknown"), origin=origin),
        event=AuditEvent.LOGIN_SUCCEEDED if succeeded else AuditEvent.LOGIN_FAILED,
    )


def staff_otp_device(*, user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise Forbidden("this account has no second factor")
    return device


@transaction.atomic
def staff_enrolment_renew(*, actor: Actor, username: str) -> str:
    """A new one-time link for an account (a lost device, an unused link); old ones end."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"there is no active staff account {username!r}")
    now = clock.now()
    EnrolmentToken.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = secrets.token_urlsafe(32)
    EnrolmentToken.objects.create(
        user=user, token_hash=_token_hash(token), expires_at=now + ENROLMENT_VALID
    )
    audit_record(
        actor=actor,
        event=AuditEvent.PERMISSION_CHANGED,
        data={"staff_user": user.pk, "relinked": True},
    )
    return token


def demo_staff_link(*, actor: Actor) -> str | None:
    """Outside production: a link to set up the demo account, while it is not set up."""
    user = User.objects.filter(username=DEMO_STAFF).first()
    if user is None:
        role = demo_role()
        if role is None:
            return None  # a register with no staff roles has no one to show
        _, token = staff_create(actor=actor, username=DEMO_STAFF, role=role)
        return token
    if user.has_usable_password():
        return None
    return staff_enrolment_renew(actor=actor, username=DEMO_STAFF)


# The demo account may see everything, the restricted included, to show it all.
DEMO_STAFF = "demo"


def demo_role() -> str | None:
    """The demo account's role: the one that handles requests, which sees the most."""
    handlers = policy_get().request_handler_roles()
    return handlers[0] if handlers else None
