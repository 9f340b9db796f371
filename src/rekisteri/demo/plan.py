"""The plan of a demo register: who the people are, in batches of plain data.

``demo_plan`` is pure: from the rules read from the policy (``rules.py``), a
seed and an anchor date it yields the rows of each batch as plain data, each
person drawn from a random stream of their own, so that two plans can be
compared without a database and the batch size changes nothing. What each
person did is drawn in ``history.py``.

Everything that would identify a real person or company is made up: e-mail
addresses and web sites use example domains, IP addresses the documentation
ranges (RFC 5737), card tokens are random. Identity codes and business ids are
valid by their check characters, because the register validates them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rekisteri.core import clock
from rekisteri.core.errors import InvalidInput
from rekisteri.demo.history import (
    DAY,
    EPOCH_ORDINAL,
    GENDER_SHARES,
    GENDERS,
    PEOPLE_PER_ORG,
    TO_ASCII,
    History,
    Life,
)
from rekisteri.demo.identifiers import HETU_SPACE, business_id, hetu
from rekisteri.demo.rules import DemoRules, demo_rules


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


class _Planner(History):
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
            "business_id": business_id(self.rules.country, number) if rng.random() < 0.85 else None,
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
        life = Life(
            number=number,
            first=first,
            last=last,
            represents=represents,
            spans=tuple(spans),
            registered=registered,
            active_until=active_until,
        )
        billing_address = self._contact_details(life, add)
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
        self._service_use(life, add)
        self._customerships(
            life,
            add,
            billing_name=organisation_name or f"{first} {last}",
            billing_address=billing_address,
        )
        self._payment_means(life, add, business_id=organisation_business_id)
        self._said(life, add)
        self._choices_and_marketing(add, life)
