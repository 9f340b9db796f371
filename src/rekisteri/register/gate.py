"""The purpose gate: the one way any app reads a person's data.

Every read of personal data, by any door or app, enters here: one person
(``person_access`` and its kin: a staff page, an API read, an act on a person)
or a set of people (``people_gate``: search, audiences, surveys, reports,
segments). Both share one rule of who may be read for a purpose
(``people_readable``): the purpose must be the policy's and the actor's; a
forgotten person is no one; a restricted person (Art. 18) is left out, for
everyone but the data protection officer looking a person up; a person who
objected to the purpose, or did not consent to a purpose that rests on
consent (Art. 21, 7(3)), is left out. Every read and every refusal is audited.

Only the register app queries its personal tables; a test
(``tests/register/test_one_gate.py``) holds every other app to this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import connection, models
from django.db.models import F, OuterRef, Window
from django.db.models.functions import RowNumber

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record, audit_record_many, audit_record_refusal
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Forbidden, InvalidInput, NotFound, RekisteriError
from rekisteri.policy.selectors import policy_get
from rekisteri.register import facts
from rekisteri.register import models as m
from rekisteri.register.validation import RegisterCode, clean_storable


@dataclass(frozen=True)
class Access:
    """What the gate let through: one person, for one purpose, these categories."""

    person: m.Person
    purpose: str
    categories: frozenset[str]

    def may_see(self, field: str) -> bool:
        category = policy_get().category_of_field(field)
        return category is not None and category in self.categories


# Art. 21 and Art. 7(3): an objection, or a consent withdrawn or never given,
# closes a purpose for a person. The consent app, above this one, registers
# the condition (on Person) of the people a purpose is closed for.
PurposeExclusion = Callable[[str], "models.Q | None"]
_EXCLUSIONS: list[PurposeExclusion] = []


def purpose_exclusion(query: PurposeExclusion) -> PurposeExclusion:
    _EXCLUSIONS.append(query)
    return query


def people_closed_for(purpose: str) -> models.Q:
    """People whose data may not be processed for ``purpose``, as a filter on Person."""
    closed = models.Q(pk__in=[])
    for query in _EXCLUSIONS:
        found = query(purpose)
        if found is not None:
            closed |= found
    return closed


def purpose_require(*, actor: Actor, purpose: str) -> None:
    """Refuse a purpose that is not the policy's or not the actor's."""
    if actor.aggregates_only:
        raise Forbidden("this role sees aggregates and pseudonymous ids only, not people")
    if purpose not in policy_get().purposes:
        raise InvalidInput(
            f"purpose: unknown purpose {purpose!r}", data={"field": "purpose", "purpose": purpose}
        )
    if purpose not in actor.purposes:
        raise Forbidden(
            f"this client may not read personal data for the purpose {purpose!r}",
            data={"purpose": purpose},
        )


class ReadRefusal(StrEnum):
    """Why the gate refused a read; said in the audit trail, never to the caller."""

    PURPOSE = "purpose"
    NOT_FOUND = "not_found"
    RESTRICTED = "restricted"
    CLOSED = "objected_or_not_consented"


def person_not_found(person_id: int) -> NotFound:
    """What a caller is told of a person it may not read, and of one who does not exist."""
    return NotFound(
        f"there is no person {person_id}",
        code=RegisterCode.NOT_FOUND,
        data={"person_id": person_id},
    )


def _email_not_found() -> NotFound:
    return NotFound("no person has that e-mail address", code=RegisterCode.NOT_FOUND)


def _refused(
    error: RekisteriError,
    *,
    actor: Actor,
    purposes: Sequence[str],
    person_id: int | None,
    why: str,
    data: dict[str, Any] | None = None,
) -> RekisteriError:
    """The refusal's audit entry (who, for what, whom, why), kept past a rollback."""
    return audit_record_refusal(
        error=error,
        actor=actor,
        event=AuditEvent.PERSON_READ_REFUSED,
        person_id=person_id,
        purpose=purposes[0] if len(purposes) == 1 else "",
        data={
            "refused": str(why),
            **({"purposes": sorted(purposes)} if len(purposes) != 1 else {}),
            **(data or {}),
        },
    )


def person_refusal(
    error: RekisteriError,
    *,
    actor: Actor,
    purpose: str,
    person_id: int,
    why: str,
    data: dict[str, Any] | None = None,
) -> RekisteriError:
    """The gate's refusal for rules laid on top of it (the marketing rules): audited, and
    kept past a rollback of the transaction ``error`` is raised in."""
    return _refused(error, actor=actor, purposes=[purpose], person_id=person_id, why=why, data=data)


def people_refusals_record(
    *, actor: Actor, purpose: str, refused: Mapping[int, str], data: dict[str, Any]
) -> None:
    """The gate's refusals of a set of people (person id -> why), one entry each."""
    by_reason: dict[str, list[int]] = {}
    for person_id, why in refused.items():
        by_reason.setdefault(why, []).append(person_id)
    for why, person_ids in sorted(by_reason.items()):
        audit_record_many(
            actor=actor,
            event=AuditEvent.PERSON_READ_REFUSED,
            person_ids=sorted(person_ids),
            purpose=purpose,
            data={"refused": why, **data},
        )


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
        return _refused(
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
        raise _refused(
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


class ReadKind(StrEnum):
    """What a read of a set of people is for; it decides who the gate lets through."""

    # Staff or a system looking people up: the data protection officer also finds
    # restricted people, to answer for them (Art. 18(2)).
    LOOKUP = "lookup"
    # Data processed for the purpose (an audience, a survey): a restricted person's
    # data is only stored, never processed (Art. 18(2)).
    PROCESSING = "processing"
    # Counted into aggregates that single no one out: the analysts' roles, which see
    # no person, may count; restricted people are not counted.
    AGGREGATE = "aggregate"


def people_readable(purpose: str, *, restricted_too: bool = False) -> models.QuerySet[m.Person]:
    """Who may be read for ``purpose`` (the purpose already checked): the living, not
    restricted unless ``restricted_too``, and not closed for it by the ledger."""
    people = m.Person.objects.living().exclude(people_closed_for(purpose))
    return people if restricted_too else people.filter(restricted_since__isnull=True)


@dataclass(frozen=True)
class PeopleRead:
    """What the gate let through for a set of people: who may be read, for which
    purpose, and which categories of their data."""

    actor: Actor
    purpose: str
    kind: ReadKind
    categories: frozenset[str]
    people: models.QuerySet[m.Person]

    def rows(self, model: type[m.PersonData]) -> models.QuerySet[Any]:
        """Rows of a personal table that belong to the people let through."""
        return model._default_manager.filter(person__in=self.people)

    def about(self, model: type[m.PersonData]) -> models.QuerySet[Any]:
        """Rows of a personal table of the outer person, for a filter on ``people``."""
        return model._default_manager.filter(person_id=OuterRef("pk"))

    def addresses(
        self,
        field: str,
        *,
        people: models.QuerySet[m.Person] | None = None,
        bounds: tuple[int, int] | None = None,
    ) -> models.QuerySet[Any]:
        """The newest address of the kind ``field`` names of each person let through (or
        of ``people``, narrowed from them), as rows of (person_id, value), one pass over
        the table. ``bounds`` (lo, hi] cut it to a range of person ids."""
        if policy_get().category_of_field(field) not in self.categories:
            raise Forbidden(f"this read was not opened for {field}")
        rows = facts.address_model(field)._default_manager.filter(person__in=self.people)
        if people is not None:
            rows = rows.filter(person__in=people)
        if bounds is not None:
            rows = rows.filter(person_id__gt=bounds[0], person_id__lte=bounds[1])
        rows = rows.annotate(value=facts.address_value(field))
        if connection.vendor == "postgresql":
            # DISTINCT ON reads the newest row per person in one ordered pass.
            return (
                rows.order_by("person_id", "-stored_at", "-id")
                .distinct("person_id")
                .values("person_id", "value")
            )
        newest = Window(
            RowNumber(),
            partition_by=[F("person_id")],
            order_by=[F("stored_at").desc(), F("id").desc()],
        )
        return rows.annotate(n=newest).filter(n=1).values("person_id", "value")

    def record(self, person_ids: Sequence[int], *, data: dict[str, Any]) -> None:
        """The read's audit entry for each person handed out (an aggregate names no one)."""
        if self.kind == ReadKind.AGGREGATE:
            audit_record(
                actor=self.actor, event=AuditEvent.REPORT_VIEWED, purpose=self.purpose, data=data
            )
        elif person_ids:
            audit_record_many(
                actor=self.actor,
                event=AuditEvent.PERSON_READ,
                person_ids=list(person_ids),
                categories=self.categories,
                purpose=self.purpose,
                data=data,
            )


def people_gate(
    *,
    actor: Actor,
    purpose: str,
    kind: ReadKind,
    fields: Iterable[str] = (),
    refused: Callable[[str], RekisteriError] | None = None,
) -> PeopleRead:
    """The gate for a set of people: check the purpose, open the categories it serves.

    ``fields`` are what the read shows or looks at, named in its audit entry; for a
    lookup or an aggregate, a purpose that does not open all their categories is
    refused (with ``refused(purpose)``, if given). Each
    refusal is audited; the caller records the read itself (``PeopleRead.record``)
    once it knows whom it handed out.
    """
    policy = policy_get()

    def refuse(error: RekisteriError) -> RekisteriError:
        return _refused(
            error,
            actor=actor,
            purposes=[purpose],
            person_id=None,
            why=ReadRefusal.PURPOSE,
            data={"read": str(kind)},
        )

    try:
        if kind == ReadKind.AGGREGATE:
            # Counting is not reading a person: the aggregates-only roles may count.
            purpose_require(actor=_counting(actor), purpose=purpose)
        else:
            purpose_require(actor=actor, purpose=purpose)
    except RekisteriError as error:
        raise refuse(error) from None
    opened = frozenset(
        key for key, category in policy.categories.items() if purpose in category.purposes
    )
    fields = tuple(fields)
    wanted = frozenset(policy.categories_of(*fields))
    # A message for the purpose (an audience, a survey) needs the person's name and
    # address even where the purpose's categories do not list them (a consent-based
    # purpose often does not): they are named in its audit entry, not refused.
    if kind != ReadKind.PROCESSING and fields and (not wanted or not wanted <= opened):
        raise refuse(
            refused(purpose)
            if refused is not None
            else Forbidden(
                f"the purpose {purpose!r} does not open the data this read needs",
                data={"purpose": purpose},
            )
        )
    categories = wanted if fields else opened
    return PeopleRead(
        actor=actor,
        purpose=purpose,
        kind=kind,
        categories=categories,
        people=people_readable(
            purpose, restricted_too=kind == ReadKind.LOOKUP and actor.sees_restricted
        ),
    )


def people_decide(*, person_ids: Iterable[int], decision: Any) -> dict[int, Any]:
    """What a rule laid on top of the gate (``decision``, an expression over the person,
    built from ``facts``) decides for each of these living people, restricted or not.
    Only the decision leaves, none of their data."""
    rows = (
        m.Person.objects.living()
        .filter(pk__in=list(person_ids))
        .annotate(decision=decision)
        .values_list("pk", "decision")
    )
    return dict(rows)


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


def _counting(actor: Actor) -> Actor:
    if not actor.aggregates_only:
        return actor
    return Actor(actor.kind, actor.id, purposes=actor.purposes, origin=actor.origin)
