"""Who acts: every service takes the acting party explicitly, for the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    STAFF = "staff"
    API_KEY = "api_key"
    SUBJECT = "subject"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    # An id, never a name: audit entries hold no personal data.
    id: str


SYSTEM = Actor(ActorKind.SYSTEM, "system")
