"""The retention sweep with a frozen clock: who is kept, who goes, what stays anonymised."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from rekisteri.core.actors import SYSTEM
from rekisteri.core.clock import add_months
from rekisteri.core.jobs import jobs_daily_enqueue, jobs_run_queued
from rekisteri.policy.schema import AnonymiseMode
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.register.catalogue import personal_data_models
from rekisteri.register.models import (
    Customership,
    EmailAddress,
    Feedback,
    Invoice,
    Organisation,
    Payment,
    Person,
    ServiceCase,
    WebVisit,
)
from rekisteri.retention import erasure
from rekisteri.retention.erasure import identifier_suppressed
from rekisteri.retention.ledger import ledger_read, ledger_verify
from rekisteri.retention.models import AnonymousContent
from rekisteri.retention.scrub import Identifiers, scrub, scrub_person
from rekisteri.retention.sweep import retention_preview, retention_run
from rekisteri.rights import services as rs
from rekisteri.rights.models import VerificationMethod
from tests.policy_keys import category_of
from tests.retention.rules import customer_rule, months, never_customer_rule, voucher_hold, web_rule
from tests.rights.conftest import DPO, Subject, register_aino

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2027, 6, 15, 9, 0, tzinfo=dt.UTC)
IDENTIFIERS = ("Aino", "Virtanen", "aino.virtanen@example.fi", "040 123 4567", "131052-308T")


def _on(day: dt.datetime | dt.date) -> Any:
    if not isinstance(day, dt.datetime):
        day = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    return time_machine.travel(day, tick=False)


def _aino(ended_on: dt.date | None) -> Subject:
    """Aino registered on 1.4.2025 (Bertta too, who never became a customer)."""
    with _on(dt.date(2025, 4, 1)):
        subject = register_aino()
    if ended_on is not None:
        with _on(ended_on):
            s.customership_end(
                actor=SYSTEM,
                person_id=subject.pk,
                customership_id=Customership.objects.get(person_id=subject.pk).pk,
                ended_on=ended_on,
            )
    return subject


def _sweep(on: dt.datetime | dt.date = TODAY) -> Any:
    with _on(on):
        return retention_run()


def test_a_customer_whose_customership_ended_23_months_ago_is_kept() -> None:
    aino = _aino(ended_on=dt.date(2025, 7, 15))

    report = _sweep()

    assert report.people[customer_rule()] == 0
    assert Person.objects.filter(pk=aino.pk, erased_at__isnull=True).exists()
    assert EmailAddress.objects.filter(person_id=aino.pk).exists()
    assert Feedback.objects.filter(person_id=aino.pk).exists()
    assert not AnonymousContent.objects.exists()
    # Her web usage of March 2025 is older than its own period; it goes anyway.
    assert not WebVisit.objects.filter(person_id=aino.pk).exists()
    assert report.rows[web_rule()] == 1


def test_a_customer_whose_customership_ended_25_months_ago_is_erased_and_feedback_kept_anonymised(
    erasure_ledger: Path,
) -> None:
    aino = _aino(ended_on=dt.date(2025, 5, 14))

    report = _sweep()

    assert report.people[customer_rule()] == 1
    husk = Person.objects.get(pk=aino.pk)
    assert husk.erased_at is not None
    assert (husk.first_name, husk.last_name, husk.personal_identity_code) == ("", "", None)
    for model in (EmailAddress, Feedback, ServiceCase, Customership, WebVisit):
        assert not model.objects.filter(person_id=aino.pk).exists(), model
    feedback = AnonymousContent.objects.get(kind="feedback")
    kept = json.dumps([feedback.texts, feedback.values], ensure_ascii=False)
    for identifier in (*IDENTIFIERS, "example.fi"):
        assert identifier not in kept, identifier
    # Free text is kept scrubbed only where the description says so (Norrsken keeps
    # the structured results alone).
    if policy_get().categories[category_of("feedback.text")].anonymise == AnonymiseMode.SCRUB_TEXT:
        assert feedback.texts["text"] == (
            "[NIMI] tässä, soittakaa [PUHELIN] tai [SÄHKÖPOSTI]. Raportti oli hyvä."
        )
    else:
        assert feedback.texts == {}
    assert feedback.values == {"rating": 5, "theme": "raportit"}
    assert feedback.month == dt.date(2025, 3, 1)
    case = AnonymousContent.objects.get(kind="service_case")
    assert case.texts["description"] == "[NIMI] lasku 2025-0042, IBAN [IBAN]"
    # The sweep is not a request to be forgotten: a returning customer is welcome.
    assert not identifier_suppressed("email", "aino.virtanen@example.fi")
    [entry] = [e for e in ledger_read() if e.person_id == aino.pk]
    assert (entry.reason, entry.suppress) == (f"retention:{customer_rule()}", False)
    assert "aino" not in erasure_ledger.read_text().lower()


def test_invoices_are_kept_minimised_until_the_accounting_hold_ends() -> None:
    aino = _aino(ended_on=dt.date(2025, 5, 14))
    _sweep()
    invoice = Invoice.objects.get(person_id=aino.pk)
    assert (invoice.number, invoice.billing_name) == ("2025-0042", "Aino Virtanen")

    # Vouchers of 2025 are kept to the end of the hold's last year (Accounting Act 2:10
    # in Finland, Bookkeeping Act 7:2 in Sweden).
    years = months(voucher_hold()) // 12
    last_day = _sweep(dt.date(2025 + years, 12, 31))
    assert last_day.holds_ended == 0
    assert Invoice.objects.filter(person_id=aino.pk).exists()
    assert Payment.objects.filter(person_id=aino.pk).exists()

    after = _sweep(dt.date(2026 + years, 1, 1))
    assert (after.holds_ended, after.held_rows) == (1, 2)
    assert not Invoice.objects.filter(person_id=aino.pk).exists()
    assert not Person.objects.filter(pk=aino.pk).exists()


def test_a_person_who_never_was_a_customer_goes_after_the_fallback_rule() -> None:
    aino = _aino(ended_on=None)

    # Bertta registered on 1.4.2025 and never became a customer.
    due = add_months(dt.date(2025, 4, 1), months(never_customer_rule()))
    early = _sweep(due - dt.timedelta(days=12))
    assert early.people[never_customer_rule()] == 0
    assert Person.objects.filter(pk=aino.other.pk).exists()

    late = _sweep(due + dt.timedelta(days=1))
    assert late.people[never_customer_rule()] == 1
    assert not Person.objects.filter(pk=aino.other.pk).exists()
    # Aino's customership is open: she stays however long it lasts.
    assert Person.objects.filter(pk=aino.pk, erased_at__isnull=True).exists()
    assert _sweep(dt.date(2040, 1, 1)).people[customer_rule()] == 0


def test_a_person_whose_request_is_being_answered_is_kept_until_it_is() -> None:
    aino = _aino(ended_on=dt.date(2025, 5, 14))
    with _on(TODAY):
        rs.request_create(
            actor=DPO,
            person_id=aino.pk,
            kind="access",
            channel="letter",
            received_at=TODAY,
        )

    report = _sweep()

    assert report.people[customer_rule()] == 0
    assert report.deferred == 1
    assert Person.objects.filter(pk=aino.pk, erased_at__isnull=True).exists()


def test_a_dry_run_counts_and_changes_nothing() -> None:
    aino = _aino(ended_on=dt.date(2025, 5, 14))

    with _on(TODAY):
        report = retention_run(dry_run=True)

    assert report.people == {customer_rule(): 1, never_customer_rule(): 1}
    assert report.rows == {web_rule(): 1}
    assert Person.objects.filter(erased_at__isnull=True).count() == 2
    assert WebVisit.objects.filter(person_id=aino.pk).exists()
    assert list(ledger_read()) == []


def test_the_preview_counts_people_and_records_by_the_month_they_fall_due() -> None:
    aino = _aino(ended_on=dt.date(2025, 7, 15))
    aino_rows = sum(
        model.objects.filter(person_id=aino.pk).count()  # type: ignore[attr-defined]
        for model in personal_data_models()
        if model not in (Person, Organisation)
    )

    with _on(TODAY):
        months = retention_preview(months=3)

    [now, july, august, september] = months
    assert [m.month for m in months] == [
        None,
        dt.date(2027, 7, 1),
        dt.date(2027, 8, 1),
        dt.date(2027, 9, 1),
    ]
    # Bertta (never a customer, registered 4/2025) and Aino's web visit of 3/2025.
    assert now.by_rule == {never_customer_rule(): 1, web_rule(): 1}
    assert (july.people, july.by_rule) == (1, {customer_rule(): 1})
    assert july.records == aino_rows
    assert (august.people, september.people) == (0, 0)
    assert Person.objects.filter(pk=aino.pk).exists()


def test_the_policy_may_keep_only_structured_results(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = policy_get()
    feedback = policy.categories["feedback"].model_copy(
        update={"anonymise": AnonymiseMode.STRUCTURED_ONLY}
    )
    changed = policy.model_copy(update={"categories": {**policy.categories, "feedback": feedback}})
    monkeypatch.setattr(erasure, "policy_get", lambda: changed)
    _aino(ended_on=dt.date(2025, 5, 14))

    _sweep()

    kept = AnonymousContent.objects.get(kind="feedback")
    assert kept.texts == {}
    assert kept.values == {"rating": 5, "theme": "raportit"}


def test_the_worker_queues_the_sweep_daily_and_it_erases_who_is_due() -> None:
    aino = _aino(ended_on=dt.date(2025, 5, 14))

    with _on(TODAY):
        jobs_daily_enqueue()
        jobs_run_queued()

    assert Person.objects.get(pk=aino.pk).erased_at is not None
    assert not Person.objects.filter(pk=aino.other.pk).exists()


def test_the_command_shows_progress_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    _aino(ended_on=dt.date(2025, 5, 14))

    with _on(TODAY):
        call_command("retention", "preview", "--months", "2")
        preview = capsys.readouterr().out
        call_command("retention", "run", "--batch", "1")
        out, err = capsys.readouterr()

    assert "due now" in preview
    assert "2027-07" in preview
    assert "2027-08" in preview
    assert f"people erased under rule {customer_rule()}: 1" in out
    assert f"people erased under rule {never_customer_rule()}: 1" in out
    assert f"{customer_rule()}: 1/1" in err


def test_an_erasure_on_request_is_in_the_ledger_with_its_identifiers_suppressed() -> None:
    aino = _aino(ended_on=None)
    with _on(TODAY):
        request = rs.request_create(
            actor=DPO, person_id=aino.pk, kind="erasure", channel="letter", received_at=TODAY
        )
        rs.request_verify(
            actor=DPO,
            request_id=request.pk,
            method=VerificationMethod.STAFF_CHECK,
            note="signature",
        )
        rs.request_fulfil(actor=DPO, request_id=request.pk)

    [entry] = list(ledger_read())
    assert (entry.person_id, entry.reason, entry.suppress) == (
        aino.pk,
        f"request {request.pk}",
        True,
    )
    assert {kind for kind, _ in entry.identifiers} == {"email", "phone"}
    assert ledger_verify() == []


def test_an_edited_ledger_line_is_found(erasure_ledger: Path) -> None:
    _aino(ended_on=dt.date(2025, 5, 14))
    _sweep()
    lines = erasure_ledger.read_text().splitlines()
    assert len(lines) == 2
    assert ledger_verify() == []

    erasure_ledger.write_text(lines[1] + "\n")

    [problem] = ledger_verify()
    assert problem.line == 1


def test_finnish_free_text_is_scrubbed_of_identifiers_and_keeps_the_rest() -> None:
    who = Identifiers(
        names=("Aino", "Virtanen"),
        full_names=("Aino Virtanen",),
        emails=("aino.virtanen@example.fi",),
        phones=("+358401234567",),
        organisations=("Virtasen Puutarha Oy",),
    )
    text = (
        "Soitin Ainolle numeroon 040 123 4567, mutta Virtasella oli kiire. "
        "Virtasen Puutarha Oy:n tilaus viivästyi. Hetu 131052-308T, tili "
        "FI21 1234 5600 0007 85, kirjautui osoitteesta 192.0.2.44. Katso "
        "https://app.mainio.co/raportit/48213?kayttaja=77 ja https://mainio.co/hinnasto. "
        "Sähköposti toiselle: info@yritys.fi, puh. 050-765 4321. Arvosana 5/5, 12.3.2025."
    )

    assert scrub(text, who) == (
        "Soitin [NIMI] numeroon [PUHELIN], mutta [NIMI] oli kiire. "
        "[ORGANISAATIO]:n tilaus viivästyi. Hetu [HETU], tili [IBAN], kirjautui "
        "osoitteesta [IP]. Katso [URL] ja https://mainio.co/hinnasto. "
        "Sähköposti toiselle: [SÄHKÖPOSTI], puh. [PUHELIN]. Arvosana 5/5, 12.3.2025."
    )


def test_the_persons_own_identifiers_are_found_in_any_case_grouping_and_script() -> None:
    who = Identifiers(
        names=("Matti", "Virtanen"),
        full_names=("Matti Virtanen",),
        emails=("matti.v@example.fi",),
        phones=("+358401234567",),
    )

    assert scrub_person("MATILLE ja VIRTASELLE, MATTI  VIRTANEN", who) == (
        "[NIMI] ja [NIMI], [NIMI]"
    )
    assert scrub_person("Soita +358 40-123 4567 tai 040 1234567", who) == (
        "Soita [PUHELIN] tai [PUHELIN]"
    )
    assert scrub_person("Кирил kirjoitti Matti.V@Example.fi:lle", who) == (
        "Кирил kirjoitti [SÄHKÖPOSTI]:lle"
    )
    assert scrub_person("Kukaan ei mainitse ketään, 040 765 4321.", who) == (
        "Kukaan ei mainitse ketään, 040 765 4321."
    )
    # Letters whose case the pattern folds otherwise than lower() does.
    ilkka = Identifiers(names=("Ilkka", "Strand"), full_names=("Ilkka Strand",))
    assert scrub_person("Soita İlkalle huomenna", ilkka) == "Soita [NIMI] huomenna"
    assert scrub_person("İLKKA STRAND soitti", ilkka) == "[NIMI] soitti"
    assert scrub_person("\u017ftrandille", ilkka) == "[NIMI]"  # the long s


def test_a_line_torn_by_a_crash_is_reported_and_the_rest_still_replays(
    erasure_ledger: Path,
) -> None:
    _aino(ended_on=dt.date(2025, 5, 14))
    _sweep()
    whole = erasure_ledger.read_text()
    erasure_ledger.write_text(whole[:-40])  # the last line cut mid-write

    entries = list(ledger_read())
    [problem] = ledger_verify()

    assert len(entries) == 1
    assert problem.line == 2
    assert "not a ledger entry" in problem.problem
