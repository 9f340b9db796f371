"""The disclosure and transfer log (notice §8): only what the policy allows, each recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import InvalidInput, NotFound, PolicyRefusal
from rekisteri.register.disclosures import disclosure_record, disclosures_of
from rekisteri.register.services import PersonIn, person_register
from tests import policy_keys as keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def pid() -> int:
    return person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Aino", last_name="V"),
    ).pk


def test_a_disclosure_to_an_authority_is_recorded_per_person(pid: int) -> None:
    disclosure_record(
        actor=SYSTEM,
        recipient="authorities",
        categories=["contact"],
        person_ids=[pid],
        disclosed_on=dt.date(2026, 3, 1),
        reference="poliisin pyyntö 2026/123",
    )

    [disclosure] = disclosures_of(person_id=pid)
    assert (disclosure.recipient, disclosure.legal_basis) == ("authorities", "legal_obligation")
    assert AuditEntry.objects.filter(event=AuditEvent.DISCLOSURE, person_id=pid).count() == 1


def test_a_transfer_outside_the_eea_needs_a_safeguard_of_the_policy(pid: int) -> None:
    with pytest.raises(PolicyRefusal, match="needs one of the policy's safeguards"):
        disclosure_record(
            actor=SYSTEM,
            recipient="processors",
            categories=["contact"],
            person_ids=[pid],
            country="US",
        )

    disclosure_record(
        actor=SYSTEM,
        recipient="processors",
        categories=["contact"],
        person_ids=[pid],
        country="US",
        safeguard="standard_contractual_clauses",
    )

    assert disclosures_of(person_id=pid)[0].country == "US"


def test_a_disclosure_to_hungary_stays_inside_the_eea(pid: int) -> None:
    # Hungary is an EU member state: no Chapter V safeguard, and none may be named.
    disclosure_record(
        actor=SYSTEM, recipient="processors", categories=["contact"], person_ids=[pid], country="HU"
    )

    assert disclosures_of(person_id=pid)[0].country == "HU"


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"recipient": "newspaper"}, PolicyRefusal, "not a recipient of the policy"),
        ({"categories": ["gossip"]}, InvalidInput, "unknown: ['gossip']"),
        ({"person_ids": [999999]}, NotFound, "there are no persons [999999]"),
        (
            {"country": "SE", "safeguard": "standard_contractual_clauses"},
            InvalidInput,
            "only a transfer outside the EU/EEA",
        ),
        ({"disclosed_on": dt.date(2099, 1, 1)}, InvalidInput, "after it happened"),
        ({"reference": "pyyntö koskee 131052-308T"}, InvalidInput, "personal identity code"),
        ({"reference": "x" * 201}, InvalidInput, "longer than 200"),
        (
            {"recipient": "authorities", "country": "US", "safeguard": "adequacy_decision"},
            PolicyRefusal,
            "none declared",
        ),
    ],
)
def test_a_disclosure_the_policy_does_not_allow_is_refused_and_nothing_recorded(
    pid: int, change: dict[str, object], error: type[Exception], words: str
) -> None:
    arguments: dict[str, object] = {
        "actor": SYSTEM,
        "recipient": "processors",
        "categories": ["contact"],
        "person_ids": [pid],
    }
    arguments.update(change)

    with pytest.raises(error) as refused:
        disclosure_record(**arguments)  # type: ignore[arg-type]

    assert words in str(refused.value)
    assert disclosures_of(person_id=pid) == []


def test_the_command_records_and_lists(pid: int, capsys: pytest.CaptureFixture[str]) -> None:
    call_command(
        "disclosure",
        "record",
        "--recipient",
        "processors",
        "--category",
        "contact",
        "--person",
        str(pid),
        "--country",
        "US",
        "--safeguard",
        "standard_contractual_clauses",
        "--date",
        "2026-02-01",
    )
    call_command("disclosure", "list", "--person", str(pid))

    out = capsys.readouterr().out
    assert "2026-02-01\tprocessors\tcontract\tcontact\tUS (standard_contractual_clauses)" in out
