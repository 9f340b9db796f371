"""Anonymisation reads Finnish: inflected names, the address, other people's names go."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.register.models import Customership
from rekisteri.retention.models import AnonymousContent
from rekisteri.retention.scrub import Identifiers, morphology_available, scrub
from rekisteri.retention.sweep import retention_run
from tests import policy_keys as keys
from tests.rights.conftest import register_aino

AINO = Identifiers(
    names=("Aino", "Virtanen"),
    full_names=("Aino Virtanen",),
    addresses=(("Rautatienkatu 5 A 3", "33100"),),
)


def test_voikko_is_installed_by_the_projects_own_set_up() -> None:
    assert morphology_available()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # The person's surname in forms no stem rule of ours knew: plural, illative.
        ("Virtasten perhe muutti, kirje Virtasille.", "[NIMI] perhe muutti, kirje [NIMI]."),
        # Her address, inflected, with its house number; the postal code before the town.
        (
            "Asun osoitteessa Rautatienkatu 5 A 3, 33100 Tampere.",
            "Asun osoitteessa [OSOITE], [POSTINUMERO] Tampere.",
        ),
        ("Paketti jäi Rautatienkadulle 5:een.", "Paketti jäi [OSOITE]:een."),
        # Other people, in any form.
        (
            "Jussi Korhonen soitti, ja Korhoselle vastasi Liisa.",
            "[NIMI] [NIMI] soitti, ja [NIMI] vastasi [NIMI].",
        ),
        # A first name opening a sentence, before a surname.
        (
            "Hyvä palvelu. Matti Mikkosen kanssa sovittiin.",
            "Hyvä palvelu. [NIMI] [NIMI] kanssa sovittiin.",
        ),
    ],
)
def test_names_and_addresses_in_every_inflected_form_go(text: str, kept: str) -> None:
    assert scrub(text, AINO) == kept


@pytest.mark.parametrize(
    "text",
    [
        # A noun that is also a name, opening a sentence, stays a noun.
        "Tuuli puhalsi kovaa koko päivän.",
        # Towns, products, sums and dates are not people.
        "Toimitus Tampereelle ja Helsinkiin, hinta 33100 euroa, 12.3.2025.",
        "raportti oli hyvä ja nopea",
    ],
)
def test_what_names_no_one_is_kept_as_it_was(text: str) -> None:
    assert scrub(text, AINO) == text


# Mainioco keeps feedback text scrubbed (anonymise = "scrub_text"); Norrsken keeps no
# free text at all, which test_sweep asserts under it.
@pytest.mark.mainioco
@pytest.mark.django_db
def test_the_sweep_keeps_feedback_without_the_persons_address_or_anyone_elses_name() -> None:
    # given Aino, whose customership ended long ago, with feedback naming her address and staff
    with time_machine.travel(dt.datetime(2025, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        aino = register_aino()
        s.feedback_record(
            actor=SYSTEM,
            person_id=aino.pk,
            source=keys.subject_source(),
            text="Kauppakadulla 39 asuva Virtasten perhe kiittää Jussi Korhosta avusta.",
            rating=4,
            theme="palvelu",
            given_at=dt.datetime(2025, 4, 1, 9, tzinfo=dt.UTC),
        )
        s.customership_end(
            actor=SYSTEM,
            person_id=aino.pk,
            customership_id=Customership.objects.get(person_id=aino.pk).pk,
            ended_on=dt.date(2025, 4, 1),
        )

    # when the retention sweep erases her
    with time_machine.travel(dt.datetime(2027, 6, 15, 9, tzinfo=dt.UTC), tick=False):
        retention_run()

    # then what is kept anonymised names neither her street nor Jussi Korhonen
    texts = [row.texts["text"] for row in AnonymousContent.objects.filter(kind="feedback")]
    assert "[OSOITE] asuva [NIMI] perhe kiittää [NIMI] [NIMI] avusta." in texts
