"""The request engine: intake, verification, deadlines, and the answer to each right."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils.translation import gettext_lazy

from rekisteri.audit.models import AuditEntry
from rekisteri.compliance import compliance_checks
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.consent.services import consent_record
from rekisteri.core import clock
from rekisteri.core.errors import Conflict, Forbidden, InvalidInput
from rekisteri.core.jobs import job_retry, jobs_daily_enqueue, jobs_run_queued
from rekisteri.core.models import Job, JobState
from rekisteri.policy.schema import ErasureAction, LegalBasis, RecipientKind
from rekisteri.policy.selectors import notice_version_current, policy_get
from rekisteri.register.models import Customership, EmailAddress, Person
from rekisteri.rights import services as rs
from rekisteri.rights.fulfilment import erasure as erasure_step
from rekisteri.rights.models import (
    OPEN_STATES,
    ExportFile,
    RequestState,
    SubjectMessage,
    SubjectRequest,
    VerificationMethod,
)
from rekisteri.rights.selectors import packages_of, requests_work_failed
from rekisteri.rights.subjects import subject_actor
from tests import policy_keys as keys
from tests.rights.conftest import CUSTOMER_SERVICE, DPO, SUBJECT_EMAIL, Subject

RECEIVED = dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC)
NOT_PORTABLE = gettext_lazy(
    "Not included: data the company's staff recorded, data it received from "
    "others, and what it derived or inferred itself. The right to data "
    "portability does not cover them; an access request shows them all (GDPR Art. "
    "15)."
)


def _written(aino: Subject, kind: str, **extra: Any) -> SubjectRequest:
    return rs.request_create(
        actor=DPO, person_id=aino.pk, kind=kind, channel="letter", received_at=RECEIVED, **extra
    )


@pytest.mark.mainioco  # asserts the Finnish words of Mainioco's register
@time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_written_request_is_due_a_month_after_receipt_and_acknowledged(
    aino: Subject, smtp: Any
) -> None:
    request = _written(aino, "access")
    jobs_run_queued()

    assert request.state == RequestState.RECEIVED
    # 31.1.2026 + one month -> 28.2. (Saturday) -> Monday 2.3.2026.
    assert request.due_on == dt.date(2026, 3, 2)
    current = notice_version_current()
    assert current is not None
    assert request.notice_version == current.number
    [ack] = smtp.to(SUBJECT_EMAIL)
    body = smtp.body(ack)
    assert "2.3.2026" in body
    assert "tietosuoja.fi" in body  # every answer tells how to complain


def test_a_request_filed_without_a_language_is_answered_in_the_register_s_own(
    aino: Subject,
) -> None:
    request = rs.request_create(actor=DPO, person_id=aino.pk, kind="access", channel="letter")

    assert request.language == keys.language()


def test_a_second_request_of_the_same_kind_is_linked_to_the_first(aino: Subject) -> None:
    first = _written(aino, "access")
    second = rs.request_create(actor=DPO, person_id=aino.pk, kind="access", channel="email")

    assert second.duplicate_of_id == first.pk
    assert first.duplicate_of_id is None

    # One answer serves both: the package of the first closes the second too.
    rs.request_verify(
        actor=DPO, request_id=first.pk, method=VerificationMethod.STAFF_CHECK, note="known"
    )
    rs.request_fulfil(actor=DPO, request_id=first.pk)
    jobs_run_queued()
    second.refresh_from_db()
    assert second.state == RequestState.FULFILLED
    assert second.result == {"answered_by": first.pk}


def test_an_unverified_request_is_not_answered(aino: Subject) -> None:
    request = _written(aino, "access")

    with pytest.raises(Conflict, match="verify the requester's identity first"):
        rs.request_fulfil(actor=DPO, request_id=request.pk)


@time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_code_sent_to_the_address_on_file_verifies_without_moving_the_deadline(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _written(aino, "access")
    with django_capture_on_commit_callbacks(execute=True):
        rs.request_verification_code_send(actor=DPO, request_id=request.pk)
    [mail] = [
        m
        for m in smtp.to(SUBJECT_EMAIL)
        if any(word in m["Subject"].lower() for word in ("code", "koodi", "kod"))
    ]
    code = re.search(r"\b(\d{8})\b", smtp.body(mail)).group(1)  # type: ignore[union-attr]

    with pytest.raises(InvalidInput, match="not right"):
        rs.request_verify_code(
            actor=DPO, request_id=request.pk, code="00000000" if code != "00000000" else "1"
        )
    verified = rs.request_verify_code(actor=DPO, request_id=request.pk, code=code)

    assert verified.state == RequestState.VERIFIED
    assert verified.verification_method == VerificationMethod.CODE
    assert verified.due_on == dt.date(2026, 3, 2)
    with pytest.raises(InvalidInput, match="no valid code"):
        rs.request_verify_code(actor=DPO, request_id=request.pk, code=code)


def test_staff_verification_says_what_was_checked(aino: Subject) -> None:
    request = _written(aino, "access")

    with pytest.raises(InvalidInput, match="say what was checked"):
        rs.request_verify(actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK)
    done = rs.request_verify(
        actor=DPO,
        request_id=request.pk,
        method=VerificationMethod.STAFF_CHECK,
        note="called back the number on file; the caller knew the invoice number",
    )
    assert done.state == RequestState.VERIFIED


def test_only_the_data_protection_officer_handles_requests(aino: Subject) -> None:
    request = _written(aino, "access")

    with pytest.raises(Forbidden):
        rs.request_verify(
            actor=CUSTOMER_SERVICE,
            request_id=request.pk,
            method=VerificationMethod.STAFF_CHECK,
            note="x",
        )


def test_an_extension_is_given_once_before_the_due_date_and_told(aino: Subject, smtp: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        request = _written(aino, "access")
        extended = rs.request_extend(
            actor=DPO,
            request_id=request.pk,
            months=2,
            reason="the request covers ten years of records",
        )
        with pytest.raises(Conflict, match="only once"):
            rs.request_extend(actor=DPO, request_id=request.pk, months=1, reason="again")
        jobs_run_queued()
    # 31.1. + 3 months = 30.4.2026 (Thursday).
    assert (extended.original_due_on, extended.due_on) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 4, 30),
    )
    assert any("ten years" in smtp.body(m) for m in smtp.to(SUBJECT_EMAIL))

    late = _written(aino, "portability")
    with (
        time_machine.travel(dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC), tick=False),
        pytest.raises(Conflict, match="deadline has passed"),
    ):
        rs.request_extend(actor=DPO, request_id=late.pk, months=1, reason="too late")


def _verified(aino: Subject, kind: str, **extra: Any) -> SubjectRequest:
    request = _written(aino, kind, **extra)
    return rs.request_verify(
        actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK, note="known caller"
    )


def test_the_access_package_holds_every_category_and_the_article_15_information(
    aino: Subject, smtp: Any
) -> None:
    request = _verified(aino, "access", language="en")
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    jobs_run_queued()

    request.refresh_from_db()
    assert request.state == RequestState.FULFILLED
    files = {f.name: bytes(f.content) for f in ExportFile.objects.filter(package__request=request)}
    assert set(files) == {"access.json", "access.html"}
    package = json.loads(files["access.json"])
    assert {
        keys.category_of(field)
        for field in (
            "email_address.address",
            "service_account.username",
            "invoice.number",
            "feedback.rating",
            "web_visit.ip_address",
            "service_case.subject",
        )
    } <= set(package["data"])
    info = package["information"]
    # C-154/21: the actual recipient and date, from the disclosure log.
    assert [r["disclosed_on"] for r in info["recipients"]] == ["2025-04-01"]
    assert info["complaint"]["website"] == policy_get().supervisory_authority.website
    assert {s["key"] for s in info["sources"]} >= {
        keys.subject_source(),
        keys.web_source(),
        keys.billing_source(),
    }
    assert "password_hash" not in files["access.json"].decode()
    html = files["access.html"].decode()
    assert "Aino" in html
    assert "How to complain" in html
    # The e-mail says where to download; it carries no attachment.
    ready = [m for m in smtp.to(SUBJECT_EMAIL) if "ready" in m["Subject"]]
    assert ready
    assert not any(part.get_filename() for part in ready[0].walk())


@pytest.mark.mainioco  # asserts the Finnish words of Mainioco's register
def test_the_access_answer_states_each_retention_period_with_its_legal_hold(
    aino: Subject,
) -> None:
    # given the policy's categories that a law keeps after erasure (vouchers)
    policy = policy_get()
    held = {k: c for k, c in policy.categories.items() if c.erasure == ErasureAction.HOLD}
    assert held, "the shipped description keeps accounting vouchers under a legal hold"

    # when Aino's access request is answered in Finnish
    request = _verified(aino, "access", language="fi")
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    jobs_run_queued()

    # then each held category says how long it is kept, and for how long the law keeps it after
    files = {f.name: bytes(f.content) for f in ExportFile.objects.filter(package__request=request)}
    answered = {
        c["key"]: c["retention"]
        for c in json.loads(files["access.json"])["information"]["categories"]
    }
    for key, category in held.items():
        hold = policy.retention[category.hold or ""]
        text = answered[key]
        assert text.startswith("Säilytetään ")
        assert f"mitä {hold.law('fi') if hold.law else ''} edellyttää" in text
        assert "minkä jälkeen ne poistetaan" in text


def test_portability_exports_only_provided_and_observed_data_as_json_and_csv(aino: Subject) -> None:
    request = _verified(aino, "portability")
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    jobs_run_queued()

    files = {f.name: bytes(f.content) for f in ExportFile.objects.filter(package__request=request)}
    data = json.loads(files["portability.json"])["data"]
    assert keys.contact_category() in data
    assert keys.category_of("usage_event.action") in data
    # Derived by the controller: not portable (Art. 20).
    assert keys.category_of("customership.started_on") not in data
    assert keys.category_of("rectification.field") not in data
    archive = zipfile.ZipFile(io.BytesIO(files["portability-csv.zip"]))
    assert "email_address.csv" in archive.namelist()
    assert SUBJECT_EMAIL in archive.read("email_address.csv").decode()


def test_portability_leaves_out_what_staff_recorded_and_others_supplied_and_says_so(
    aino: Subject,
) -> None:
    # given Aino, with data recorded by staff as well as data she gave herself
    policy = policy_get()
    access = _verified(aino, "access")
    rs.request_fulfil(actor=DPO, request_id=access.pk)
    portability = _verified(aino, "portability", language=keys.language())
    rs.request_fulfil(actor=DPO, request_id=portability.pk)

    # when both packages are built
    jobs_run_queued()

    # then the portability package holds only rows from her or observed of her use
    def rows(request: SubjectRequest, name: str) -> list[dict[str, Any]]:
        content = ExportFile.objects.get(package__request=request, name=name).content
        return [row for rows in json.loads(bytes(content))["data"].values() for row in rows]

    everything = rows(access, "access.json")
    portable = rows(portability, "portability.json")
    kinds = {row["source"]: policy.sources[row["source"]].kind for row in everything}
    assert {kinds[row["source"]] for row in portable} <= {"subject", "observed"}
    left_out = [row for row in everything if kinds[row["source"]] in ("staff", "third_party")]
    assert left_out, "Aino's register holds a service case customer service recorded"
    assert not any(
        row["id"] == o["id"] and row["table"] == o["table"] for row in portable for o in left_out
    )
    # and its readme says, in her language, what is in it and what portability leaves out
    readme = bytes(
        ExportFile.objects.get(package__request=portability, name="README.txt").content
    ).decode()
    assert keys.words(NOT_PORTABLE).split(",")[0] in readme
    assert policy.sources[portable[0]["source"]].name(keys.language()) in readme


def test_a_failed_package_job_resumes_from_its_checkpoint(
    aino: Subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rekisteri.rights import packages

    request = _verified(aino, "access")
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    original = packages.PLANS["access"]["access.html"]

    def broken(*args: Any) -> Any:
        raise RuntimeError("template store unavailable")

    monkeypatch.setitem(packages.PLANS["access"], "access.html", broken)
    [failed] = [j for j in jobs_run_queued() if j.name == "rights.package"]
    assert failed.state == JobState.FAILED
    assert failed.checkpoint == {"done": ["access.json"]}
    first_json = ExportFile.objects.get(package__request=request, name="access.json").pk
    # The DPO sees it, and the half-built package is not the person's to download.
    assert [r.pk for r in requests_work_failed()] == [request.pk]
    [check] = [c for c in compliance_checks() if c.key == "requests.work_failed"]
    assert check.count == 1
    assert packages_of(person_id=aino.pk) == []

    monkeypatch.setitem(packages.PLANS["access"], "access.html", original)
    job_retry(job_id=failed.pk)
    [done] = [j for j in jobs_run_queued() if j.pk == failed.pk]

    assert done.state == JobState.DONE
    assert done.attempts == 2
    # The JSON file built before the failure was not built again.
    assert ExportFile.objects.get(package__request=request, name="access.json").pk == first_json
    request.refresh_from_db()
    assert request.state == RequestState.FULFILLED
    assert requests_work_failed() == []
    assert [p.request_id for p in packages_of(person_id=aino.pk)] == [request.pk]


def test_an_objection_to_direct_marketing_takes_effect_at_once_without_verification(
    aino: Subject,
) -> None:
    request = _written(aino, "objection_direct_marketing")

    assert request.state == RequestState.FULFILLED
    assert ConsentEvent.objects.filter(
        person_id=aino.pk, scope=keys.marketing_purpose(), action=ConsentAction.OBJECTED
    ).exists()


def test_objecting_again_while_the_objection_is_in_force_files_no_new_request(
    aino: Subject,
) -> None:
    actor = subject_actor(aino.pk, origin="test")

    presses = [
        rs.request_create(
            actor=actor, person_id=aino.pk, kind="objection_direct_marketing", channel="portal"
        )
        for _ in range(4)
    ]

    # Every press is answered with the one objection in force.
    assert {request.pk for request in presses} == {presses[0].pk}
    assert {request.state for request in presses} == {RequestState.FULFILLED}
    assert (
        SubjectRequest.objects.filter(person_id=aino.pk, kind="objection_direct_marketing").count()
        == 1
    )


def test_objecting_after_lifting_the_objection_files_a_new_request(aino: Subject) -> None:
    actor = subject_actor(aino.pk, origin="test")
    first = rs.request_create(
        actor=actor, person_id=aino.pk, kind="objection_direct_marketing", channel="portal"
    )
    consent_record(
        actor=actor,
        person_id=aino.pk,
        scope=keys.marketing_purpose(),
        action=ConsentAction.LIFTED,
        channel="portal",
    )

    again = rs.request_create(
        actor=actor, person_id=aino.pk, kind="objection_direct_marketing", channel="portal"
    )

    assert again.pk != first.pk
    assert again.state == RequestState.FULFILLED


def test_ending_the_customership_ends_every_open_one_and_marketing(aino: Subject) -> None:
    request = _verified(aino, "deletion")
    rs.request_fulfil(actor=DPO, request_id=request.pk)

    assert not Customership.objects.filter(person_id=aino.pk, ended_on__isnull=True).exists()
    assert ConsentEvent.objects.filter(
        person_id=aino.pk, scope=keys.marketing_purpose(), action=ConsentAction.OBJECTED
    ).exists()


def test_a_pending_rectification_restricts_and_its_answer_lifts_after_a_notice(
    aino: Subject, smtp: Any
) -> None:
    request = _written(
        aino, "rectification", details={"email": "aino@uusi.example.fi", "reason": "new address"}
    )
    assert Person.objects.get(pk=aino.pk).restricted_since is not None

    rs.request_verify(
        actor=DPO, request_id=request.pk, method=VerificationMethod.STAFF_CHECK, note="known caller"
    )
    done = rs.request_fulfil(actor=DPO, request_id=request.pk)

    # Made by staff, the change waits for the new address to be confirmed: the
    # verified address stays beside it until then.
    stored = dict(
        EmailAddress.objects.filter(person_id=aino.pk).values_list("address", "verified_at")
    )
    assert set(stored) == {SUBJECT_EMAIL, "aino@uusi.example.fi"}
    assert stored["aino@uusi.example.fi"] is None
    assert Person.objects.get(pk=aino.pk).restricted_since is None
    # The notice went to the verified address on file before the lift.
    assert smtp.messages
    assert SUBJECT_EMAIL in smtp.messages[-1]["To"]
    # Art. 19: the recipients to tell.
    processors = [
        k for k, r in policy_get().recipients.items() if r.kind == RecipientKind.PROCESSOR
    ]
    assert [r["recipient"] for r in done.result["recipients_to_tell"]] == processors[:1]


def test_a_restriction_asked_for_stays_until_lifted_and_the_person_is_told_first(
    aino: Subject, smtp: Any
) -> None:
    request = _verified(aino, "restriction")
    rs.request_fulfil(actor=DPO, request_id=request.pk)
    assert Person.objects.get(pk=aino.pk).restricted_since is not None

    rs.restriction_lift(actor=DPO, request_id=request.pk)

    assert Person.objects.get(pk=aino.pk).restricted_since is None
    assert any(
        any(w in m["Subject"].lower() for w in ("restriction", "rajoitus", "begränsning"))
        for m in smtp.to(SUBJECT_EMAIL)
    )


def test_a_refusal_gives_reasons_and_the_complaint_route(aino: Subject, smtp: Any) -> None:
    request = _written(aino, "erasure")
    with pytest.raises(InvalidInput, match="reason"):
        rs.request_reject(actor=DPO, request_id=request.pk, reason=" ")
    rs.request_reject(
        actor=DPO, request_id=request.pk, reason="the requester could not be identified"
    )
    jobs_run_queued()

    body = smtp.body(smtp.to(SUBJECT_EMAIL)[-1])
    assert "could not be identified" in body
    assert policy_get().supervisory_authority.website.removeprefix("https://") in body
    assert Person.objects.get(pk=aino.pk).restricted_since is None


def _all_text_in_database() -> str:
    """Every row of every table, as text: what a query for identifiers would see."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("django_", "auth_")):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                chunks.append(
                    table
                    + ": "
                    + " ".join(
                        bytes(v).decode("utf-8", "replace")
                        if isinstance(v, bytes | memoryview)
                        else str(v)
                        for v in row
                    )
                )
    return "\n".join(chunks)


@pytest.mark.mainioco  # asserts the Finnish words of Mainioco's register
def test_forgetting_erases_every_identifier_except_what_the_accounting_hold_keeps(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _verified(aino, "erasure")
    with django_capture_on_commit_callbacks(execute=True):
        done = rs.request_fulfil(actor=DPO, request_id=request.pk)
    # The worker sends the messages owed; the outbox then forgets the address.
    jobs_run_queued()

    text = _all_text_in_database()
    # The invoice is an accounting voucher: its name and address are kept, nothing else.
    kept = text.replace("Aino Virtanen", "", 1).replace("Kauppakatu 39, 40100 Jyväskylä", "", 1)
    for identifier in (
        "aino.virtanen@example.fi",
        "Virtanen",
        "131052-308T",
        "+358401234567",
        "192.0.2.44",
        "Virtasen Puutarha",
    ):
        assert identifier not in kept, identifier
    certificate = done.result["certificate"]
    assert [k["table"] for k in certificate["kept"]] == ["payment", "invoice"] or {
        k["table"] for k in certificate["kept"]
    } == {"payment", "invoice"}
    assert all(k["until"] == "2031-12-31" for k in certificate["kept"])
    assert "Aino" not in json.dumps(certificate)
    assert "example.fi" not in json.dumps(certificate)
    # The feedback lives on without any link to her; the colleague's note is scrubbed.
    from rekisteri.retention.models import AnonymousContent

    feedback = AnonymousContent.objects.get(kind="feedback")
    assert (
        feedback.texts["text"]
        == "[NIMI] tässä, soittakaa [PUHELIN] tai [SÄHKÖPOSTI]. Raportti oli hyvä."
    )
    assert feedback.values == {"rating": 5, "theme": "raportit"}
    assert feedback.month == dt.date(2025, 3, 1)
    # The last message went out before the address was gone.
    assert any(
        "erased" in m["Subject"] or "poistettu" in m["Subject"] for m in smtp.to(SUBJECT_EMAIL)
    )
    assert AuditEntry.objects.filter(person_id=aino.pk, event="person.erased").exists()


def test_a_forgotten_person_is_flagged_when_imported_again(aino: Subject) -> None:
    from rekisteri.retention.erasure import identifier_suppressed

    request = _verified(aino, "erasure")
    rs.request_fulfil(actor=DPO, request_id=request.pk)

    assert identifier_suppressed("email", "AINO.virtanen@example.fi")
    assert identifier_suppressed("phone", "+358401234567")
    assert not identifier_suppressed("email", "bertta@example.fi")


@pytest.mark.mainioco  # asserts the Finnish words of Mainioco's register
def test_the_data_protection_officer_is_reminded_of_overdue_and_due_soon_requests_once_a_day(
    aino: Subject, smtp: Any
) -> None:
    overdue = _written(aino, "access")  # due 2.3.2026
    with time_machine.travel(dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.UTC), tick=False):
        soon = rs.request_create(
            actor=DPO,
            person_id=aino.pk,
            kind="portability",
            channel="email",
            received_at=dt.datetime(2026, 2, 12, 9, 0, tzinfo=dt.UTC),
        )  # due 12.3.2026
        first = jobs_daily_enqueue()
        again = jobs_daily_enqueue()
        jobs_run_queued()

    assert set(Job.objects.filter(pk__in=first).values_list("name", flat=True)) == {
        "rights.remind",
        "rights.purge",
        "rights.sign_in_upkeep",
        "retention.sweep",
        "consent.transfers_end",
    }
    assert again == []
    [reminder] = smtp.to("asko@mainio.co")
    body = smtp.body(reminder)
    assert f"pyyntö {overdue.pk} (access), eräpäivä 2.3.2026" in body
    assert f"pyyntö {soon.pk} (portability), eräpäivä 12.3.2026" in body


def test_five_wrong_codes_use_the_code_up(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _written(aino, "access")
    with django_capture_on_commit_callbacks(execute=True):
        rs.request_verification_code_send(actor=DPO, request_id=request.pk)
    code = re.search(r"\b(\d{8})\b", smtp.body(smtp.messages[-1])).group(1)  # type: ignore[union-attr]
    wrong = "1" + code[1:] if code[0] != "1" else "2" + code[1:]

    for _ in range(5):
        with pytest.raises(InvalidInput, match="not right"):
            rs.request_verify_code(actor=DPO, request_id=request.pk, code=wrong)
    with pytest.raises(InvalidInput, match="no valid code"):
        rs.request_verify_code(actor=DPO, request_id=request.pk, code=code)
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED


def test_answering_an_answered_request_says_it_was_answered(aino: Subject) -> None:
    request = _written(aino, "objection_direct_marketing")

    with pytest.raises(Conflict, match="has been answered"):
        rs.request_fulfil(actor=DPO, request_id=request.pk)


def test_a_general_objection_upheld_objects_to_every_legitimate_interest_purpose(
    aino: Subject,
) -> None:
    request = _verified(aino, "objection")

    done = rs.request_fulfil(actor=DPO, request_id=request.pk)

    # Art. 21(1) covers what rests on legitimate interest, and only that.
    assert set(done.result["objected_purposes"]) == {
        key
        for key, purpose in policy_get().purposes.items()
        if purpose.legal_basis == LegalBasis.LEGITIMATE_INTEREST
    }
    objected = set(
        ConsentEvent.objects.filter(person_id=aino.pk, action=ConsentAction.OBJECTED).values_list(
            "scope", flat=True
        )
    )
    assert objected == set(done.result["objected_purposes"])
    assert Person.objects.get(pk=aino.pk).restricted_since is None


def test_each_message_owed_is_sent_once_even_when_its_job_runs_again(
    aino: Subject, smtp: Any
) -> None:
    request = _written(aino, "access")
    [received] = SubjectMessage.objects.filter(request=request)
    # Owed in the filing's transaction, with the address it goes to; not yet sent.
    assert received.event == "received"
    assert received.to_address == SUBJECT_EMAIL
    [job] = [j for j in jobs_run_queued() if j.name == "rights.notify"]

    # A worker killed after the mail server took the message, before the job was
    # marked done, runs the job again when its lease runs out.
    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED)
    jobs_run_queued()

    [sent] = smtp.to(SUBJECT_EMAIL)
    received.refresh_from_db()
    assert sent["Message-ID"] == received.message_id
    assert received.sent_at is not None
    assert received.to_address == ""


@pytest.mark.mainioco  # asserts the Finnish words of Mainioco's register
def test_an_erasure_answers_before_its_messages_go_and_they_go_in_the_order_owed(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = _verified(aino, "erasure")
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rs.request_fulfil(actor=DPO, request_id=request.pk)
    # Nothing is sent inside the request that erased: a slow mail server slows no one.
    assert smtp.to(SUBJECT_EMAIL) == []

    jobs_run_queued()

    # "Received" was owed at filing, "erased" at the erasure: both reach the person,
    # in that order, although the address was gone before either was sent.
    subjects = [m["Subject"] for m in smtp.to(SUBJECT_EMAIL)]
    assert subjects == [
        f"Pyyntösi on vastaanotettu ({request.pk})",
        f"Tietosi on poistettu ({request.pk})",
    ]
    assert not SubjectMessage.objects.exclude(to_address="").exists()


def test_a_message_the_mail_server_refuses_for_a_week_is_given_up_and_its_address_blanked(
    aino: Subject, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    request = _written(aino, "access")
    [failed] = [j for j in jobs_run_queued() if j.name == "rights.notify"]
    assert failed.state == JobState.FAILED

    with time_machine.travel(clock.now() + dt.timedelta(days=8), tick=False):
        jobs_daily_enqueue()
        jobs_run_queued()
        # The DPO's self-check tells of it: a message owed was never sent.
        [unsent] = [c for c in compliance_checks() if c.key == "messages.unsent"]

    [message] = SubjectMessage.objects.filter(request=request)
    assert message.sent_at is None
    assert message.abandoned_at is not None
    assert message.to_address == ""
    assert unsent.count == 1
    assert not unsent.ok


def _from_the_portal(aino: Subject, kind: str, **details: Any) -> SubjectRequest:
    return rs.request_create(
        actor=subject_actor(aino.pk, origin="test"),
        person_id=aino.pk,
        kind=kind,
        channel="portal",
        details=details or None,
        verified_by=VerificationMethod.PORTAL_SIGN_IN,
    )


def test_a_self_service_request_that_dies_half_way_leaves_nothing_open(
    aino: Subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A process killed inside the erasure: the filing and its answer are one transaction.
    def killed(**_: Any) -> Any:
        raise SystemExit("killed")

    monkeypatch.setattr(erasure_step, "person_erase", killed)
    with pytest.raises(SystemExit):
        _from_the_portal(aino, "erasure")

    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()
    assert Person.objects.get(pk=aino.pk).erased_at is None

    # The person tries again: nothing open swallows it as a duplicate, and it is answered.
    monkeypatch.undo()
    done = _from_the_portal(aino, "erasure")
    assert done.state == RequestState.FULFILLED
    assert done.duplicate_of is None
    assert Person.objects.get(pk=aino.pk).erased_at is not None


def test_an_erasure_answers_the_persons_other_open_requests(aino: Subject) -> None:
    correction = _verified(aino, "rectification", details={"phone": "040 765 4321"})
    erasure = _from_the_portal(aino, "erasure")

    correction.refresh_from_db()
    assert correction.state == RequestState.FULFILLED
    assert correction.result == {"answered_by": erasure.pk, "erased": True}
    assert not SubjectRequest.objects.filter(person_id=aino.pk, state__in=OPEN_STATES).exists()


def test_two_different_corrections_are_two_requests_and_the_same_one_twice_is_one(
    aino: Subject,
) -> None:
    phone = _from_the_portal(aino, "rectification", phone="040 765 4321")
    email = _from_the_portal(aino, "rectification", email="aino.uusi@example.fi")
    again = _from_the_portal(aino, "rectification", phone="040 765 4321")

    assert email.duplicate_of is None
    assert again.duplicate_of_id == phone.pk
