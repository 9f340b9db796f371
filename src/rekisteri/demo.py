"""A reproducible synthetic register: Finnish people with their whole history.

Planning and storing are separate. ``demo_plan`` is pure: from a seed and an
anchor date it yields the rows of each batch as plain data, each person drawn
from a random stream of their own, so that two plans can be compared without a
database and the batch size changes nothing. ``demo_generate`` stores the
batches one transaction each, so that memory stays bounded: people and
organisations with ``bulk_create`` (their ids come back from the INSERT), the
rest with COPY on PostgreSQL and ``bulk_create`` elsewhere. On a two-core
machine PostgreSQL takes about 500 people (23,000 rows) a second, so a million
people (the benchmarks' size) take about half an hour.

Everything that would identify a real person or company is made up: e-mail
addresses and web sites use the example domains, IP addresses the documentation
ranges (RFC 5737), card tokens are random. Identity codes and business ids are
valid by their check characters, because the register validates them.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from rekisteri.consent.models import ConsentEvent, ConsentText
from rekisteri.consent.services import consent_text_hash
from rekisteri.core import clock
from rekisteri.core.bulk import insert_rows
from rekisteri.core.errors import InvalidInput
from rekisteri.register.models import (
    BillingAccount,
    ConsentedDatum,
    ContactEvent,
    Customership,
    Delivery,
    EmailAddress,
    EmailChange,
    Feedback,
    IdentityVerification,
    Invoice,
    Organisation,
    OrganisationRole,
    Payment,
    PaymentCard,
    Person,
    PhoneNumber,
    PostalAddress,
    Rectification,
    ServiceAccount,
    ServiceCase,
    ServiceSubscription,
    UsageEvent,
    UserContent,
    WebVisit,
)
from rekisteri.register.services import source_from_subject

# Every table the demo fills, in the order it stores them (people and
# organisations first: the other rows point at them).
MODEL_NAMES: tuple[str, ...] = (
    "Person",
    "Organisation",
    "EmailAddress",
    "EmailChange",
    "PhoneNumber",
    "PostalAddress",
    "OrganisationRole",
    "ServiceAccount",
    "IdentityVerification",
    "Customership",
    "UsageEvent",
    "ContactEvent",
    "PaymentCard",
    "BillingAccount",
    "ServiceSubscription",
    "Payment",
    "Invoice",
    "WebVisit",
    "Delivery",
    "Feedback",
    "ServiceCase",
    "UserContent",
    "ConsentedDatum",
    "Rectification",
    "ConsentEvent",
)

# Every this many people one has a change of e-mail address waiting for them
# to confirm it (the new address ends so).
PENDING_EMAIL_CHANGE_EVERY = 50
PENDING_EMAIL_SUFFIX = ".uusi@example.fi"

# Why customer service corrected a contact detail (GDPR Art. 16).
RECTIFICATION_REASONS = (
    "Asiakas ilmoitti muuttaneensa",
    "Asiakas korjasi puhelinnumeronsa puhelimessa",
    "Palautunut posti: osoite tarkistettu asiakkaalta",
    "Sähköpostiosoitteessa oli kirjoitusvirhe",
)

# The password every demo account has. Argon2 takes tens of milliseconds by
# design, so hashing per account would cost hours at a million people: the demo
# hashes this once per run and every account shares the hash.
DEMO_PASSWORD = "mainio-demo-salasana"  # noqa: S105 - a published demo password

FEMALE_NAMES = (
    "Aino", "Anna", "Anne", "Elina", "Emilia", "Emma", "Hanna", "Heidi", "Helena",
    "Helmi", "Johanna", "Julia", "Katja", "Kirsi", "Laura", "Leena", "Liisa", "Maria",
    "Marja", "Minna", "Noora", "Olivia", "Päivi", "Riikka", "Sanna", "Satu", "Sofia",
    "Tiina", "Tuula", "Venla",
)  # fmt: skip
MALE_NAMES = (
    "Aleksi", "Antti", "Eero", "Eino", "Elias", "Hannu", "Heikki", "Jari", "Jukka",
    "Juha", "Kari", "Lauri", "Leevi", "Markku", "Matti", "Mikko", "Onni", "Pekka",
    "Petri", "Sami", "Timo", "Tuomas", "Ville", "Väinö", "Oskari", "Pertti", "Janne",
    "Jussi", "Risto", "Toni",
)  # fmt: skip
SURNAMES = (
    "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
    "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen",
    "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen",
    "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen",
    "Ahonen", "Hiltunen", "Leinonen", "Hirvonen", "Kallio", "Miettinen", "Pitkänen",
    "Lindholm", "Aaltonen", "Manninen", "Väisänen", "Räsänen", "Leppänen", "Ojala",
    "Peltonen", "Kiiskinen", "Seppälä", "Anttila", "Nurmi", "Koivisto", "Lindqvist",
)  # fmt: skip
# Real postal codes of each city.
CITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Helsinki", ("00100", "00120", "00130", "00140", "00150", "00170", "00180", "00500", "00530")),
    ("Espoo", ("02100", "02150", "02230", "02600")),
    ("Vantaa", ("01300", "01600")),
    ("Tampere", ("33100", "33200", "33500", "33540")),
    ("Turku", ("20100", "20500", "20700")),
    ("Oulu", ("90100", "90500")),
    ("Jyväskylä", ("40100", "40200", "40320")),
    ("Lahti", ("15100", "15140")),
    ("Kuopio", ("70100", "70600")),
    ("Pori", ("28100",)),
    ("Joensuu", ("80100",)),
    ("Lappeenranta", ("53100",)),
    ("Hämeenlinna", ("13100",)),
    ("Vaasa", ("65100",)),
    ("Rovaniemi", ("96100",)),
    ("Seinäjoki", ("60100",)),
    ("Kotka", ("48100",)),
    ("Mikkeli", ("50100",)),
    ("Porvoo", ("06100",)),
    ("Kokkola", ("67100",)),
    ("Hyvinkää", ("05800",)),
    ("Järvenpää", ("04400",)),
    ("Kajaani", ("87100",)),
    ("Rauma", ("26100",)),
)
STREETS = (
    "Kauppakatu", "Hämeenkatu", "Rautatienkatu", "Koulukatu", "Kirkkokatu", "Puistokatu",
    "Asemakatu", "Teollisuuskatu", "Sepänkatu", "Mannerheimintie", "Aleksanterinkatu",
    "Kalevantie", "Rantatie", "Koivukuja", "Mäntytie", "Kuusitie", "Pihlajatie",
    "Vaahterakuja", "Myllytie", "Urheilukatu", "Torikatu", "Kirkkotie", "Opintie",
    "Satamakatu", "Linnankatu",
)  # fmt: skip
JOB_TITLES = (
    "toimitusjohtaja", "myyntipäällikkö", "markkinointipäällikkö", "talouspäällikkö",
    "asiakkuuspäällikkö", "projektipäällikkö", "kehityspäällikkö", "analyytikko",
    "asiantuntija", "ohjelmistokehittäjä", "HR-päällikkö", "viestintäkoordinaattori",
)  # fmt: skip
COMPANY_WORDS = (
    "Consulting", "Rakennus", "Kuljetus", "Tekniikka", "Palvelut", "Design", "Logistiikka",
    "Media", "Sähkö", "Metalli", "Data", "Analytiikka", "Kiinteistöt", "Puutarha",
)  # fmt: skip
# Without an identity code to say it, some people tell another gender or none.
GENDERS = ("female", "male", "other", "undisclosed", "")
GENDER_SHARES = (0.47, 0.94, 0.96, 0.98, 1.0)
LETTERS = "ABCDEFGH"
MOBILE_PREFIXES = ("40", "41", "44", "45", "46", "50")
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
PAGES = (
    "/", "/palvelut/analyysi", "/hinnasto", "/yhteystiedot", "/kirjaudu", "/blogi",
    "/blogi/asiakasdata-haltuun", "/blogi/raportoinnin-viisi-virhetta", "/tietosuojaseloste",
    "/webinaarit", "/referenssit", "/tuki/ohjeet",
)  # fmt: skip
USAGE_ACTIONS = (
    ("login", ""), ("login", ""), ("dashboard_view", "etusivu"),
    ("report_view", "myynti alueittain"), ("report_view", "asiakaspoistuma"),
    ("report_export", "xlsx"), ("report_export", "pdf"), ("query_run", "kohderyhmäanalyysi"),
    ("dataset_upload", "asiakaskysely.csv"), ("settings_change", "ilmoitukset"),
    ("share_report", "tiimille"), ("logout", ""),
)  # fmt: skip
CONTACT_SUMMARIES = (
    "Kysyi laskutuksesta.", "Tarjous lähetetty.", "Käyttökoulutus sovittu.",
    "Keskusteltu sopimuksen jatkosta.", "Ongelma kirjautumisessa, ohjattu tukeen.",
    "Palaute raporteista välitetty kehitykselle.", "Esitelty uudet ominaisuudet.",
    "Pyysi lisätietoja hinnoittelusta.",
)  # fmt: skip
CAMPAIGNS = (
    "Uutiskirje", "Kevätkampanja", "Syyskampanja", "Webinaarikutsu",
    "Asiakastyytyväisyyskysely", "Tuotepäivitys", "Joulutervehdys",
)  # fmt: skip
FEEDBACK = (
    ("Raportit ovat selkeitä ja nopeita.", 5, "raportit"),
    ("Käyttöliittymä on helppokäyttöinen.", 5, "käytettävyys"),
    ("Asiakaspalvelu auttoi nopeasti, kiitos!", 5, "asiakaspalvelu"),
    ("Hyvä palvelu, mutta hinta on korkea.", 4, "hinnoittelu"),
    ("Toivoisin lisää vientimuotoja.", 4, "raportit"),
    ("Kaaviot eivät toimi mobiilissa kunnolla.", 3, "käytettävyys"),
    ("Kirjautuminen on välillä hidasta.", 3, "suorituskyky"),
    ("Hinnoittelu voisi olla selkeämpi.", 2, "hinnoittelu"),
    ("Raportin lataus kaatui useasti.", 1, "suorituskyky"),
)
SERVICE_CASES = (
    ("Salasana unohtunut", "Asiakas ei pääse kirjautumaan.", "Salasanan vaihtolinkki lähetetty."),
    ("Lasku väärällä summalla", "Laskulla kaksi kuukautta.", "Hyvityslasku lähetetty."),
    ("Raportti ei lataudu", "Raportin lataus keskeytyy.", "Välimuisti tyhjennetty, toimii."),
    ("Käyttäjän lisääminen", "Uusi käyttäjä tiimiin.", "Käyttäjä lisätty."),
    ("Tietojen vienti", "Haluaa viedä tiedot Exceliin.", "Ohjeistettu viennissä."),
    ("Sopimuksen irtisanominen", "Kysyy irtisanomisajasta.", "Kerrottu ehdoista."),
)
END_REASONS = (
    "Asiakas irtisanoi sopimuksen", "Siirtyi toiseen palveluun", "Yritys lopetti toimintansa",
    "Määräaikainen sopimus päättyi",
)  # fmt: skip
SERVICES = ("Mainio Analyysi Perus", "Mainio Analyysi Pro", "Mainio Raportointi", "Mainio API")
PRICES = tuple(Decimal(p) for p in ("39.00", "79.00", "149.00", "290.00", "590.00"))
VERIFICATION_METHODS = ("bank_credentials", "mobile_certificate", "email_link")
TOKEN_CHARACTERS = string.ascii_letters + string.digits
CARD_BRANDS = ("Visa", "Mastercard", "American Express")
CONSENT_SCOPES = ("marketing", "research", "targeting")
CONSENTED_DATA = (
    ("kiinnostuksen kohteet", "data-analytiikka, raportointi"),
    ("toimiala", "vähittäiskauppa"),
    ("uutiskirjeen kieli", "suomi"),
    ("yrityksen koko", "10-49 henkilöä"),
)
# The consent text a scope's events show; stored once, referenced by hash.
CONSENT_TEXTS = {
    "marketing": "Mainioco Oy saa lähettää minulle uutiskirjeitä ja tarjouksia.",
    "research": "Mainioco Oy saa pyytää minua vastaamaan kyselyihin ja tutkimuksiin.",
    "targeting": "Mainioco Oy saa kohdentaa minulle viestejä käyttöni perusteella.",
}
CONSENT_TEXT_HASHES = {
    scope: consent_text_hash(text=text, language="fi") for scope, text in CONSENT_TEXTS.items()
}

# Sources by table, each a source the policy lists for the table's category.
PERSON_SOURCES = ("subject",)
CONTACT_SOURCES = ("subject", "analysis_service", "customer_service", "directory_services")
ADDRESS_SOURCES = (*CONTACT_SOURCES, "public_registers")
ORG_SOURCES = ("subject", "public_registers")

# Identity codes: one distinct (birth date, individual number) pair per code.
HETU_FIRST_DAY = dt.date(1940, 1, 1)
HETU_DAYS = (dt.date(2005, 12, 31) - HETU_FIRST_DAY).days + 1
# 002-899; 900-999 are temporary codes, which the register refuses.
HETU_INDIVIDUALS = 898
HETU_SPACE = HETU_DAYS * HETU_INDIVIDUALS
# A step coprime to HETU_SPACE turns the n-th code into a distinct pair that
# still looks random: i -> (STEP * i + offset) mod SPACE is a permutation.
HETU_STEP = 7_919_993
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
YTUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)

DAY = 86_400
PEOPLE_PER_ORG = 10
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
TO_ASCII = str.maketrans("äöåéü", "aoaeu")


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


@dataclass(frozen=True)
class DemoStats:
    """How many rows the demo stored, by model name (``MODEL_NAMES``)."""

    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def people(self) -> int:
        return self.counts.get("Person", 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def hetu_check_character(digits: str) -> str:
    """Return the check character of a henkilötunnus from its DDMMYY and NNN digits."""
    return HETU_CHECK[int(digits) % 31]


def ytunnus_check_digit(digits: str) -> int | None:
    """Return the check digit of a 7-digit business id, or None if no digit fits."""
    remainder = sum(int(d) * w for d, w in zip(digits, YTUNNUS_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def reference_number(base: int) -> str:
    """Return a Finnish bank reference number (viitenumero) for ``base``."""
    digits = str(base)
    total = sum(int(d) * (7, 3, 1)[i % 3] for i, d in enumerate(reversed(digits)))
    return f"{digits}{(10 - total % 10) % 10}"


def _organisation_number(person_number: int) -> int:
    return (person_number - 1) // PEOPLE_PER_ORG + 1


def demo_plan(
    *,
    people: int,
    seed: int = 2026,
    batch_size: int = 2000,
    today: dt.date,
    notice_version: int | None = None,
) -> Iterator[DemoBatch]:
    """Yield the demo register in batches; the same arguments give the same rows.

    Each person is drawn from a random stream of their own (seeded by the seed
    and their number), so the rows do not depend on ``batch_size``, and any
    range of people could be planned on its own.
    """
    if people < 1:
        raise InvalidInput("the demo needs at least one person", data={"people": people})
    if batch_size < 1:
        raise InvalidInput("the batch size must be at least 1", data={"batch_size": batch_size})
    planner = _Planner(seed=seed, today=today, notice_version=notice_version)
    for first in range(1, people + 1, batch_size):
        yield planner.batch(first=first, count=min(batch_size, people + 1 - first))


def demo_generate(
    *,
    people: int,
    seed: int = 2026,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
    notice_version: int | None = None,
) -> DemoStats:
    """Fill the register with ``people`` synthetic people and their histories.

    Meant for an empty register: e-mail addresses, usernames and invoice
    numbers count from one in every run, so a second run collides with the
    first. ``progress`` is called after each committed batch with the number of
    people stored so far. Times are relative to ``today`` (default: today).
    """
    plan = demo_plan(
        people=people,
        seed=seed,
        batch_size=batch_size,
        today=today or clock.today(),
        notice_version=notice_version,
    )
    password_hash = make_password(DEMO_PASSWORD)
    for scope, text in CONSENT_TEXTS.items():
        ConsentText.objects.get_or_create(
            text_hash=CONSENT_TEXT_HASHES[scope],
            defaults={"language": "fi", "text": text, "first_shown_at": clock.now()},
        )
    counts = dict.fromkeys(MODEL_NAMES, 0)
    # Organisation number -> id; only the last block's can be needed again.
    organisation_ids: dict[int, int] = {}
    stored = 0
    for batch in plan:
        stored_counts = _store(
            batch, password_hash=password_hash, organisation_ids=organisation_ids
        )
        for name, count in stored_counts.items():
            counts[name] += count
        stored += len(batch.people)
        latest = max(organisation_ids)
        organisation_ids = {latest: organisation_ids[latest]}
        if progress is not None:
            progress(stored)
    return DemoStats(counts=counts)


def _models() -> dict[str, type[models.Model]]:
    return {
        "EmailAddress": EmailAddress,
        "EmailChange": EmailChange,
        "PhoneNumber": PhoneNumber,
        "PostalAddress": PostalAddress,
        "OrganisationRole": OrganisationRole,
        "ServiceAccount": ServiceAccount,
        "IdentityVerification": IdentityVerification,
        "Customership": Customership,
        "UsageEvent": UsageEvent,
        "ContactEvent": ContactEvent,
        "PaymentCard": PaymentCard,
        "BillingAccount": BillingAccount,
        "ServiceSubscription": ServiceSubscription,
        "Payment": Payment,
        "Invoice": Invoice,
        "WebVisit": WebVisit,
        "Delivery": Delivery,
        "Feedback": Feedback,
        "ServiceCase": ServiceCase,
        "UserContent": UserContent,
        "ConsentedDatum": ConsentedDatum,
        "Rectification": Rectification,
        "ConsentEvent": ConsentEvent,
    }


# Rows per INSERT: large enough to amortise the round trip, small enough to
# keep each statement's parameters well under PostgreSQL's limit.
_INSERT_ROWS = 4000


@transaction.atomic
def _store(
    batch: DemoBatch, *, password_hash: str, organisation_ids: dict[int, int]
) -> dict[str, int]:
    people = Person.objects.bulk_create(
        [Person(**fields) for fields in batch.people], batch_size=_INSERT_ROWS
    )
    # PostgreSQL and SQLite (3.35+) return the new ids from the INSERT itself.
    person_ids = [person.pk for person in people]
    organisations = Organisation.objects.bulk_create(
        [Organisation(**fields) for fields in batch.organisations.values()],
        batch_size=_INSERT_ROWS,
    )
    organisation_ids.update(
        zip(batch.organisations, (organisation.pk for organisation in organisations), strict=True)
    )
    counts = {"Person": len(people), "Organisation": len(organisations)}
    for name, model in _models().items():
        values = [
            {**fields, "person_id": person_ids[position]}
            for position, fields in batch.rows.get(name, [])
        ]
        if name == "OrganisationRole":
            for row in values:
                row["organisation_id"] = organisation_ids[row.pop("organisation")]
        elif name == "ServiceAccount":
            for row in values:
                row["password_hash"] = password_hash
        elif name == "EmailChange":
            # The new address's row, stored just before.
            rows = dict(
                EmailAddress.objects.filter(
                    person_id__in=[row["person_id"] for row in values],
                    address__endswith=PENDING_EMAIL_SUFFIX,
                ).values_list("person_id", "pk")
            )
            for row in values:
                row["new_email_row"] = rows[row["person_id"]]
        _insert(model, values)
        counts[name] = len(values)
    return counts


def _insert(model: type[models.Model], values: list[dict[str, Any]]) -> None:
    """Insert the rows set-based; their ids are not needed."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    spec = [(field.attname, field.get_default()) for field in fields]
    insert_rows(
        model,
        [attname for attname, _ in spec],
        ([row.get(attname, default) for attname, default in spec] for row in values),
    )


def _verified_at(source: str, stored_at: dt.datetime) -> dt.datetime | None:
    """An address the person gave themself counts as verified (as in person_register)."""
    return stored_at if source_from_subject(source) else None


class _Planner:
    """Draws each person and organisation from a random stream of their own."""

    def __init__(self, *, seed: int, today: dt.date, notice_version: int | None) -> None:
        self.seed = seed
        # Reproducible on purpose: nothing here is a secret.
        self.rng = random.Random()  # noqa: S311
        self.today_ordinal = today.toordinal()
        # Midnight in Finland: every generated time lies before it, so before now.
        self.anchor = int(dt.datetime.combine(today, dt.time(), tzinfo=clock.zone()).timestamp())
        self.notice_version = notice_version
        self.hetu_offset = random.Random(f"hetu {seed}").randrange(HETU_SPACE)  # noqa: S311

    def batch(self, *, first: int, count: int) -> DemoBatch:
        numbers = range(first, first + count)
        # Every ten consecutive people share one organisation, founded with the
        # first of them; their contact persons come from those ten.
        founded = [
            _organisation_number(number) for number in numbers if (number - 1) % PEOPLE_PER_ORG == 0
        ]
        batch = DemoBatch(
            people=[], organisations={n: self._organisation(n) for n in founded}, rows={}
        )
        for position, number in enumerate(numbers):
            self._person(batch, position, number)
        return batch

    # Times --------------------------------------------------------------------------

    def _at(self, ts: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(ts, tz=dt.UTC)

    def _day_ts(self, ordinal: int) -> int:
        """A working-hours moment of the given day, never later than the anchor."""
        ts = (ordinal - EPOCH_ORDINAL) * DAY + self.rng.randrange(6 * 3600, 16 * 3600)
        return min(ts, self.anchor - 1)

    def _between(self, low: int, high: int) -> int:
        return self.rng.randrange(low, max(high, low + 1))

    # Identifiers ----------------------------------------------------------------

    def _hetu(self, number: int) -> tuple[str, int, str]:
        """Return the person's identity code with the birth year and gender it encodes."""
        k = (HETU_STEP * number + self.hetu_offset) % HETU_SPACE
        born = dt.date.fromordinal(HETU_FIRST_DAY.toordinal() + k % HETU_DAYS)
        individual = 2 + k // HETU_DAYS
        ddmmyy = f"{born.day:02d}{born.month:02d}{born.year % 100:02d}"
        check = hetu_check_character(f"{ddmmyy}{individual:03d}")
        century = "-" if born.year < 2000 else "A"
        # An odd individual number is a man's, an even one a woman's.
        gender = "male" if individual % 2 else "female"
        return f"{ddmmyy}{century}{individual:03d}{check}", born.year, gender

    def _business_id(self, number: int) -> str:
        # Seven numbers per organisation, so that skipping the ones without a
        # check digit never reaches the next organisation's range.
        base = 2_000_000 + 7 * number
        for number in range(base, base + 7):
            digits = f"{number:07d}"
            check = ytunnus_check_digit(digits)
            if check is not None:
                return f"{digits}-{check}"
        raise AssertionError("seven consecutive numbers always include a valid business id")

    # Rows -----------------------------------------------------------------------------

    def _organisation(self, number: int) -> dict[str, Any]:
        # Its own generator: a person's stream must not move when it is asked for.
        rng = random.Random(f"organisation {self.seed} {number}")  # noqa: S311
        name = (
            f"{rng.choice(SURNAMES)} {rng.choice(COMPANY_WORDS)} {rng.choice(('Oy', 'Oy', 'Ky'))}"
        )
        slug = name.lower().translate(TO_ASCII).replace(" ", "-")
        return {
            "name": name,
            "business_id": self._business_id(number) if rng.random() < 0.85 else None,
            "website": f"https://www.example.fi/{slug}-{number}" if rng.random() < 0.7 else "",
            "presentation_video": f"https://video.example.com/{slug}-{number}"
            if rng.random() < 0.1
            else "",
            "stored_at": self._at(
                (self.today_ordinal - rng.randint(1, 2000) - EPOCH_ORDINAL) * DAY
                + rng.randrange(6 * 3600, 16 * 3600)
            ),
            "source": rng.choice(ORG_SOURCES),
        }

    def _person(self, batch: DemoBatch, position: int, number: int) -> None:
        rng = self.rng
        rng.seed(f"person {self.seed} {number}")
        rows = batch.rows

        def add(name: str, **fields: Any) -> None:
            rows.setdefault(name, []).append((position, fields))

        # Who ---------------------------------------------------------------------
        hetu: str | None = None
        year: int | None
        if rng.random() < 0.5:
            hetu, year, gender = self._hetu(number)
        else:
            year = rng.randint(1940, 2005) if rng.random() < 0.9 else None
            gender = rng.choices(GENDERS, cum_weights=GENDER_SHARES)[0]
        names = FEMALE_NAMES if gender == "female" else MALE_NAMES if gender == "male" else None
        first = rng.choice(names or rng.choice((FEMALE_NAMES, MALE_NAMES)))
        last = rng.choice(SURNAMES)
        represents = rng.random() < 0.3
        title = rng.choice(JOB_TITLES) if represents or rng.random() < 0.2 else ""

        # Customerships, newest first: none makes a prospect --------------------
        today = self.today_ordinal
        spans: list[tuple[int, int | None]] = []
        kind = rng.random()
        if kind >= 0.2:
            if rng.random() < 0.4:
                # Ended 1 to 40 months ago: past 24 months the retention sweep is due.
                ended = today - rng.randint(30, 1217)
                spans.append((ended - rng.randint(60, 1500), ended))
            else:
                spans.append((today - rng.randint(1, 2000), None))
            if kind >= 0.8:
                earlier_end = spans[0][0] - rng.randint(30, 400)
                spans.append((earlier_end - rng.randint(60, 900), earlier_end))
        first_day = spans[-1][0] - rng.randint(0, 30) if spans else today - rng.randint(1, 900)
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
            {
                "first_name": first,
                "last_name": last,
                "personal_identity_code": hetu,
                "birth_year": year,
                "gender": gender,
                "job_title": title,
                "stored_at": registered_at,
                "source": rng.choice(PERSON_SOURCES),
            }
        )

        # Contact details --------------------------------------------------------
        local = f"{first}.{last}".lower().translate(TO_ASCII)
        source = rng.choice(CONTACT_SOURCES)
        add(
            "EmailAddress",
            address=f"{local}.{number}@example.fi",
            stored_at=registered_at,
            source=source,
            verified_at=_verified_at(source, registered_at),
        )
        if represents:
            stored_at = self._at(self._between(registered, active_until))
            source = rng.choice(CONTACT_SOURCES)
            add(
                "EmailAddress",
                address=f"{local}.{number}@example.com",
                stored_at=stored_at,
                source=source,
                verified_at=_verified_at(source, stored_at),
            )
        if number % PENDING_EMAIL_CHANGE_EVERY == 0:
            # Customer service stored a new address the person has not confirmed
            # yet (drawn without the random stream, so the rest stays as it was).
            changed_at = self._at(active_until)
            add(
                "EmailAddress",
                address=f"{local}.{number}{PENDING_EMAIL_SUFFIX}",
                stored_at=changed_at,
                source="customer_service",
                verified_at=None,
            )
            add("EmailChange", new_email_row=0, stored_at=changed_at, source="customer_service")
        for _ in range(1 if rng.random() < 0.85 else 2 if rng.random() < 0.7 else 0):
            add(
                "PhoneNumber",
                number=f"+358{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}",
                stored_at=self._at(self._between(registered, active_until)),
                source=rng.choice(CONTACT_SOURCES),
            )
        city, codes = rng.choice(CITIES)
        street = f"{rng.choice(STREETS)} {rng.randint(1, 60)}"
        if rng.random() < 0.6:
            street += f" {rng.choice(LETTERS)} {rng.randint(1, 40)}"
        postal_code = rng.choice(codes)
        if rng.random() < 0.8:
            add(
                "PostalAddress",
                street_address=street,
                postal_code=postal_code,
                city=city,
                country="FI",
                stored_at=registered_at,
                source=rng.choice(ADDRESS_SOURCES),
            )

        organisation_name = ""
        organisation_business_id: str | None = None
        if represents:
            organisation = _organisation_number(number)
            organisation_fields = batch.organisations.get(organisation) or self._organisation(
                organisation
            )
            organisation_name = organisation_fields["name"]
            organisation_business_id = organisation_fields["business_id"]
            add(
                "OrganisationRole",
                organisation=organisation,
                title=title,
                stored_at=registered_at,
                source=rng.choice(ORG_SOURCES),
            )

        # The analysis service --------------------------------------------------------
        has_account = rng.random() < (0.85 if customer else 0.3)
        if has_account:
            add(
                "ServiceAccount",
                username=f"{local}{number}",
                external_id=f"mainio-{rng.getrandbits(48):012x}",
                stored_at=registered_at,
                source=rng.choice(("analysis_service", "subject")),
            )
            for _ in range(rng.randint(0, 2)):
                at = self._at(self._between(registered, active_until))
                roll = rng.random()
                add(
                    "IdentityVerification",
                    method=rng.choice(VERIFICATION_METHODS),
                    result="success" if roll < 0.9 else "failed" if roll < 0.96 else "cancelled",
                    verified_at=at,
                    stored_at=at,
                    source=rng.choice(("analysis_service", "customer_service")),
                )
            for _ in range(rng.randint(8, 24)):
                at = self._at(self._between(registered, active_until))
                action, detail = rng.choice(USAGE_ACTIONS)
                add(
                    "UsageEvent",
                    action=action,
                    detail=detail,
                    occurred_at=at,
                    stored_at=at,
                    source="analysis_service",
                )
            for _ in range(rng.randint(0, 3) if rng.random() < 0.25 else 0):
                add(
                    "UserContent",
                    title=f"Analyysi {rng.randint(1, 99)}: {rng.choice(USAGE_ACTIONS[3:5])[1]}",
                    body="Muistiinpanoja asiakaskyselyn tuloksista ja jatkotoimista.",
                    url=f"https://www.example.fi/raportit/{number}-{rng.randint(1, 999)}",
                    stored_at=self._at(self._between(registered, active_until)),
                    source=rng.choice(("subject", "analysis_service")),
                )

        for _ in range(rng.randint(0, 6)):
            at = self._at(self._between(registered, active_until))
            add(
                "ContactEvent",
                channel=rng.choice(("email", "phone", "chat", "meeting")),
                direction=rng.choice(("in", "out")),
                summary=rng.choice(CONTACT_SUMMARIES),
                occurred_at=at,
                stored_at=at,
                source=rng.choice(("customer_service", "analysis_service")),
            )

        # The web site: a cookie or two and an address or two per person -------------
        cookies = [f"{rng.getrandbits(128):032x}" for _ in range(rng.randint(1, 2))]
        addresses = [
            f"{rng.choice(IP_PREFIXES)}.{rng.randint(1, 254)}" for _ in range(rng.randint(1, 3))
        ]
        agent = rng.choice(USER_AGENTS)
        for _ in range(rng.randint(4, 16)):
            at = self._at(self._between(registered - 30 * DAY, self.anchor - 1))
            add(
                "WebVisit",
                ip_address=rng.choice(addresses),
                cookie_id=rng.choice(cookies),
                user_agent=agent,
                page=rng.choice(PAGES),
                occurred_at=at,
                stored_at=at,
                source=rng.choice(("cookies", "analysis_service")),
            )

        # Customerships with what they were paid with ------------------------------
        billing_name = organisation_name or f"{first} {last}"
        billing_address = f"{street}, {postal_code} {city}"
        invoices = 0
        for start, end in spans:
            start_ts = self._day_ts(start)
            add(
                "Customership",
                started_on=dt.date.fromordinal(start),
                ended_on=dt.date.fromordinal(end) if end is not None else None,
                end_reason=rng.choice(END_REASONS) if end is not None else "",
                stored_at=self._at(start_ts),
                source=rng.choice(("analysis_service", "customer_service")),
            )
            last_ordinal = end if end is not None else today
            for _ in range(1 if rng.random() < 0.7 else 2):
                add(
                    "ServiceSubscription",
                    service=rng.choice(SERVICES),
                    started_on=dt.date.fromordinal(min(start + rng.randint(0, 30), last_ordinal)),
                    ended_on=dt.date.fromordinal(end) if end is not None else None,
                    stored_at=self._at(start_ts),
                    source="analysis_service",
                )
            for _ in range(rng.randint(1, 3)):
                issued = rng.randint(start, last_ordinal)
                amount = rng.choice(PRICES)
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
                    source=rng.choice(("analysis_service", "service_providers")),
                )
                if issued + 14 < today and rng.random() < 0.9:
                    paid = self._day_ts(issued + rng.randint(0, 14))
                    add(
                        "Payment",
                        amount=amount,
                        currency="EUR",
                        paid_at=self._at(paid),
                        method=rng.choice(("card", "invoice", "e_invoice", "bank_transfer")),
                        stored_at=self._at(paid),
                        source=rng.choice(("analysis_service", "service_providers")),
                    )

        if customer and rng.random() < 0.4:
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
                source=rng.choice(("subject", "service_providers")),
            )
        if customer and rng.random() < 0.5:
            add(
                "BillingAccount",
                # An OVT e-invoice address is 0037 and the business id's digits.
                e_invoice_address=f"0037{organisation_business_id.replace('-', '')}"
                if organisation_business_id
                else "",
                reference=reference_number(1000 + number),
                stored_at=registered_at,
                source=rng.choice(("subject", "service_providers")),
            )

        # What the person said, asked and chose ---------------------------------
        for _ in range(rng.randint(1, 2) if rng.random() < 0.3 else 0):
            text, rating, theme = rng.choice(FEEDBACK)
            at = self._at(self._between(registered, active_until))
            add(
                "Feedback",
                text=text,
                rating=max(1, min(5, rating + rng.choice((-1, 0, 0, 0, 1)))),
                theme=theme,
                given_at=at,
                stored_at=at,
                source=rng.choice(("subject", "research")),
            )
        for _ in range(rng.randint(1, 2) if customer and rng.random() < 0.3 else 0):
            subject, description, resolution = rng.choice(SERVICE_CASES)
            opened = self._between(registered, active_until)
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
                source="customer_service",
            )
        if rng.random() < 0.1:
            label, value = rng.choice(CONSENTED_DATA)
            add(
                "ConsentedDatum",
                label=label,
                value=value,
                stored_at=self._at(self._between(registered, active_until)),
                source="subject",
            )
        if rng.random() < 0.05:
            add(
                "Rectification",
                field=rng.choice(("address", "phone", "email")),
                reason=rng.choice(RECTIFICATION_REASONS),
                made_by="demo",
                stored_at=self._at(self._between(registered, active_until)),
                source="customer_service",
            )
        # Choices, and the marketing they allow (Information Society Code 917/2014,
        # s. 200): customers and business contacts until they refuse, anyone else
        # only after consenting; an objection (GDPR Art. 21(3)) stops it all.
        marketing_from: int | None = registered if customer or represents else None
        marketing_until = self.anchor - 1
        if rng.random() < 0.6:
            for scope in rng.sample(CONSENT_SCOPES, rng.randint(1, 3)):
                granted = self._between(registered, self.anchor - 1)
                self._consent(add, scope, "granted", granted)
                withdrawn: int | None = None
                if rng.random() < 0.25:
                    withdrawn = self._between(granted + 1, self.anchor - 1)
                    self._consent(add, scope, "withdrawn", withdrawn)
                if scope == "marketing":
                    marketing_from = marketing_from if marketing_from is not None else granted
                    marketing_until = withdrawn if withdrawn is not None else marketing_until
            if rng.random() < 0.03:
                objected = self._between(registered, self.anchor - 1)
                self._consent(add, "marketing", "objected", objected, channel="customer_service")
                marketing_until = min(marketing_until, objected)
        if marketing_from is not None and marketing_from < marketing_until:
            for _ in range(rng.randint(2, 9)):
                sent = self._between(marketing_from, marketing_until)
                read = sent + rng.randint(60, 3 * DAY) if rng.random() < 0.4 else None
                click = (
                    read + rng.randint(5, 600) if read is not None and rng.random() < 0.3 else None
                )
                sent_at = self._at(sent)
                sent_on = sent_at.astimezone(clock.zone()).date()
                add(
                    "Delivery",
                    channel="email" if rng.random() < 0.85 else "sms",
                    campaign=f"{rng.choice(CAMPAIGNS)} {sent_on.month:02d}/{sent_on.year}",
                    sent_at=sent_at,
                    opened_at=self._at(min(read, self.anchor - 1)) if read is not None else None,
                    clicked_at=self._at(min(click, self.anchor - 1)) if click is not None else None,
                    stored_at=sent_at,
                    source="marketing",
                )

    def _consent(
        self,
        add: Callable[..., None],
        scope: str,
        action: str,
        ts: int,
        *,
        channel: str | None = None,
    ) -> None:
        channel = channel or self.rng.choice(("portal", "form", "customer_service"))
        when = self._at(ts)
        add(
            "ConsentEvent",
            scope=scope,
            action=action,
            channel=channel,
            text_hash=CONSENT_TEXT_HASHES[scope] if action == "granted" else "",
            notice_version=self.notice_version,
            occurred_at=when,
            stored_at=when,
            source="customer_service" if channel == "customer_service" else "subject",
        )
