"""Who may be sent direct marketing, on which channel, and why.

The rules, in the order they are applied (the first that speaks decides):

1. A restricted person (GDPR Art. 18) is never selected, nor a forgotten one's husk.
2. An objection to direct marketing (Art. 21(2)-(3)) wins over everything
   else: an objection to any direct-marketing purpose stops that purpose and
   every other direct-marketing purpose, on its channel or, when made without
   a channel, on all of them. Only the person can lift it.
3. The person's latest choice for the purpose (on this channel, or for the
   purpose as a whole) stands: a withdrawal stops, a consent allows.
4. Without a choice: a purpose whose legal basis is consent needs one. By
   e-mail or SMS (Information Society Code 917/2014, s. 200), a private person
   needs a prior consent, except that an existing customer may get marketing
   of the company's own similar services and a business contact may be
   marketed to, both until they refuse. By post and phone, the company's
   legitimate interest allows it until the person refuses.
5. Nobody is selected on a channel they have no address on.

``marketing_decision`` states the rules for one person in Python;
``_audience_sql`` states the same rules as one set-based query (behind
``marketing_audience`` and ``audience_rows``). ``tests/consent/test_marketing.py``
holds the two in step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record_many
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core.actors import Actor

# Re-exported: the channels direct marketing uses were named here before core had them.
from rekisteri.core.channels import MarketingChannel as MarketingChannel
from rekisteri.core.channels import channel_name, channel_parse
from rekisteri.core.errors import Forbidden, InvalidInput
from rekisteri.core.routing import may_be_stale
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import language_default, policy_get
from rekisteri.register import models as m
from rekisteri.register.selectors import purpose_exclusion, purpose_require

# Information Society Code s. 200 covers e-mail and SMS ("electronic" marketing).
ELECTRONIC = frozenset({MarketingChannel.EMAIL, MarketingChannel.SMS})


class Basis(StrEnum):
    """Why a person may be marketed to."""

    CONSENT = "consent"
    CUSTOMER = "customer"
    BUSINESS_CONTACT = "business_contact"
    LEGITIMATE_INTEREST = "legitimate_interest"


class Refusal(StrEnum):
    """Why a person may not be marketed to."""

    RESTRICTED = "restricted"
    OBJECTED = "objected"
    WITHDRAWN = "withdrawn"
    NO_CONSENT = "no_consent"
    NO_ADDRESS = "no_address"


@dataclass(frozen=True)
class MarketingFacts:
    restricted: bool
    objected: bool
    # The latest granted or withdrawn event for the purpose or purpose:channel.
    choice: str | None
    customer: bool
    business_contact: bool
    reachable: bool


def marketing_decision(
    facts: MarketingFacts, *, purpose: str, channel: MarketingChannel
) -> Basis | Refusal:
    """The rules of the module docstring, for one person."""
    if facts.restricted:
        return Refusal.RESTRICTED
    if facts.objected:
        return Refusal.OBJECTED
    basis: Basis | Refusal
    if facts.choice == ConsentAction.WITHDRAWN:
        basis = Refusal.WITHDRAWN
    elif facts.choice == ConsentAction.GRANTED:
        basis = Basis.CONSENT
    elif policy_get().purposes[purpose].legal_basis == LegalBasis.CONSENT:
        basis = Refusal.NO_CONSENT
    elif channel in ELECTRONIC:
        if facts.business_contact:
            basis = Basis.BUSINESS_CONTACT
        elif facts.customer:
            basis = Basis.CUSTOMER
        else:
            basis = Refusal.NO_CONSENT
    else:
        basis = Basis.LEGITIMATE_INTEREST
    if isinstance(basis, Basis) and not facts.reachable:
        return Refusal.NO_ADDRESS
    return basis


def direct_marketing_purposes() -> list[str]:
    return [key for key, p in policy_get().purposes.items() if p.direct_marketing]


def own_marketing_purpose() -> str | None:
    """The purpose of marketing the company's own services: the direct-marketing purpose
    that rests on legitimate interest, else (marketing on consent only) the first
    direct-marketing purpose. Objections to direct marketing are recorded on it, and it
    is the one the portal's channel choices serve. None where the policy does no direct
    marketing at all.

    An objection on it closes every direct-marketing purpose (rule 2), so the right
    to object (Art. 21(2)-(3)) never depends on how the policy's purposes rest.
    """
    purposes = policy_get().purposes
    direct = direct_marketing_purposes()
    on_interest = [p for p in direct if purposes[p].legal_basis == LegalBasis.LEGITIMATE_INTEREST]
    chosen = on_interest or direct
    return chosen[0] if chosen else None


def marketing_purpose_of(actor: Actor) -> str:
    """The direct-marketing purpose an actor records its messages for: the company's own
    marketing if it holds that, else the first direct-marketing purpose it holds."""
    held = [p for p in direct_marketing_purposes() if p in actor.purposes]
    if not held:
        raise Forbidden(
            "this client holds no direct-marketing purpose of the policy",
            data={"purposes": direct_marketing_purposes()},
        )
    purposes = policy_get().purposes
    own = [p for p in held if purposes[p].legal_basis == LegalBasis.LEGITIMATE_INTEREST]
    return (own or held)[0]


def channel_require(channel: str) -> MarketingChannel:
    return channel_parse(channel, MarketingChannel)


def purpose_require_direct_marketing(purpose: str) -> str:
    if purpose not in direct_marketing_purposes():
        raise InvalidInput(
            "purpose: must be a direct-marketing purpose of the policy: "
            + ", ".join(direct_marketing_purposes()),
            data={"field": "purpose"},
        )
    return purpose


def _later_on_same_scope(action: ConsentAction) -> models.QuerySet[ConsentEvent]:
    """Events of ``action`` on the outer event's scope that came after it."""
    return ConsentEvent.objects.filter(
        person_id=OuterRef("person_id"), scope=OuterRef("scope"), action=action
    ).filter(
        Q(occurred_at__gt=OuterRef("occurred_at"))
        | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )


def objection_in_force(channel: MarketingChannel) -> Exists:
    """Rule 2 for the outer person: an objection not lifted since."""
    scopes = [s for p in direct_marketing_purposes() for s in (p, f"{p}:{channel}")]
    return Exists(
        ConsentEvent.objects.filter(
            person_id=OuterRef("pk"), scope__in=scopes, action=ConsentAction.OBJECTED
        ).exclude(Exists(_later_on_same_scope(ConsentAction.LIFTED)))
    )


@purpose_exclusion
def people_objected_or_not_consented(purpose: str) -> models.QuerySet[Any] | None:
    """For the purpose gate: who a purpose is closed for, by the ledger.

    A purpose-wide objection not lifted since closes the purpose (for direct
    marketing, an objection to any direct-marketing purpose closes them all);
    a purpose that rests on consent is open only to people whose consent to
    it, on some channel, stands.
    """
    policy = policy_get()
    if purpose not in policy.purposes:
        return None
    direct = direct_marketing_purposes()
    scopes = direct if purpose in direct else [purpose]
    objected = ConsentEvent.objects.filter(scope__in=scopes, action=ConsentAction.OBJECTED).exclude(
        Exists(_later_on_same_scope(ConsentAction.LIFTED))
    )
    closed = objected.values("person_id")
    if policy.purposes[purpose].legal_basis != LegalBasis.CONSENT:
        return closed
    consenting = (
        ConsentEvent.objects.filter(action=ConsentAction.GRANTED)
        .filter(Q(scope=purpose) | Q(scope__startswith=f"{purpose}:"))
        .exclude(Exists(_later_on_same_scope(ConsentAction.WITHDRAWN)))
        .filter(person_id=OuterRef("pk"))
    )
    # NOT EXISTS, not NOT IN: the latter is a scan per person once the set of
    # consenting people outgrows PostgreSQL's working memory.
    return m.Person.objects.filter(Q(pk__in=closed) | ~Exists(consenting)).values("pk")


def _address_rows(channel: MarketingChannel) -> models.QuerySet[Any]:
    """The rows that hold the outer person's address on ``channel``."""
    model = _ADDRESS_SQL[channel][0]
    return model._default_manager.filter(person_id=OuterRef("pk"))


def _facts(purpose: str, channel: MarketingChannel) -> models.QuerySet[Any]:
    """Every living person with the facts the rules look at, as columns."""
    choice = (
        ConsentEvent.objects.filter(
            person_id=OuterRef("pk"),
            scope__in=[purpose, f"{purpose}:{channel}"],
            action__in=[ConsentAction.GRANTED, ConsentAction.WITHDRAWN],
        )
        .order_by("-occurred_at", "-pk")
        .values("action")[:1]
    )
    return m.Person.objects.living().annotate(
        is_restricted=ExpressionWrapper(
            Q(restricted_since__isnull=False), output_field=models.BooleanField()
        ),
        objected=objection_in_force(channel),
        choice=Subquery(choice),
        customer=Exists(
            m.Customership.objects.filter(person_id=OuterRef("pk"), ended_on__isnull=True)
        ),
        business_contact=Exists(m.OrganisationRole.objects.filter(person_id=OuterRef("pk"))),
        reachable=Exists(_address_rows(channel)),
    )


def _row_facts(row: dict[str, Any]) -> MarketingFacts:
    return MarketingFacts(
        restricted=bool(row["is_restricted"]),
        objected=bool(row["objected"]),
        choice=row["choice"],
        customer=bool(row["customer"]),
        business_contact=bool(row["business_contact"]),
        reachable=bool(row["reachable"]),
    )


FACT_COLUMNS = ("pk", "is_restricted", "objected", "choice", "customer", "business_contact")


def marketing_decisions(
    *, purpose: str, channel: str, person_ids: list[int]
) -> dict[int, Basis | Refusal]:
    """The decision for each of these people, by the Python statement of the rules."""
    purpose_require_direct_marketing(purpose)
    chosen = channel_require(channel)
    rows = _facts(purpose, chosen).filter(pk__in=person_ids).values(*FACT_COLUMNS, "reachable")
    return {
        row["pk"]: marketing_decision(_row_facts(row), purpose=purpose, channel=chosen)
        for row in rows
    }


# The address on each channel, as one text: its table and the SQL of its value.
# The declared field of each channel's address, for the categories an audience reads.
_ADDRESS_FIELDS = {
    MarketingChannel.EMAIL: "email_address.address",
    MarketingChannel.SMS: "phone_number.number",
    MarketingChannel.PHONE: "phone_number.number",
    MarketingChannel.LETTER: "postal_address.street_address",
}
_ADDRESS_SQL = {
    MarketingChannel.EMAIL: (m.EmailAddress, "address"),
    MarketingChannel.SMS: (m.PhoneNumber, "number"),
    MarketingChannel.PHONE: (m.PhoneNumber, "number"),
    MarketingChannel.LETTER: (
        m.PostalAddress,
        "street_address || ', ' || postal_code || ' ' || city || ', ' || country",
    ),
}


def _audience_sql(
    purpose: str, channel: MarketingChannel, bounds: tuple[int, int] | None = None
) -> tuple[str, list[Any]]:
    """The rules as one set-based SELECT of (id, first name, last name, address, basis).

    Every fact is computed once for all people and joined by hash, never asked
    per person: at a million people a per-person subquery costs seconds, this
    is one pass over each table. ``bounds`` (lo, hi] cuts every table to a
    range of person ids, so a page costs its range, not the whole register.
    """
    purposes = direct_marketing_purposes()
    objection_scopes = [s for p in purposes for s in (p, f"{p}:{channel}")]
    address_model, address_value = _ADDRESS_SQL[channel]
    events = ConsentEvent._meta.db_table
    electronic = channel in ELECTRONIC
    granted, withdrawn = str(ConsentAction.GRANTED), str(ConsentAction.WITHDRAWN)
    params: list[Any] = []

    def value(*values: Any) -> str:
        params.extend(values)
        return ", ".join(["%s"] * len(values))

    def cut(column: str) -> str:
        if bounds is None:
            return ""
        return f" AND {column} > {value(bounds[0])} AND {column} <= {value(bounds[1])}"

    # PostgreSQL joins each fact computed once for everyone (hash joins); SQLite
    # has no hash join, and asks per person through the indexes instead.
    hashed = connection.vendor == "postgresql"

    def chosen_events() -> str:
        scopes = value(purpose, f"{purpose}:{channel}")
        return (
            f"{events} e WHERE e.scope IN ({scopes}) AND e.action IN ({value(granted, withdrawn)})"
        )

    def choice() -> str:
        if hashed:
            return "c.action"
        return (
            f"(SELECT e.action FROM {chosen_events()} AND e.person_id = p.id "  # noqa: S608
            "ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)"
        )

    def customer() -> str:
        if hashed:
            return "k.person_id IS NOT NULL"
        table = m.Customership._meta.db_table
        return f"p.id IN (SELECT person_id FROM {table} WHERE ended_on IS NULL)"  # noqa: S608

    def contact() -> str:
        if hashed:
            return "r.person_id IS NOT NULL"
        return f"p.id IN (SELECT person_id FROM {m.OrganisationRole._meta.db_table})"  # noqa: S608

    def default() -> str:
        if policy_get().purposes[purpose].legal_basis == LegalBasis.CONSENT:
            return "FALSE"
        return f"({customer()} OR {contact()})" if electronic else "TRUE"

    def choice_table() -> str:
        if not hashed:
            return ""
        return f"""choice AS (
        SELECT DISTINCT ON (e.person_id) e.person_id, e.action
        FROM {chosen_events()}{cut("e.person_id")}
        ORDER BY e.person_id, e.occurred_at DESC, e.id DESC
    ), """  # noqa: S608

    def newest_address() -> str:
        table = address_model._meta.db_table
        if hashed:
            # DISTINCT ON reads the newest row per person in one ordered pass.
            return f"""
        SELECT DISTINCT ON (person_id) person_id, {address_value} AS value
        FROM {table} WHERE TRUE{cut("person_id")}
        ORDER BY person_id, stored_at DESC, id DESC"""  # noqa: S608
        return f"""
        SELECT person_id, value FROM (
            SELECT person_id, {address_value} AS value, ROW_NUMBER() OVER (
                PARTITION BY person_id ORDER BY stored_at DESC, id DESC) AS n
            FROM {table} WHERE TRUE{cut("person_id")}
        ) AS newest WHERE n = 1"""  # noqa: S608

    def fact_joins() -> str:
        if not hashed:
            return ""
        return f"""
    LEFT JOIN choice c ON c.person_id = p.id
    LEFT JOIN (
        SELECT DISTINCT person_id FROM {m.Customership._meta.db_table}
        WHERE ended_on IS NULL{cut("person_id")}
    ) k ON k.person_id = p.id
    LEFT JOIN (
        SELECT DISTINCT person_id FROM {m.OrganisationRole._meta.db_table}
        WHERE TRUE{cut("person_id")}
    ) r ON r.person_id = p.id"""  # noqa: S608

    # Placeholders are made in the order they appear, so their values line up.
    sql = f"""
    WITH {choice_table()}address AS ({newest_address()}
    )
    SELECT p.id, p.first_name, p.last_name, a.value,
        CASE WHEN {choice()} = {value(granted)} THEN {value(str(Basis.CONSENT))}
             WHEN {contact()} THEN {
        value(str(Basis.BUSINESS_CONTACT if electronic else Basis.LEGITIMATE_INTEREST))
    }
             WHEN {customer()} THEN {
        value(str(Basis.CUSTOMER if electronic else Basis.LEGITIMATE_INTEREST))
    }
             ELSE {value(str(Basis.LEGITIMATE_INTEREST))} END
    FROM {m.Person._meta.db_table} p
    JOIN address a ON a.person_id = p.id{fact_joins()}
    WHERE p.erased_at IS NULL AND p.restricted_since IS NULL{cut("p.id")}
      AND NOT EXISTS (
        SELECT 1 FROM {events} o
        WHERE o.person_id = p.id AND o.action = {value(str(ConsentAction.OBJECTED))}
          AND o.scope IN ({value(*objection_scopes)})
          AND NOT EXISTS (
            SELECT 1 FROM {events} l
            WHERE l.person_id = o.person_id AND l.scope = o.scope
              AND l.action = {value(str(ConsentAction.LIFTED))}
              AND (l.occurred_at > o.occurred_at
                   OR (l.occurred_at = o.occurred_at AND l.id > o.id))))
      AND ({choice()} = {value(granted)} OR ({choice()} IS NULL AND {default()}))
    """  # noqa: S608 - table and column names come from the models; values are parameters
    return sql, params


def marketing_audience(*, purpose: str, channel: str) -> models.QuerySet[Any]:
    """Everyone who may be marketed to, by the rules as one set-based query."""
    purpose_require_direct_marketing(purpose)
    sql, params = _audience_sql(purpose, channel_require(channel))
    return m.Person.objects.filter(
        pk__in=RawSQL(f"SELECT id FROM ({sql}) AS audience", params)  # noqa: S608, S611
    )


@may_be_stale
def marketing_audience_count(*, purpose: str, channel: str) -> int:
    """How many people may be marketed to now: a figure, read on a replica where there is one.

    Only the count may be stale. Whoever is handed out or sent to is read on the
    primary, where an objection made a moment ago is already in force (Art. 21(3)).
    """
    return marketing_audience(purpose=purpose, channel=channel).count()


def audience_rows(
    *, purpose: str, channel: str, after: int = 0, limit: int = 1000, span: int = 0
) -> list[tuple[int, str, str, str, str]]:
    """Up to ``limit`` audience rows (id, first name, last name, address, basis)
    after id ``after``, in id order, read ``span`` ids at a time.

    Each range of ids costs the same whatever its place, so paging through a
    million people is linear; a LIMIT over the whole set would redo it per page.
    """
    purpose_require_direct_marketing(purpose)
    chosen = channel_require(channel)
    top = m.Person.objects.aggregate(top=models.Max("pk"))["top"] or 0
    rows: list[tuple[int, str, str, str, str]] = []
    # Without a fixed span, guess that half the ids qualify, then learn how many do.
    density, fixed = 0.5, span
    while len(rows) < limit and after < top:
        wanted = limit - len(rows)
        span = fixed or min(max(int(wanted / density * 1.1) + 1, 100), 1_000_000)
        sql, params = _audience_sql(purpose, chosen, (after, after + span))
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY p.id", params)
            found = cursor.fetchall()
        rows += found
        density = max(len(found) / span, 0.001)
        after += span
    return rows[:limit]


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

    The purpose gate's check comes first (the actor must hold the purpose);
    every person handed out is audited as read for it.
    """
    purpose_require(actor=actor, purpose=purpose)
    rows = audience_rows(purpose=purpose, channel=channel, after=after, limit=limit)
    return _handed_out(actor, rows, purpose, channel, language)


def _handed_out(
    actor: Actor,
    rows: list[tuple[int, str, str, str, str]],
    purpose: str,
    channel: str,
    language: str,
) -> list[Recipient]:
    """The rows as recipients with their opt-out links; each person audited as read."""
    found = [
        Recipient(pk, first, last, address, basis, opt_out_url(pk, purpose, channel, language))
        for pk, first, last, address, basis in rows
    ]
    if found:
        audit_record_many(
            actor=actor,
            event=AuditEvent.PERSON_READ,
            person_ids=[r.person_id for r in found],
            categories=policy_get().categories_of(
                "person.first_name", "person.last_name", _ADDRESS_FIELDS[MarketingChannel(channel)]
            ),
            purpose=purpose,
            data={"audience": str(channel)},
        )
    return found


def audience_iter(
    *, actor: Actor, purpose: str, channel: str, page: int = 2000, language: str = ""
) -> Iterator[list[Recipient]]:
    """The whole audience in id order, ``page`` people at a time, each page audited.

    One query streamed through a server-side cursor: a million people are one
    pass over each table (2 s), where keyset pages cost a pass over each range.
    """
    purpose_require(actor=actor, purpose=purpose)
    for rows in audience_stream(purpose=purpose, channel=channel, chunk=page):
        yield _handed_out(actor, rows, purpose, channel, language)


def audience_stream(
    *, purpose: str, channel: str, chunk: int = 2000
) -> Iterator[list[tuple[int, str, str, str, str]]]:
    """The audience's rows (as ``audience_rows``) in id order, ``chunk`` at a time."""
    purpose_require_direct_marketing(purpose)
    sql, params = _audience_sql(purpose, channel_require(channel))
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY p.id", params)
        while rows := cursor.fetchmany(chunk):
            yield rows


# --- The opt-out link every message carries ---------------------------------

_OPT_OUT_SALT = "rekisteri.consent.opt-out"
OPT_OUT_PATHS = {"fi": "/markkinointikielto/", "en": "/en/opt-out/", "sv": "/sv/avregistrera/"}


@dataclass(frozen=True)
class OptOut:
    person_id: int
    purpose: str
    channel: MarketingChannel


def opt_out_token(person_id: int, purpose: str, channel: str) -> str:
    """Signed, not secret: it holds ids only, and it works for as long as the key stays."""
    return signing.dumps([person_id, purpose, str(channel)], salt=_OPT_OUT_SALT)


def opt_out_url(person_id: int, purpose: str, channel: str, lang: str = "") -> str:
    """The one-click opt-out, on the page in ``lang`` (by default the register's)."""
    lang = lang if lang in OPT_OUT_PATHS else language_default()
    return (
        settings.REKISTERI_BASE_URL
        + OPT_OUT_PATHS[lang]
        + opt_out_token(person_id, purpose, channel)
    )


def opt_out_read(token: str) -> OptOut:
    try:
        person_id, purpose, channel = signing.loads(token[:300], salt=_OPT_OUT_SALT)
        # A link sent before the channels had one vocabulary may carry a former name.
        return OptOut(int(person_id), str(purpose), MarketingChannel(channel_name(channel)))
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput("the opt-out link is not valid", data={"field": "token"}) from None
