"""The plan of a demo register: who the people are and what history they have.

``demo_rules`` reads the policy once: which tables and fields it collects,
which sources it lists for each table's categories, which consent scopes it
has, which purpose is direct marketing and on what basis, and the words of the
controller's country. ``demo_plan`` is pure: from those rules, a seed and an
anchor date it yields the rows of each batch as plain data, each person drawn
from a random stream of their own, so that two plans can be compared without a
database and the batch size changes nothing.

Everything that would identify a real person or company is made up: e-mail
addresses and web sites use example domains, IP addresses the documentation
ranges (RFC 5737), card tokens are random. Identity codes and business ids are
valid by their check characters, because the register validates them.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import consent_text_hash
from rekisteri.core import clock
from rekisteri.core.errors import InvalidInput
from rekisteri.demo.identifiers import HETU_SPACE, business_id, hetu, reference_number
from rekisteri.demo.names import Words, words_for
from rekisteri.policy.schema import (
    LegalBasis,
    Policy,
    RetentionEvent,
    RetentionRule,
    SourceKind,
    SourceRecord,
)
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import Gender
from rekisteri.register.services import source_from_subject

# The data fields the demo writes in each table, in the order it stores the
# tables (people and organisations first: the other rows point at them).
PLANNED_FIELDS: dict[str, tuple[str, ...]] = {
    "Person": (
        "first_name", "last_name", "personal_identity_code", "birth_year", "gender", "job_title",
    ),
    "Organisation": ("name", "business_id", "website", "presentation_video"),
    "EmailAddress": ("address", "verified_at"),
    "EmailChange": ("new_email_row",),
    "PhoneNumber": ("number",),
    "PostalAddress": ("street_address", "postal_code", "city", "country"),
    "OrganisationRole": ("organisation", "title"),
    "ServiceAccount": ("username", "external_id", "password_hash"),
    "IdentityVerification": ("method", "result", "verified_at"),
    "Customership": ("started_on", "ended_on", "end_reason"),
    "UsageEvent": ("action", "detail", "occurred_at"),
    "ContactEvent": ("channel", "direction", "summary", "occurred_at"),
    "PaymentCard": ("provider_token", "brand", "last_four", "expires"),
    "BillingAccount": ("e_invoice_address", "reference"),
    "ServiceSubscription": ("service", "started_on", "ended_on"),
    "Payment": ("amount", "currency", "paid_at", "method"),
    "Invoice": (
        "number", "amount", "issued_on", "due_on", "billing_name", "billing_address",
    ),
    "WebVisit": ("ip_address", "cookie_id", "user_agent", "page", "occurred_at"),
    "Delivery": ("channel", "campaign", "sent_at", "opened_at", "clicked_at"),
    "Feedback": ("text", "rating", "theme", "given_at"),
    "ServiceCase": ("subject", "description", "resolution", "opened_at", "closed_at"),
    "UserContent": ("title", "body", "url"),
    "ConsentedDatum": ("label", "value"),
    "Rectification": ("field", "reason", "made_by"),
    "ConsentEvent": (
        "scope", "action", "channel", "text_hash", "notice_version", "occurred_at",
    ),
}  # fmt: skip
MODEL_NAMES: tuple[str, ...] = tuple(PLANNED_FIELDS)
# Rows that only make sense beside another table's.
NEEDS: dict[str, str] = {"OrganisationRole": "Organisation", "EmailChange": "EmailAddress"}
# Where a table's history is the service's own record of use, a source of those
# kinds is drawn when the policy allows one; elsewhere any source it allows.
KINDS: dict[str, tuple[SourceKind, ...]] = {
    "Person": (SourceKind.SUBJECT,),
    "UsageEvent": (SourceKind.OBSERVED, SourceKind.SUBJECT),
    "ServiceSubscription": (SourceKind.OBSERVED, SourceKind.SUBJECT),
}
# Tables written by the register under the source the policy declares for the record.
RECORDS: dict[str, SourceRecord] = {
    "Rectification": SourceRecord.STAFF_ENTRIES,
    "Delivery": SourceRecord.MARKETING_DELIVERIES,
}

# Every this many people one has a change of e-mail address waiting for them
# to confirm it (the new address ends so, before the domain).
PENDING_EMAIL_CHANGE_EVERY = 50
PENDING_EMAIL_MARK = ".uusi@"
# The consent ledger's channels the demo uses; staff record a choice by the last.
CONSENT_CHANNELS = ("portal", "form")
STAFF_CHANNEL = "customer_service"

# Without an identity code to say it, some people tell another gender or none.
GENDERS = (*Gender.values, "")
GENDER_SHARES = (0.47, 0.94, 0.96, 0.98, 1.0)
LETTERS = "ABCDEFGH"
IP_PREFIXES = ("192.0.2", "198.51.100", "203.0.113")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0 Mobile Safari/537.36",
)
VERIFICATION_METHODS = ("bank_credentials", "mobile_certificate", "email_link")
TOKEN_CHARACTERS = string.ascii_letters + string.digits
CARD_BRANDS = ("Visa", "Mastercard", "American Express")

DAY = 86_400
PEOPLE_PER_ORG = 10
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
TO_ASCII = str.maketrans("äöåéü", "aoaeu")


def table_key(name: str) -> str:
    """The policy's name of a table: "EmailAddress" -> "email_address"."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class DemoRules:
    """What the policy lets the demo write, read from it once per run."""

    words: Words
    # The tables the demo fills, and the sources each may name (drawn from evenly).
    sources: Mapping[str, tuple[str, ...]]
    # "<table>.<field>" the policy does not collect: left at the field's default.
    dropped: frozenset[str]
    identity_codes: bool
    # The scopes a person may consent on: purposes on consent, and direct marketing.
    consent_scopes: tuple[str, ...]
    # The scope of the direct-marketing purpose people are sent marketing under.
    marketing_scope: str | None
    # Whether that purpose lets customers be sent marketing until they refuse
    # (legitimate interest), or only those who consented.
    marketing_without_consent: bool
    # The text each scope's consent shows, in ``text_language``, with its hash.
    consent_texts: Mapping[str, str]
    consent_hashes: Mapping[str, str]
    text_language: str
    # The consent ledger's channel -> the source its events name.
    consent_channels: Mapping[str, str]
    services: tuple[str, ...]
    brand: str
    # The source under which staff correct a contact detail or store a new one.
    staff_source: str | None
    # How many days of history each retention rule keeps: an ex-customer's since
    # the customership ended, a prospect's since registering, and by table the
    # rows kept by their own time. None where no rule of the kind applies.
    customer_days: int | None = None
    prospect_days: int | None = None
    event_days: Mapping[str, int] = field(default_factory=dict)

    def fills(self, name: str) -> bool:
        return name in self.sources


def _record_source(policy: Policy, record: SourceRecord) -> str | None:
    try:
        return policy.source_for(record)
    except LookupError:
        return None


def _days(rules: list[RetentionRule]) -> int | None:
    """The days the shortest of ``rules`` surely keeps: a month has at least 28."""
    return min((rule.total_months * 28 for rule in rules), default=None)


def _retention_days(
    policy: Policy, tables: Mapping[str, set[str]]
) -> tuple[int | None, int | None, dict[str, int]]:
    """Days of history the policy keeps for ex-customers, prospects and by table."""
    used = [policy.retention[category.retention] for category in policy.categories.values()]
    customer = [rule for rule in used if rule.after == RetentionEvent.CUSTOMERSHIP_END]
    prospect = [rule for rule in used if rule.after == RetentionEvent.REGISTERED]
    prospect += [policy.retention[rule.fallback] for rule in customer if rule.fallback]
    events: dict[str, int] = {}
    for name, categories in tables.items():
        days = _days(
            [
                rule
                for category in categories
                if (rule := policy.retention[policy.categories[category].retention]).after
                == RetentionEvent.EVENT_TIME
            ]
        )
        if days is not None:
            events[name] = days
    return _days(customer), _days(prospect), events


def demo_rules(policy: Policy | None = None) -> DemoRules:
    """Read what the demo may write from ``policy`` (default: the loaded one)."""
    policy = policy or policy_get()
    collected = {
        f"{table_key(name)}.{field}": policy.category_of_field(f"{table_key(name)}.{field}")
        for name, fields in PLANNED_FIELDS.items()
        for field in fields
    }
    dropped = frozenset(field for field, category in collected.items() if category is None)
    sources: dict[str, tuple[str, ...]] = {}
    tables: dict[str, set[str]] = {}
    for name, fields in PLANNED_FIELDS.items():
        categories = {
            category
            for field in fields
            if (category := collected[f"{table_key(name)}.{field}"]) is not None
        }
        tables[name] = categories
        if not categories or (name in NEEDS and NEEDS[name] not in sources):
            continue  # the policy collects nothing the table holds
        # A source the policy lists for every category the row writes (notice §7).
        allowed = tuple(
            key
            for key in policy.sources
            if all(key in policy.categories[category].sources for category in categories)
        )
        if name in RECORDS:
            recorded = _record_source(policy, RECORDS[name])
            allowed = (recorded,) if recorded in allowed else allowed
        kinds = KINDS.get(name, ())
        preferred = tuple(key for key in allowed if policy.sources[key].kind in kinds)
        if preferred or allowed:
            sources[name] = preferred or allowed

    words = words_for(country=policy.controller.country, languages=policy.policy.languages)
    staff = _record_source(policy, SourceRecord.STAFF_ENTRIES)
    choices = _record_source(policy, SourceRecord.SUBJECT_CHOICES)
    consent_channels: dict[str, str] = {}
    allowed_consent = sources.get("ConsentEvent", ())
    if choices in allowed_consent:
        consent_channels.update(dict.fromkeys(CONSENT_CHANNELS, choices))
    if staff in allowed_consent:
        consent_channels[STAFF_CHANNEL] = staff
    if not consent_channels:
        sources.pop("ConsentEvent", None)

    purposes = policy.purposes
    scopes = tuple(
        key
        for key, purpose in purposes.items()
        if purpose.legal_basis == LegalBasis.CONSENT or purpose.direct_marketing
    )
    marketing = next((key for key, p in purposes.items() if p.direct_marketing), None)
    if marketing is None:
        sources.pop("Delivery", None)
    language = (
        words.language if words.language in policy.policy.languages else policy.policy.languages[0]
    )
    texts = {
        scope: words.consent_text.format(
            controller=policy.controller.name, purpose=purposes[scope].name(language)
        )
        for scope in scopes
    }
    brand = policy.controller.name.split()[0]
    customer_days, prospect_days, event_days = _retention_days(policy, tables)
    return DemoRules(
        words=words,
        sources=sources,
        dropped=dropped,
        identity_codes=words.country == "FI" and "person.personal_identity_code" not in dropped,
        consent_scopes=scopes,
        marketing_scope=marketing,
        marketing_without_consent=marketing is not None
        and purposes[marketing].legal_basis != LegalBasis.CONSENT,
        consent_texts=texts,
        consent_hashes={
            scope: consent_text_hash(text=text, language=language) for scope, text in texts.items()
        },
        text_language=language,
        consent_channels=consent_channels,
        services=tuple(f"{brand} {tier}" for tier in words.service_tiers),
        brand=brand,
        staff_source=staff if staff in sources.get("EmailAddress", ()) else None,
        customer_days=customer_days,
        prospect_days=prospect_days,
        event_days=event_days,
    )


@dataclass(frozen=True)
class DemoBatch:
    """The rows of one batch, before any of them is stored.

    ``people`` holds model fields; ``organisations`` the fields of the
    organisations the batch founds, by their number in the run. Every other row
    is a pair: the position of its person in ``people`` and its fields. An
    ``OrganisationRole``'s ``organisation`` is an organisation's number, which
    an earlier batch may have founded. Service accounts carry no
    ``password_hash``: it is salted, so it is added when the batch is stored.
    """

    people: list[dict[str, Any]]
    organisations: dict[int, dict[str, Any]]
    rows: dict[str, list[tuple[int, dict[str, Any]]]]


def _organisation_number(person_number: int) -> int:
    return (person_number - 1) // PEOPLE_PER_ORG + 1


def demo_plan(
    *,
    people: int,
    seed: int = 2026,
    batch_size: int = 2000,
    today: dt.date,
    notice_version: int | None = None,
    rules: DemoRules | None = None,
    overdue: bool = False,
) -> Iterator[DemoBatch]:
    """Yield the demo register in batches; the same arguments give the same rows.

    Each person is drawn from a random stream of their own (seeded by the seed
    and their number), so the rows do not depend on ``batch_size``, and any
    range of people could be planned on its own. The history lies within the
    policy's retention periods, some of it close to their end; with ``overdue``,
    some lies past them, to give the retention sweep work at once.
    """
    if people < 1:
        raise InvalidInput("the demo needs at least one person", data={"people": people})
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1", data={"batch_size": batch_size})
    planner = _Planner(
        seed=seed,
        today=today,
        notice_version=notice_version,
        rules=rules or demo_rules(),
        overdue=overdue,
    )
    for first in range(1, people + 1, batch_size):
        yield planner.batch(first=first, count=min(batch_size, people + 1 - first))


def _verified_at(source: str, stored_at: dt.datetime) -> dt.datetime | None:
    """An address the person gave themself counts as verified (as in person_register)."""
    return stored_at if source_from_subject(source) else None


class _Planner:
    """Draws each person and organisation from a random stream of their own."""

    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        notice_version: int | None,
        rules: DemoRules,
        overdue: bool,
    ) -> None:
        self.seed = seed
        self.rules = rules
        self.overdue = overdue
        self.words = rules.words
        # Reproducible on purpose: nothing here is a secret.
        self.rng = random.Random()  # noqa: S311
        self.today_ordinal = today.toordinal()
        # Midnight where the controller is: every generated time lies before it.
        self.anchor = int(dt.datetime.combine(today, dt.time(), tzinfo=clock.zone()).timestamp())
        self.notice_version = notice_version
        self.hetu_offset = random.Random(f"hetu {seed}").randrange(HETU_SPACE)  # noqa: S311

    def batch(self, *, first: int, count: int) -> DemoBatch:
        numbers = range(first, first + count)
        # Every ten consecutive people share one organisation, founded with the
        # first of them; their contact persons come from those ten.
        founded = (
            [
                _organisation_number(number)
                for number in numbers
                if (number - 1) % PEOPLE_PER_ORG == 0
            ]
            if self.rules.fills("Organisation")
            else []
        )
        batch = DemoBatch(
            people=[], organisations={n: self._organisation(n) for n in founded}, rows={}
        )
        for position, number in enumerate(numbers):
            self._person(batch, position, number)
        return batch

    def _keep(self, name: str, fields: dict[str, Any]) -> dict[str, Any]:
        """The fields the policy collects; the rest stay at the model's default."""
        key = table_key(name)
        return {k: v for k, v in fields.items() if f"{key}.{k}" not in self.rules.dropped}

    def _source(self, name: str) -> str:
        return self.rng.choice(self.rules.sources[name])

    # Times --------------------------------------------------------------------------

    def _at(self, ts: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, tz=dt.UTC)

    def _day_ts(self, ordinal: int) -> int:
        """A working-hours moment of the given day, never later than the anchor."""
        ts = (ordinal - EPOCH_ORDINAL) * DAY + self.rng.randrange(6 * 3600, 16 * 3600)
        return min(ts, self.anchor - 1)

    def _between(self, low: int, high: int) -> int:
        return self.rng.randrange(low, max(high, low + 1))

    def _kept(self, name: str, low: int) -> int:
        """``low``, or the oldest time ``name``'s retention rule still keeps rows of."""
        days = self.rules.event_days.get(name)
        if days is None or self.overdue:
            return low
        return max(low, self.anchor - days * DAY)

    def _days_ago(self, most: int, kept: int | None, least: int = 1) -> int:
        """Between ``least`` and ``most`` days, unless the rule keeps fewer (``kept``)."""
        if kept is not None and not self.overdue:
            most = max(1, min(most, kept - 1))
        return self.rng.randint(min(least, most), most)

    # Rows -----------------------------------------------------------------------------

    def _organisation(self, number: int) -> dict[str, Any]:
        # Its own generator: a person's stream must not move when it is asked for.
        rng = random.Random(f"organisation {self.seed} {number}")  # noqa: S311
        words = self.words
        name = (
            f"{rng.choice(words.surnames)} {rng.choice(words.company_words)} "
            f"{rng.choice(words.company_forms)}"
        )
        slug = name.lower().translate(TO_ASCII).replace(" ", "-")
        fields = {
            "name": name,
            "business_id": business_id(words.country, number) if rng.random() < 0.85 else None,
            "website": f"https://www.{words.domain}/{slug}-{number}" if rng.random() < 0.7 else "",
            "presentation_video": f"https://video.example.com/{slug}-{number}"
            if rng.random() < 0.1
            else "",
            "stored_at": self._at(
                (self.today_ordinal - rng.randint(1, 2000) - EPOCH_ORDINAL) * DAY
                + rng.randrange(6 * 3600, 16 * 3600)
            ),
            "source": rng.choice(self.rules.sources["Organisation"]),
        }
        return self._keep("Organisation", fields)

    def _person(self, batch: DemoBatch, position: int, number: int) -> None:
        rng = self.rng
        rng.seed(f"person {self.seed} {number}")
        rows = batch.rows
        rules = self.rules
        words = self.words

        def add(name: str, **fields: Any) -> None:
            if rules.fills(name):
                rows.setdefault(name, []).append((position, self._keep(name, fields)))

        # Who ---------------------------------------------------------------------
        code: str | None = None
        year: int | None
        if rules.identity_codes and rng.random() < 0.5:
            code, year, gender = hetu(number, self.hetu_offset)
        else:
            year = rng.randint(1940, 2005) if rng.random() < 0.9 else None
            gender = rng.choices(GENDERS, cum_weights=GENDER_SHARES)[0]
        female, male = words.female_names, words.male_names
        names = female if gender == "female" else male if gender == "male" else None
        first = rng.choice(names or rng.choice((female, male)))
        last = rng.choice(words.surnames)
        represents = rules.fills("OrganisationRole") and rng.random() < 0.3
        title = rng.choice(words.job_titles) if represents or rng.random() < 0.2 else ""

        # Customerships, newest first: none makes a prospect --------------------
        today = self.today_ordinal
        spans: list[tuple[int, int | None]] = []
        kind = rng.random()
        if kind >= 0.2 and rules.fills("Customership"):
            if rng.random() < 0.4:
                # Ended 1 to 40 months ago, or only as long ago as the policy keeps
                # ex-customers: the retention sweep falls due soon (or is due now).
                ended = today - self._days_ago(1217, rules.customer_days, least=30)
                spans.append((ended - rng.randint(60, 1500), ended))
            else:
                spans.append((today - rng.randint(1, 2000), None))
            if kind >= 0.8:
                earlier_end = spans[0][0] - rng.randint(30, 400)
                spans.append((earlier_end - rng.randint(60, 900), earlier_end))
        first_day = (
            spans[-1][0] - rng.randint(0, 30)
            if spans
            else today - self._days_ago(900, rules.prospect_days)
        )
        registered = self._day_ts(first_day)
        registered_at = self._at(registered)
        latest_end = spans[0][1] if spans else None
        # Ex-customers go quiet about a month after their last customership ends.
        active_until = (
            self.anchor - 1
            if latest_end is None
            else min(self.anchor - 1, self._day_ts(latest_end + 30))
        )
        customer = bool(spans)

        batch.people.append(
            self._keep(
                "Person",
                {
                    "first_name": first,
                    "last_name": last,
                    "personal_identity_code": code,
                    "birth_year": year,
                    "gender": gender,
                    "job_title": title,
                    "stored_at": registered_at,
                    "source": self._source("Person"),
                },
            )
        )

        # Contact details --------------------------------------------------------
        local = f"{first}.{last}".lower().translate(TO_ASCII).replace(" ", "")
        if rules.fills("EmailAddress"):
            source = self._source("EmailAddress")
            add(
                "EmailAddress",
                address=f"{local}.{number}@{words.domain}",
                stored_at=registered_at,
                source=source,
                verified_at=_verified_at(source, registered_at),
            )
            if represents:
                stored_at = self._at(self._between(registered, active_until))
                source = self._source("EmailAddress")
                add(
                    "EmailAddress",
                    address=f"{local}.{number}@example.com",
                    stored_at=stored_at,
                    source=source,
                    verified_at=_verified_at(source, stored_at),
                )
            if number % PENDING_EMAIL_CHANGE_EVERY == 0 and rules.staff_source is not None:
                # Customer service stored a new address the person has not confirmed
                # yet (drawn without the random stream, so the rest stays as it was).
                changed_at = self._at(active_until)
                add(
                    "EmailAddress",
                    address=f"{local}.{number}{PENDING_EMAIL_MARK}{words.domain}",
                    stored_at=changed_at,
                    source=rules.staff_source,
                    verified_at=None,
                )
                add(
                    "EmailChange",
                    new_email_row=0,
                    stored_at=changed_at,
                    source=rules.staff_source,
                )
        for _ in range(1 if rng.random() < 0.85 else 2 if rng.random() < 0.7 else 0):
            add(
                "PhoneNumber",
                number=f"{words.calling_code}{rng.choice(words.mobile_prefixes)}"
                f"{rng.randrange(10**7):07d}",
                stored_at=self._at(self._between(registered, active_until)),
                source=self._source("PhoneNumber") if rules.fills("PhoneNumber") else "",
            )
        city, codes = rng.choice(words.cities)
        street = f"{rng.choice(words.streets)} {rng.randint(1, 60)}"
        if rng.random() < 0.6:
            street += f" {rng.choice(LETTERS)} {rng.randint(1, 40)}"
        postal_code = rng.choice(codes)
        if rng.random() < 0.8 and rules.fills("PostalAddress"):
            add(
                "PostalAddress",
                street_address=street,
                postal_code=postal_code,
                city=city,
                country=words.country,
                stored_at=registered_at,
                source=self._source("PostalAddress"),
            )

        organisation_name = ""
        organisation_business_id: str | None = None
        if represents:
            organisation = _organisation_number(number)
            organisation_fields = batch.organisations.get(organisation) or self._organisation(
                organisation
            )
            organisation_name = organisation_fields["name"]
            organisation_business_id = organisation_fields.get("business_id")
            add(
                "OrganisationRole",
                organisation=organisation,
                title=title,
                stored_at=registered_at,
                source=self._source("OrganisationRole"),
            )

        # The company's service ------------------------------------------------------
        has_account = rules.fills("ServiceAccount") and rng.random() < (0.85 if customer else 0.3)
        if has_account:
            add(
                "ServiceAccount",
                username=f"{local}{number}",
                external_id=f"{rules.brand.lower().translate(TO_ASCII)}-{rng.getrandbits(48):012x}",
                stored_at=registered_at,
                source=self._source("ServiceAccount"),
            )
            for _ in range(rng.randint(0, 2) if rules.fills("IdentityVerification") else 0):
                at = self._at(
                    self._between(self._kept("IdentityVerification", registered), active_until)
                )
                roll = rng.random()
                add(
                    "IdentityVerification",
                    method=rng.choice(VERIFICATION_METHODS),
                    result="success" if roll < 0.9 else "failed" if roll < 0.96 else "cancelled",
                    verified_at=at,
                    stored_at=at,
                    source=self._source("IdentityVerification"),
                )
            for _ in range(rng.randint(8, 24) if rules.fills("UsageEvent") else 0):
                at = self._at(self._between(self._kept("UsageEvent", registered), active_until))
                action, detail = rng.choice(words.usage_actions)
                add(
                    "UsageEvent",
                    action=action,
                    detail=detail,
                    occurred_at=at,
                    stored_at=at,
                    source=self._source("UsageEvent"),
                )
            for _ in range(
                rng.randint(0, 3) if rules.fills("UserContent") and rng.random() < 0.25 else 0
            ):
                add(
                    "UserContent",
                    title=f"{words.content_title} {rng.randint(1, 99)}: "
                    f"{rng.choice(words.usage_actions[3:5])[1]}",
                    body=words.content_body,
                    url=f"https://www.{words.domain}/{rng.randint(1, 999)}/{number}",
                    stored_at=self._at(self._between(registered, active_until)),
                    source=self._source("UserContent"),
                )

        for _ in range(rng.randint(0, 6) if rules.fills("ContactEvent") else 0):
            at = self._at(self._between(self._kept("ContactEvent", registered), active_until))
            add(
                "ContactEvent",
                channel=rng.choice(("email", "phone", "chat", "meeting")),
                direction=rng.choice(("in", "out")),
                summary=rng.choice(words.contact_summaries),
                occurred_at=at,
                stored_at=at,
                source=self._source("ContactEvent"),
            )

        # The web site: a cookie or two and an address or two per person -------------
        if rules.fills("WebVisit"):
            cookies = [f"{rng.getrandbits(128):032x}" for _ in range(rng.randint(1, 2))]
            addresses = [
                f"{rng.choice(IP_PREFIXES)}.{rng.randint(1, 254)}" for _ in range(rng.randint(1, 3))
            ]
            agent = rng.choice(USER_AGENTS)
            for _ in range(rng.randint(4, 16)):
                at = self._at(
                    self._between(self._kept("WebVisit", registered - 30 * DAY), self.anchor - 1)
                )
                add(
                    "WebVisit",
                    ip_address=rng.choice(addresses),
                    cookie_id=rng.choice(cookies),
                    user_agent=agent,
                    page=rng.choice(words.pages),
                    occurred_at=at,
                    stored_at=at,
                    source=self._source("WebVisit"),
                )

        # Customerships with what they were paid with ------------------------------
        billing_name = organisation_name or f"{first} {last}"
        billing_address = f"{street}, {postal_code} {city}"
        invoices = 0
        for start, end in spans if rules.fills("Customership") else ():
            start_ts = self._day_ts(start)
            add(
                "Customership",
                started_on=dt.date.fromordinal(start),
                ended_on=dt.date.fromordinal(end) if end is not None else None,
                end_reason=rng.choice(words.end_reasons) if end is not None else "",
                stored_at=self._at(start_ts),
                source=self._source("Customership"),
            )
            last_ordinal = end if end is not None else today
            for _ in range(
                (1 if rng.random() < 0.7 else 2) if rules.fills("ServiceSubscription") else 0
            ):
                add(
                    "ServiceSubscription",
                    service=rng.choice(rules.services),
                    started_on=dt.date.fromordinal(min(start + rng.randint(0, 30), last_ordinal)),
                    ended_on=dt.date.fromordinal(end) if end is not None else None,
                    stored_at=self._at(start_ts),
                    source=self._source("ServiceSubscription"),
                )
            for _ in range(rng.randint(1, 3) if rules.fills("Invoice") else 0):
                issued = rng.randint(start, last_ordinal)
                amount = rng.choice(words.prices)
                invoices += 1
                issued_on = dt.date.fromordinal(issued)
                issued_ts = self._day_ts(issued)
                add(
                    "Invoice",
                    number=f"{issued_on.year}-{number:08d}-{invoices}",
                    amount=amount,
                    issued_on=issued_on,
                    due_on=dt.date.fromordinal(issued + 14),
                    billing_name=billing_name,
                    billing_address=billing_address,
                    stored_at=self._at(issued_ts),
                    source=self._source("Invoice"),
                )
                if issued + 14 < today and rules.fills("Payment") and rng.random() < 0.9:
                    paid = self._day_ts(issued + rng.randint(0, 14))
                    add(
                        "Payment",
                        amount=amount,
                        currency=words.currency,
                        paid_at=self._at(paid),
                        method=rng.choice(("card", "invoice", "e_invoice", "bank_transfer")),
                        stored_at=self._at(paid),
                        source=self._source("Payment"),
                    )

        if customer and rules.fills("PaymentCard") and rng.random() < 0.4:
            months = rng.randint(2, 48)
            year_offset, month = divmod(dt.date.fromordinal(today).month - 1 + months, 12)
            add(
                "PaymentCard",
                # Letters and digits mixed, as providers' tokens are: a long run of
                # digits could pass for a card number, which the register refuses.
                provider_token="tok_" + "".join(rng.choices(TOKEN_CHARACTERS, k=24)),
                brand=rng.choice(CARD_BRANDS),
                last_four=f"{rng.randrange(10_000):04d}",
                expires=dt.date(dt.date.fromordinal(today).year + year_offset, month + 1, 1),
                stored_at=self._at(self._between(registered, active_until)),
                source=self._source("PaymentCard"),
            )
        if customer and rules.fills("BillingAccount") and rng.random() < 0.5:
            # An OVT e-invoice address is 0037 and a Finnish business id's digits.
            finnish = words.country == "FI" and organisation_business_id
            add(
                "BillingAccount",
                e_invoice_address=f"0037{organisation_business_id.replace('-', '')}"
                if finnish and organisation_business_id
                else "",
                reference=reference_number(1000 + number),
                stored_at=registered_at,
                source=self._source("BillingAccount"),
            )

        # What the person said, asked and chose ---------------------------------
        for _ in range(rng.randint(1, 2) if rules.fills("Feedback") and rng.random() < 0.3 else 0):
            text, rating, theme = rng.choice(words.feedback)
            at = self._at(self._between(self._kept("Feedback", registered), active_until))
            add(
                "Feedback",
                text=text,
                rating=max(1, min(5, rating + rng.choice((-1, 0, 0, 0, 1)))),
                theme=theme,
                given_at=at,
                stored_at=at,
                source=self._source("Feedback"),
            )
        for _ in range(
            rng.randint(1, 2)
            if customer and rules.fills("ServiceCase") and rng.random() < 0.3
            else 0
        ):
            subject, description, resolution = rng.choice(words.service_cases)
            opened = self._between(self._kept("ServiceCase", registered), active_until)
            closed = opened + rng.randint(3600, 20 * DAY)
            is_closed = closed < self.anchor and rng.random() < 0.85
            add(
                "ServiceCase",
                subject=subject,
                description=description,
                resolution=resolution if is_closed else "",
                opened_at=self._at(opened),
                closed_at=self._at(closed) if is_closed else None,
                stored_at=self._at(opened),
                source=self._source("ServiceCase"),
            )
        if rules.fills("ConsentedDatum") and rng.random() < 0.1:
            label, value = rng.choice(words.consented_data)
            add(
                "ConsentedDatum",
                label=label,
                value=value,
                stored_at=self._at(self._between(registered, active_until)),
                source=self._source("ConsentedDatum"),
            )
        if rules.fills("Rectification") and rng.random() < 0.05:
            add(
                "Rectification",
                field=rng.choice(("address", "phone", "email")),
                reason=rng.choice(words.rectification_reasons),
                made_by="demo",
                stored_at=self._at(self._between(registered, active_until)),
                source=self._source("Rectification"),
            )
        self._choices_and_marketing(add, registered, customer=customer, represents=represents)

    def _choices_and_marketing(
        self, add: Callable[..., None], registered: int, *, customer: bool, represents: bool
    ) -> None:
        """Choices, and the marketing they allow.

        Information Society Code 917/2014, s. 200: customers and business contacts
        until they refuse, anyone else only after consenting, where the policy's
        marketing rests on legitimate interest; only after consenting where it rests
        on consent. An objection (GDPR Art. 21(3)) stops it all.
        """
        rng = self.rng
        rules = self.rules
        marketing = rules.marketing_scope
        soft = rules.marketing_without_consent and (customer or represents)
        # Spans of time the person may be sent marketing in; a customer's runs
        # from registering until they withdraw a consent they gave meanwhile.
        allowed: list[tuple[int, int]] = []
        soft_until = self.anchor - 1
        consents = rules.fills("ConsentEvent") and bool(rules.consent_scopes)
        if consents and rng.random() < 0.6:
            scopes = rules.consent_scopes
            for scope in rng.sample(scopes, rng.randint(1, len(scopes))):
                granted = self._between(registered, self.anchor - 1)
                self._consent(add, scope, ConsentAction.GRANTED, granted)
                withdrawn: int | None = None
                if rng.random() < 0.25:
                    withdrawn = self._between(granted + 1, self.anchor - 1)
                    self._consent(add, scope, ConsentAction.WITHDRAWN, withdrawn)
                if scope == marketing and soft:
                    soft_until = withdrawn if withdrawn is not None else soft_until
                elif scope == marketing:
                    allowed.append((granted, withdrawn or self.anchor - 1))
        if soft:
            allowed.append((registered, soft_until))
        if consents and allowed and marketing is not None and rng.random() < 0.03:
            objected = self._between(registered, self.anchor - 1)
            self._consent(add, marketing, ConsentAction.OBJECTED, objected, staff=True)
            allowed = [(low, min(high, objected)) for low, high in allowed]
        if not rules.fills("Delivery"):
            return
        for low, high in allowed:
            low = self._kept("Delivery", low)
            if low >= high:
                continue
            for _ in range(rng.randint(2, 9)):
                sent = self._between(low, high)
                read = sent + rng.randint(60, 3 * DAY) if rng.random() < 0.4 else None
                click = (
                    read + rng.randint(5, 600) if read is not None and rng.random() < 0.3 else None
                )
                sent_at = self._at(sent)
                sent_on = sent_at.astimezone(clock.zone()).date()
                add(
                    "Delivery",
                    channel="email" if rng.random() < 0.85 else "sms",
                    campaign=f"{rng.choice(self.words.campaigns)} "
                    f"{sent_on.month:02d}/{sent_on.year}",
                    sent_at=sent_at,
                    opened_at=self._at(min(read, self.anchor - 1)) if read is not None else None,
                    clicked_at=self._at(min(click, self.anchor - 1)) if click is not None else None,
                    stored_at=sent_at,
                    source=self._source("Delivery"),
                )

    def _consent(
        self,
        add: Callable[..., None],
        scope: str,
        action: ConsentAction,
        ts: int,
        *,
        staff: bool = False,
    ) -> None:
        channels = self.rules.consent_channels
        channel = (
            STAFF_CHANNEL
            if staff and STAFF_CHANNEL in channels
            else self.rng.choice(tuple(channels))
        )
        when = self._at(ts)
        add(
            "ConsentEvent",
            scope=scope,
            action=str(action),
            channel=channel,
            text_hash=self.rules.consent_hashes[scope] if action == ConsentAction.GRANTED else "",
            notice_version=self.notice_version,
            occurred_at=when,
            stored_at=when,
            source=channels[channel],
        )
