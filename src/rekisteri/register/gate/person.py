"""The gate for one person: by id, by e-mail, by an identifier a system authenticated,
for an act, or for the person's own rights."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Forbidden, InvalidInput, NotFound, RekisteriError
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.gate.rules import (
    Access,
    ReadRefusal,
    people_closed_for,
    person_not_found,
    purpose_require,
    refused_read,
)
from rekisteri.register.validation import clean_storable


def _email_not_found() -> NotFound:
    return NotFound("no person has that e-mail address", code=RegisterCode.NOT_FOUND)


def _gate(
    *,
    actor: Actor,
    purposes: Sequence[str],
    person_id: int | None,
    not_found: Callable[[], NotFound],
    data: dict[str, Any] | None = None,
    read: bool = True,
) -> Access:
    """The purpose gate itself: the first of ``purposes`` that lets the actor read the person.

    ``read=False`` passes an act (a write, a request) that is audited by its own
    service: refusals are audited here all the same, but no read is recorded.

    Every refusal is audited. A person who is missing, forgotten, restricted
    (Art. 18; the data protection officer alone sees them) or closed for the
    purpose by an objection or a missing consent (Art. 21, 7(3)) is answered
    with the same ``not_found()``: a caller learns nothing of a person its
    purpose does not let it read.
    """
    policy = policy_get()

    def refuse(error: RekisteriError, why: ReadRefusal) -> RekisteriError:
        return refused_read(
            error, actor=actor, purposes=purposes, person_id=person_id, why=why, data=data
        )

    if not purposes:
        raise refuse(
            Forbidden("this client may read personal data for no purpose"), ReadRefusal.PURPOSE
        )
    for purpose in purposes:
        try:
            purpose_require(actor=actor, purpose=purpose)
        except RekisteriError as error:
            raise refuse(error, ReadRefusal.PURPOSE) from None
    person = (
        m.Person.objects.living().filter(pk=person_id).first() if person_id is not None else None
    )
    if person is None:
        raise refuse(not_found(), ReadRefusal.NOT_FOUND)
    if person.restricted_since is not None and not actor.sees_restricted:
        raise refuse(not_found(), ReadRefusal.RESTRICTED)
    open_for = [
        purpose
        for purpose in purposes
        if not m.Person.objects.filter(pk=person.pk).filter(people_closed_for(purpose)).exists()
    ]
    if not open_for:
        raise refuse(not_found(), ReadRefusal.CLOSED)
    purpose = open_for[0]
    categories = frozenset(
        key for key, category in policy.categories.items() if purpose in category.purposes
    )
    if read:
        audit_record(
            actor=actor,
            event=AuditEvent.PERSON_READ,
            person_id=person.pk,
            categories=categories,
            purpose=purpose,
            data=data,
        )
    return Access(person=person, purpose=purpose, categories=categories)


def person_access_by_email(*, actor: Actor, purpose: str, email: str) -> Access:
    """The gate, entered by e-mail: the purpose is checked before anyone is looked up,
    so that a client without the purpose cannot learn who is registered."""
    try:
        purpose_require(actor=actor, purpose=purpose)
    except RekisteriError as error:
        raise refused_read(
            error, actor=actor, purposes=[purpose], person_id=None, why=ReadRefusal.PURPOSE
        ) from None
    clean_storable(email, field="email")
    row = m.emails_matching(email).values("person_id").first()
    return _gate(
        actor=actor,
        purposes=[purpose],
        person_id=int(row["person_id"]) if row else None,
        not_found=_email_not_found,
    )


def person_access(*, actor: Actor, purpose: str, person_id: int) -> Access:
    """The purpose gate: the one way to read a person's data.

    The purpose must be the policy's and the actor's; a restricted person
    (Art. 18) is left out for everyone but the data protection officer, and a
    person closed for the purpose (Art. 21, 7(3)) for everyone; only the
    categories that serve the purpose are opened (Art. 5(1)(b)). A refusal is
    audited, and every person left out is answered as one who does not exist.
    """
    return _gate(
        actor=actor,
        purposes=[purpose],
        person_id=person_id,
        not_found=lambda: person_not_found(person_id),
    )


@dataclass(frozen=True)
class PersonIdentifier:
    """A person as an integrating system knows them after its own sign-in: by an
    identifier it authenticated, never by the register's internal id."""

    email: str | None = None
    username: str | None = None
    external_id: str | None = None


def _person_id_by(identifier: PersonIdentifier) -> int | None:
    rows: models.QuerySet[Any]
    if identifier.email is not None:
        clean_storable(identifier.email, field="email")
        rows = m.emails_matching(identifier.email)
    elif identifier.username is not None:
        clean_storable(identifier.username, field="username")
        rows = m.ServiceAccount.objects.filter(username=identifier.username)
    elif identifier.external_id:
        clean_storable(identifier.external_id, field="external_id")
        rows = m.ServiceAccount.objects.filter(external_id=identifier.external_id)
    else:
        raise InvalidInput("name the person by email, username or external_id")
    # An identifier two people share names no one.
    ids = list(rows.values_list("person_id", flat=True)[:2])
    return int(ids[0]) if len(ids) == 1 else None


def person_id_by(identifier: PersonIdentifier) -> int:
    """Find whose identifier this is; the caller then reads through the gate."""
    found = _person_id_by(identifier)
    if found is None:
        raise _identifier_not_found()
    return found


def _identifier_not_found() -> NotFound:
    return NotFound("no person has that identifier", code=RegisterCode.NOT_FOUND)


def person_access_by_identifier(
    *, actor: Actor, identifier: PersonIdentifier, data: dict[str, Any] | None = None
) -> Access:
    """The gate for an act a system asks on a person it authenticated (a data subject
    request): one of the actor's purposes must let it read the person."""
    return _gate(
        actor=actor,
        purposes=sorted(p for p in actor.purposes if p in policy_get().purposes),
        person_id=_person_id_by(identifier),
        not_found=_identifier_not_found,
        data=data,
    )


def person_access_for_act(
    *,
    actor: Actor,
    person_id: int,
    purpose: str | None = None,
    data: dict[str, Any] | None = None,
) -> Access:
    """The gate for an act a system asks on a person by the register's id (a write, a
    request): the named purpose, or one of the actor's, must let it read the person;
    anyone else is not found. Refusals are audited; the act audits itself."""
    return _gate(
        actor=actor,
        purposes=[purpose]
        if purpose is not None
        else sorted(p for p in actor.purposes if p in policy_get().purposes),
        person_id=person_id,
        not_found=lambda: person_not_found(person_id),
        data=data,
        read=False,
    )


def _living(person_id: int) -> m.Person:
    """The person, unless forgotten (a husk kept for a legal hold is no one to read)."""
    person = m.Person.objects.living().filter(pk=person_id).first()
    if person is None:
        raise person_not_found(person_id)
    return person


def person_access_own(*, actor: Actor, person_id: int, right: str) -> Access:
    """The gate for the person's own rights (Art. 15, 20): every category, restriction
    or not (a restriction never keeps a person from their own data); audited."""
    person = _living(person_id)
    categories = frozenset(policy_get().categories)
    audit_record(
        actor=actor,
        event=AuditEvent.PERSON_READ,
        person_id=person.pk,
        categories=categories,
        data={"right": right},
    )
    return Access(person=person, purpose=f"right:{right}", categories=categories)


def person_living(person_id: int) -> bool:
    """Whether the person is in the register (a forgotten one's husk is no one); no datum."""
    return m.Person.objects.living().filter(pk=person_id).exists()


def person_open_for(*, person_id: int, purpose: str, lock: bool = False) -> bool:
    """Whether the person's data may still be processed for ``purpose``: living, not
    restricted (Art. 18) and not closed for it (Art. 21, 7(3)). For an act the person
    makes themselves (a survey answer), which no actor's purpose covers; ``lock``
    holds their row until the commit."""
    people = m.Person.objects.living().filter(pk=person_id)
    person = (people.select_for_update() if lock else people).first()
    if person is None or person.restricted_since is not None:
        return False
    return not people.filter(people_closed_for(purpose)).exists()
