"""Staff search finds people by name, e-mail, phone or organisation, for a purpose."""

from __future__ import annotations

import pytest

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.core.errors import Forbidden
from rekisteri.register.selectors import people_search
from rekisteri.register.services import AddressIn, OrganisationIn, PersonIn, person_register
from tests import policy_keys as keys
from tests.factories import country
from tests.rights.conftest import BUSINESS_IDS

pytestmark = pytest.mark.django_db
CLERK = Actor(
    ActorKind.STAFF,
    "1",
    purposes=frozenset({keys.relationship_purpose(), keys.statistics_purpose()}),
)


@pytest.fixture(autouse=True)
def people() -> None:
    person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(
            first_name="Aino",
            last_name="Virtanen",
            email="Aino.V@Example.fi",
            phone="040 123 4567",
            # A Finn, whichever country's register she is in.
            address=AddressIn("Kauppakatu 39", "40100", "Jyväskylä", "FI"),
            organisation=OrganisationIn("Mainio Kahvila Oy", BUSINESS_IDS.get(country())),
        ),
    )
    person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Eero", last_name="Virta", email="eero@example.fi"),
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("virt", ["Eero Virta", "Aino Virtanen"]),
        ("aino virt", ["Aino Virtanen"]),
        ("AINO.v@example.FI", ["Aino Virtanen"]),
        ("+358 40 1234567", ["Aino Virtanen"]),
        ("kahvila", ["Aino Virtanen"]),
        ("50%", []),
    ],
)
def test_search_finds_by_each_way(query: str, names: list[str]) -> None:
    hits = people_search(actor=CLERK, purpose=keys.relationship_purpose(), query=query)

    assert [hit.name for hit in hits] == names


def test_a_purpose_without_contact_details_cannot_search() -> None:
    with pytest.raises(Forbidden, match="does not open contact details"):
        people_search(actor=CLERK, purpose=keys.statistics_purpose(), query="virt")


def test_a_refused_search_is_in_the_audit_trail_and_a_search_names_whom_it_showed() -> None:
    with pytest.raises(Forbidden):
        people_search(actor=CLERK, purpose=keys.statistics_purpose(), query="virt")
    hits = people_search(actor=CLERK, purpose=keys.relationship_purpose(), query="virt")

    refused = AuditEntry.objects.get(event=AuditEvent.PERSON_READ_REFUSED)
    assert (refused.actor_id, refused.purpose, refused.person_id) == (
        "1",
        keys.statistics_purpose(),
        None,
    )
    read = AuditEntry.objects.filter(event=AuditEvent.PERSON_READ, data__search=True)
    assert sorted(read.values_list("person_id", flat=True)) == sorted(h.person_id for h in hits)
