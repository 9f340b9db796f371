"""What each person of the demo did: contact details, use of the service, web
visits, customerships and payments, what they said, and the choices they made.

Each part draws from the planner's random stream in a fixed order, so the same
seed gives the same history; what the policy does not collect is drawn all the
same (so the rest stays as it was) and left out by ``_keep``.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rekisteri.consent.models import ConsentAction
from rekisteri.core import clock
from rekisteri.demo.identifiers import reference_number
from rekisteri.demo.names import Words
from rekisteri.demo.rules import STAFF_CHANNEL, DemoRules
from rekisteri.register.models import Gender
from rekisteri.register.services import source_from_subject

# Every this many people one has a change of e-mail address waiting for them
# to confirm it (its local part ends in the words' new-address mark).
PENDING_EMAIL_CHANGE_EVERY = 50

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


# A row of the plan: its table's name and its fields.
Add = Callable[..., None]


@dataclass(frozen=True)
class Life:
    """Who a person is and when they were about, as the rest of their history needs it."""

    number: int
    first: str
    last: str
    represents: bool
    # Customerships, newest first: (first day, last day or None), as date ordinals.
    spans: tuple[tuple[int, int | None], ...]
    registered: int
    # Ex-customers go quiet about a month after their last customership ends.
    active_until: int

    @property
    def customer(self) -> bool:
        return bool(self.spans)

    @property
    def registered_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.registered, tz=dt.UTC)

    @property
    def local(self) -> str:
        """The local part of the person's e-mail addresses."""
        return f"{self.first}.{self.last}".lower().translate(TO_ASCII).replace(" ", "")


def _verified_at(source: str, stored_at: dt.datetime) -> dt.datetime | None:
    """An address the person gave themself counts as verified (as in person_register)."""
    return stored_at if source_from_subject(source) else None


class History:
    """Draws a person's history from the planner's random stream."""

    rng: random.Random
    rules: DemoRules
    words: Words
    anchor: int
    today_ordinal: int
    notice_version: int | None
    overdue: bool

    def _keep(self, name: str, fields: dict[str, Any]) -> dict[str, Any]:
        """The fields the policy collects; the rest stay at the model's default."""
        dropped = self.rules.dropped[name]
        return {k: v for k, v in fields.items() if k not in dropped} if dropped else fields

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

    def _contact_details(self, life: Life, add: Add) -> str:
        """E-mail addresses, phone numbers and a postal address; returns the address."""
        rng, rules, words = self.rng, self.rules, self.words
        number, registered, active_until = life.number, life.registered, life.active_until
        registered_at, represents = life.registered_at, life.represents
        local = life.local
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
                    address=f"{local}.{number}{words.new_address_mark}{words.domain}",
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
        return f"{street}, {postal_code} {city}"

    def _service_use(self, life: Life, add: Add) -> None:
        """The account, its use, contacts with customer service, and web visits."""
        rng, rules, words = self.rng, self.rules, self.words
        number, registered, active_until = life.number, life.registered, life.active_until
        customer, local, registered_at = life.customer, life.local, life.registered_at
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

    def _customerships(
        self, life: Life, add: Add, *, billing_name: str, billing_address: str
    ) -> None:
        """Customerships with the subscriptions, invoices and payments of each."""
        rng, rules, words = self.rng, self.rules, self.words
        number, today = life.number, self.today_ordinal
        invoices = 0
        for start, end in life.spans if rules.fills("Customership") else ():
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

    def _payment_means(self, life: Life, add: Add, *, business_id: str | None) -> None:
        """A payment card and a billing account, for some customers."""
        rng, rules = self.rng, self.rules
        registered, active_until, customer = life.registered, life.active_until, life.customer
        number, registered_at = life.number, life.registered_at
        organisation_business_id, today = business_id, self.today_ordinal
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
            finnish = rules.country == "FI" and organisation_business_id
            add(
                "BillingAccount",
                e_invoice_address=f"0037{organisation_business_id.replace('-', '')}"
                if finnish and organisation_business_id
                else "",
                reference=reference_number(1000 + number),
                stored_at=registered_at,
                source=self._source("BillingAccount"),
            )

    def _said(self, life: Life, add: Add) -> None:
        """What the person said, asked and had corrected."""
        rng, rules, words = self.rng, self.rules, self.words
        registered, active_until, customer = life.registered, life.active_until, life.customer
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

    def _choices_and_marketing(self, add: Add, life: Life) -> None:
        """Choices, and the marketing they allow.

        Information Society Code 917/2014, s. 200: customers and business contacts
        until they refuse, anyone else only after consenting, where the policy's
        marketing rests on legitimate interest; only after consenting where it rests
        on consent. An objection (GDPR Art. 21(3)) stops it all.
        """
        rng, rules, registered = self.rng, self.rules, life.registered
        marketing = rules.marketing_scope
        soft = rules.marketing_without_consent and (life.customer or life.represents)
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
        add: Add,
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
