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
    # The purposes this actor may read personal data for, as its door resolved
    # them (an API key's grant, a staff role's purposes).
    purposes: frozenset[str] = frozenset()
    # Art. 18: only the data protection officer sees restricted people.
    sees_restricted: bool = False
    # Where the act came from, for the audit trail: "api 192.0.2.1", "cli".
    origin: str = ""
    # Analysts see aggregates and pseudonymous ids, never a person's data.
    aggregates_only: bool = False
    # Handles data subject requests: the role the policy says does (Art. 12-22).
    handles_requests: bool = False


SYSTEM = Actor(ActorKind.SYSTEM, "system", origin="system")
# An operator at the command line (staff accounts will name the person).
CLI = Actor(ActorKind.SYSTEM, "cli", origin="cli")
