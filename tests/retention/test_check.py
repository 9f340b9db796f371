"""`rekisteri check` and the console's compliance page: the live data against the promises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command

from rekisteri.audit.services import audit_seal
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.core.identity import register_identity
from rekisteri.policy.schema import SourceRecord
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.register.models import Customership, Feedback, Person
from rekisteri.retention.erasure import pseudonym_digest
from rekisteri.retention.ledger import COMMITTED, LedgerEntry, LedgerOutcome, ledger_append
from rekisteri.retention.sweep import retention_run
from tests import policy_keys as keys
from tests.console.conftest import signed_in
from tests.factories import DeliveryFactory
from tests.retention.rules import customer_rule, never_customer_rule, web_rule
from tests.rights.conftest import Subject, register_aino

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2027, 6, 15, 9, 0, tzinfo=dt.UTC)


def _check(capsys: pytest.CaptureFixture[str], commits: Any) -> tuple[int, str]:
    with time_machine.travel(TODAY, tick=False):
        with commits(execute=True):
            audit_seal()
        try:
            call_command("check")
        except SystemExit as exit_:
            return int(exit_.code or 0), capsys.readouterr().out
    return 0, capsys.readouterr().out


def _lines(out: str) -> dict[str, int]:
    """Each finding's text and count, the audit chain's aside: on PostgreSQL the sealer
    seals only finished transactions, and a test runs inside one (tests/audit covers it)."""
    found = {}
    for line in out.splitlines():
        if line.startswith("FINDING") and "audit chain" not in line:
            count, text = line.removeprefix("FINDING").strip().split("  ", 1)
            found[text] = int(count)
    return found


def _aino_ended_25_months_ago() -> Subject:
    with time_machine.travel(dt.datetime(2025, 5, 14, 9, 0, tzinfo=dt.UTC), tick=False):
        aino = register_aino()
        s.customership_end(
            actor=SYSTEM,
            person_id=aino.pk,
            customership_id=Customership.objects.get(person_id=aino.pk).pk,
        )
    return aino


def test_data_past_retention_is_a_finding_until_the_sweep_runs(
    capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    _aino_ended_25_months_ago()

    code, out = _check(capsys, django_capture_on_commit_callbacks)

    assert code == 1
    assert _lines(out) == {
        f"People kept past their retention period (rule: {customer_rule()})": 1,
        f"People kept past their retention period (rule: {never_customer_rule()})": 1,
        f"Rows kept past their retention period (rule: {web_rule()})": 1,
    }
    with time_machine.travel(TODAY, tick=False):
        retention_run()
    code, out = _check(capsys, django_capture_on_commit_callbacks)
    assert _lines(out) == {}


def test_marketing_after_an_objection_and_an_erased_person_back_are_findings(
    capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(TODAY, tick=False):
        aino = register_aino()
        consent_record(
            actor=SYSTEM,
            person_id=aino.pk,
            scope=keys.marketing_purpose(),
            action=ConsentAction.OBJECTED,
            channel="letter",
        )
        DeliveryFactory(person_id=aino.pk, campaign="kevät")
    person = Person.objects.get(pk=aino.pk)
    # As if a backup from before her erasure had been restored and not replayed.
    register = register_identity()
    ledger_append(
        [
            LedgerEntry(
                person_id=aino.pk,
                at=TODAY.isoformat(),
                reason="request 1",
                suppress=True,
                pseudonym=pseudonym_digest(person.pseudonym),
                identifiers=(),
                erasure="e1",
                register=register,
            ),
            LedgerOutcome(
                erasure="e1",
                register=register,
                outcome=COMMITTED,
                at=TODAY.isoformat(),
                settled_by="commit",
            ),
        ]
    )

    code, out = _check(capsys, django_capture_on_commit_callbacks)

    assert code == 1
    found = _lines(out)
    assert found["Marketing deliveries sent after the person objected to marketing"] == 1
    assert (
        found["Erased people in the database again (a restore without `rekisteri restore-replay`)"]
        == 1
    )


# Mainioco's description lets names come from sources a year of birth may not; a
# description that keeps no year of birth (Norrsken's) has no such pair to store.
@pytest.mark.mainioco
def test_rows_from_a_source_their_data_may_not_come_from_and_unknown_scopes_are_findings(
    capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    policy = policy_get()
    feedback = policy.categories[policy.category_of_field("feedback.text") or ""]
    names = policy.categories[policy.category_of_field("person.first_name") or ""]
    if policy.category_of_field("person.birth_year") is None:
        pytest.fail("this policy does not collect a year of birth")
    year = policy.categories[policy.category_of_field("person.birth_year") or ""]
    wrong_for_feedback = next(k for k in policy.sources if k not in feedback.sources)
    # A source the names may come from but a year of birth may not.
    wrong_for_year = next((k for k in names.sources if k not in year.sources), None) or pytest.fail(
        "every source of names may bring a year of birth under this policy"
    )
    with time_machine.travel(TODAY, tick=False):
        aino = register_aino()
        eero = s.person_register(
            actor=SYSTEM,
            source=wrong_for_year,
            person=s.PersonIn(first_name="Eero", last_name="Korhonen"),
        )
        # Written past the services, as a policy changed under stored rows would leave them.
        Feedback.objects.create(
            person_id=aino.pk, stored_at=TODAY, source=wrong_for_feedback, rating=3, given_at=TODAY
        )
        Person.objects.filter(pk=aino.pk).update(source=wrong_for_year)
        ConsentEvent.objects.create(
            person_id=aino.pk,
            stored_at=TODAY,
            source=policy.source_for(SourceRecord.SUBJECT_CHOICES),
            scope="no_such_purpose",
            action=ConsentAction.GRANTED,
            channel="portal",
            occurred_at=TODAY,
        )

    code, out = _check(capsys, django_capture_on_commit_callbacks)

    found = _lines(out)
    assert code == 1
    rows = "Rows stored under a source the policy does not list for their data"
    # Aino's row holds her year of birth; Eero's, from the same source, holds none.
    assert found[f"{rows} (table: person)"] == 1
    assert found[f"{rows} (table: feedback)"] == 1
    assert found["Consent events on a scope the policy does not list for their choice"] == 1
    assert Person.objects.get(pk=eero.pk).source == wrong_for_year


def test_with_every_row_from_a_listed_source_the_source_check_is_one_line_and_ok(
    capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(TODAY, tick=False):
        register_aino()

    _, out = _check(capsys, django_capture_on_commit_callbacks)

    lines = [line for line in out.splitlines() if "source the policy does not list" in line]
    assert len(lines) == 1
    assert lines[0].startswith("ok")
    assert "ok" in next(line for line in out.splitlines() if "Consent events on a scope" in line)


def test_the_dashboard_shows_the_findings_and_a_chart_of_what_falls_due(
    enrolled: Callable[[str, str], User],
) -> None:
    _aino_ended_25_months_ago()

    with time_machine.travel(TODAY, tick=True):
        client = signed_in(enrolled("tietosuoja", keys.request_role()))
        page = client.get("/console/compliance", headers={"accept-language": "en"})

    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "People kept past their retention period (rule: customer data)" in html
    )  # the rule in the policy's words
    assert html.count("<rect ") == 13
    assert '<strong class="error">1</strong>' in html


def test_customer_service_does_not_see_the_dashboard(
    enrolled: Callable[[str, str], User],
) -> None:
    client = signed_in(enrolled("asiakaspalvelu", keys.service_role()))

    assert client.get("/console/compliance").status_code == 403
