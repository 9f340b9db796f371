"""The marketing audience read and handed out: through the purpose gate, set-based,
each person handed out audited, each with the opt-out link every message carries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from rekisteri.consent.marketing.optout import opt_out_url
from rekisteri.consent.marketing.rules import (
    ADDRESS_FIELDS,
    MarketingChannel,
    audience_of,
    channel_require,
    purpose_require_direct_marketing,
)
from rekisteri.core.actors import Actor
from rekisteri.core.routing import may_be_stale
from rekisteri.register.gate import PeopleRead, ReadKind, people_gate, people_readable


def marketing_audience(*, purpose: str, channel: str) -> models.QuerySet[Any]:
    """The ids of everyone who may be marketed to now: for counting and for narrowing
    a segment, never handed out (``audience_page`` hands out, through the gate)."""
    purpose_require_direct_marketing(purpose)
    return audience_of(people_readable(purpose), purpose, channel_require(channel)).values("pk")


@may_be_stale
def marketing_audience_count(*, purpose: str, channel: str) -> int:
    """How many people may be marketed to now: a figure, read on a replica where there is one.

    Only the count may be stale. Whoever is handed out or sent to is read on the
    primary, where an objection made a moment ago is already in force (Art. 21(3)).
    """
    return marketing_audience(purpose=purpose, channel=channel).count()


def audience_gate(*, actor: Actor, purpose: str, channel: str) -> PeopleRead:
    """The purpose gate, entered for an audience: names and the channel's address."""
    purpose_require_direct_marketing(purpose)
    return people_gate(
        actor=actor,
        purpose=purpose,
        kind=ReadKind.PROCESSING,
        fields=("person.first_name", "person.last_name", ADDRESS_FIELDS[channel_require(channel)]),
    )


Row = tuple[int, str, str, str, str]


def _audience_sql(
    read: PeopleRead, channel: MarketingChannel, bounds: tuple[int, int] | None = None
) -> tuple[str, list[Any]]:
    """The audience as one SELECT of (id, first name, last name, address, basis), in id order.

    The people and their newest address are each read in one pass and joined, never
    asked per person: at a million people a per-person subquery costs seconds.
    ``bounds`` (lo, hi] cut both to a range of person ids, so a page costs its range.
    """
    people = read.people
    if bounds is not None:
        people = people.filter(pk__gt=bounds[0], pk__lte=bounds[1])
    chosen = audience_of(people, read.purpose, channel).values(
        "pk", "first_name", "last_name", "basis"
    )
    people_sql, people_params = chosen.query.sql_with_params()
    addresses = read.addresses(ADDRESS_FIELDS[channel], bounds=bounds)
    address_sql, address_params = addresses.query.sql_with_params()
    sql = (
        "SELECT p.pk, p.first_name, p.last_name, a.value, p.basis "  # noqa: S608 - both parts are the ORM's
        f"FROM ({people_sql}) p JOIN ({address_sql}) a ON a.person_id = p.pk ORDER BY p.pk"
    )
    return sql, [*people_params, *address_params]


def audience_rows(
    read: PeopleRead, *, channel: str, after: int = 0, limit: int = 1000, span: int = 0
) -> list[Row]:
    """Up to ``limit`` audience rows (id, first name, last name, address, basis)
    after id ``after``, in id order, read ``span`` ids at a time.

    Each range of ids costs the same whatever its place, so paging through a
    million people is linear; a LIMIT over the whole set would redo it per page.
    Not audited: the caller records whom it hands out (``audience_page``).
    """
    chosen = channel_require(channel)
    top = read.people.aggregate(top=models.Max("pk"))["top"] or 0
    rows: list[Row] = []
    # Without a fixed span, guess that half the ids qualify, then learn how many do.
    density, fixed = 0.5, span
    while len(rows) < limit and after < top:
        wanted = limit - len(rows)
        span = fixed or min(max(int(wanted / density * 1.1) + 1, 100), 1_000_000)
        sql, params = _audience_sql(read, chosen, (after, after + span))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
        rows += found
        density = max(len(found) / span, 0.001)
        after += span
    return rows[:limit]


def audience_stream(read: PeopleRead, *, channel: str, chunk: int = 2000) -> Iterator[list[Row]]:
    """The audience's rows (as ``audience_rows``) in id order, ``chunk`` at a time."""
    sql, params = _audience_sql(read, channel_require(channel))
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield rows


@dataclass(frozen=True)
class Recipient:
    person_id: int
    first_name: str
    last_name: str
    address: str
    basis: str
    opt_out_url: str


def audience_page(
    *,
    actor: Actor,
    purpose: str,
    channel: str,
    after: int = 0,
    limit: int = 1000,
    language: str = "",
) -> list[Recipient]:
    """One page of the audience in id order, from after ``after``: keyset, never OFFSET.

    The purpose gate comes first; every person handed out is audited as read for it.
    """
    read = audience_gate(actor=actor, purpose=purpose, channel=channel)
    rows = audience_rows(read, channel=channel, after=after, limit=limit)
    return _handed_out(read, rows, channel, language)


def _handed_out(read: PeopleRead, rows: list[Row], channel: str, language: str) -> list[Recipient]:
    """The rows as recipients with their opt-out links; each person audited as read."""
    found = [
        Recipient(pk, first, last, address, basis, opt_out_url(pk, read.purpose, channel, language))
        for pk, first, last, address, basis in rows
    ]
    read.record([r.person_id for r in found], data={"audience": str(channel)})
    return found


def audience_iter(
    *, actor: Actor, purpose: str, channel: str, page: int = 2000, language: str = ""
) -> Iterator[list[Recipient]]:
    """The whole audience in id order, ``page`` people at a time, each page audited.

    One query streamed through a server-side cursor: a million people are one
    pass over each table, where keyset pages cost a pass over each range.
    """
    read = audience_gate(actor=actor, purpose=purpose, channel=channel)
    for rows in audience_stream(read, channel=channel, chunk=page):
        yield _handed_out(read, rows, channel, language)
