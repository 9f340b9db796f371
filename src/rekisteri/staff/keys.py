"""API keys: made, shown once, stored hashed, revoked."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from enum import StrEnum

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import Conflict, InvalidInput, NotFound
from rekisteri.policy.selectors import policy_get
from rekisteri.staff.models import ApiKey


class Scope(StrEnum):
    PEOPLE_READ = "people:read"
    PEOPLE_WRITE = "people:write"
    EVENTS_READ = "events:read"
    EVENTS_WRITE = "events:write"
    # File data subject requests for people the system authenticated itself, and
    # read back the state of the requests it filed (never anyone else's).
    REQUESTS_WRITE = "requests:write"
    # Draw a marketing audience (for the key's purposes) and record the deliveries sent.
    MARKETING = "marketing:send"
    # Read web site visitors' cookie choices.
    COOKIES_READ = "cookies:read"


class ApiKeyCode(StrEnum):
    NAME_TAKEN = "api_key_name_taken"
    UNKNOWN_SCOPE = "unknown_scope"
    UNKNOWN_PURPOSE = "unknown_purpose"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, actor: Actor, name: str, scopes: list[str], purposes: list[str]
) -> tuple[ApiKey, str]:
    """Make a key; the returned secret is shown once and never stored."""
    clean_name = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", clean_name):
        raise InvalidInput(
            "name: 1 to 100 letters a-z, digits, dots, dashes or underscores",
            data={"field": "name"},
        )
    unknown_scopes = sorted(set(scopes) - set(Scope))
    if unknown_scopes or not scopes:
        raise InvalidInput(
            f"scope: unknown {unknown_scopes}; the scopes are {', '.join(Scope)}"
            if unknown_scopes
            else f"scope: give at least one of {', '.join(Scope)}",
            code=ApiKeyCode.UNKNOWN_SCOPE,
        )
    known = policy_get().purposes
    unknown_purposes = sorted(set(purposes) - set(known))
    if unknown_purposes:
        raise InvalidInput(
            f"purpose: unknown {unknown_purposes}; the policy's purposes are {', '.join(known)}",
            code=ApiKeyCode.UNKNOWN_PURPOSE,
        )
    if ApiKey.objects.filter(name=clean_name).exists():
        raise Conflict(f"an API key named {clean_name!r} exists", code=ApiKeyCode.NAME_TAKEN)
    prefix = secrets.token_hex(6)
    secret = f"rk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=clean_name,
        prefix=prefix,
        key_hash=_digest(secret),
        scopes=sorted(set(scopes)),
        purposes=sorted(set(purposes)),
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        event=AuditEvent.PERMISSION_CHANGED,
        data={"api_key": key.pk, "granted": {"scopes": key.scopes, "purposes": key.purposes}},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor: Actor, name: str) -> ApiKey:
    key = ApiKey.objects.select_for_update().filter(name=name).first()
    if key is None:
        raise NotFound(f"there is no API key named {name!r}")
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            event=AuditEvent.PERMISSION_CHANGED,
            data={"api_key": key.pk, "revoked": True},
        )
    return key


def api_key_authenticate(secret: str) -> ApiKey | None:
    """Return the live key this secret belongs to, or None."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "rk":
        return None
    key = ApiKey.objects.filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _digest(secret)):
        return None
    return key


def api_key_actor(key: ApiKey) -> Actor:
    return Actor(ActorKind.API_KEY, str(key.pk), purposes=frozenset(key.purposes))


def api_key_of(actor: Actor) -> ApiKey | None:
    """The key an API actor acts with."""
    if actor.kind != ActorKind.API_KEY or not actor.id.isdigit():
        return None
    return ApiKey.objects.filter(pk=int(actor.id)).first()


def api_key_list() -> list[ApiKey]:
    return list(ApiKey.objects.order_by("name"))
