"""`rekisteri request`: written requests from receipt to answer, ids only on the screen."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from rekisteri.audit.models import AuditEntry
from rekisteri.core import clock
from rekisteri.core.models import Job
from rekisteri.register.models import Person
from rekisteri.rights.models import ExportFile, RequestState, SubjectRequest
from rekisteri.rights.notify import dpo_address
from tests.conftest import rekisteri_command, rekisteri_env
from tests.rights.conftest import SUBJECT_EMAIL, Subject, aino, register_aino

__all__ = ["aino"]

# What the register holds of Aino; none of it belongs on an operator's screen.
PERSONAL = ("Aino", "Virtanen", SUBJECT_EMAIL, "Kauppakatu", "131052-308T", "+358401234567")
TODAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    call_command("request", *args)
    captured = capsys.readouterr()
    return captured.out + captured.err


def created_id(output: str) -> str:
    found = re.search(r"Request (\d+) \(", output)
    assert found, output
    return found.group(1)


def assert_no_personal_data(output: str) -> None:
    leaked = [value for value in PERSONAL if value in output]
    assert leaked == [], output


@time_machine.travel(TODAY, tick=False)
def test_a_written_access_request_is_verified_and_answered_with_its_package(
    aino: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    created = run(
        capsys, "create", "--person", str(aino.pk), "--kind", "access", "--received", "2026-01-31"
    )
    pk = created_id(created)
    verified = run(capsys, "verify", pk, "--note", "signature matches the customer contract")
    fulfilled = run(capsys, "fulfil", pk, "--wait")
    shown = run(capsys, "show", pk)

    # 31.1.2026 + one month -> Saturday 28.2. -> Monday 2.3.2026 (Art. 12(3)).
    assert f"Request {pk} (access) registered: received 2026-01-31, due 2026-03-02." in created
    assert f"Request {pk} is verified" in verified
    request = SubjectRequest.objects.get(pk=pk)
    job = request.result["job"]
    assert f"the worker builds package {request.result['package']} (job {job})" in fulfilled
    assert f"Request {pk} is fulfilled." in fulfilled
    assert request.state == RequestState.FULFILLED
    # A written request's day of receipt is taken at noon where the controller is.
    assert request.received_at == dt.datetime(2026, 1, 31, 12, tzinfo=clock.zone())
    files = set(ExportFile.objects.filter(package__request=request).values_list("name", flat=True))
    assert files == {"access.json", "access.html"}
    assert "access.json (" in fulfilled
    assert "access.html (" in fulfilled
    assert "verification: staff_check" in shown
    assert "verification note: signature matches the customer contract" in shown
    assert AuditEntry.objects.filter(
        actor_kind="system", actor_id="cli", person_id=aino.pk, data__request=int(pk)
    ).exists()
    assert_no_personal_data(created + verified + fulfilled + shown)


@time_machine.travel(TODAY, tick=False)
def test_fulfil_without_wait_leaves_the_package_to_the_worker(
    aino: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    pk = created_id(run(capsys, "create", "--person", str(aino.pk), "--kind", "portability"))
    run(capsys, "verify", pk, "--note", "called back on the number on file")

    fulfilled = run(capsys, "fulfil", pk)

    request = SubjectRequest.objects.get(pk=pk)
    assert request.state == RequestState.VERIFIED
    assert f"(job {request.result['job']})" in fulfilled
    assert Job.objects.get(pk=request.result["job"]).state == "queued"
    assert ExportFile.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_a_code_sent_to_the_address_on_file_verifies_the_request(
    aino: Subject,
    capsys: pytest.CaptureFixture[str],
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    pk = created_id(run(capsys, "create", "--person", str(aino.pk), "--kind", "access"))

    with django_capture_on_commit_callbacks(execute=True):
        sent = run(capsys, "verify", pk, "--send-code")
    [mail] = [m for m in mailoutbox if re.search(r"\b\d{8}\b", m.body)]
    code = re.search(r"\b(\d{8})\b", mail.body)
    assert code
    wrong = "12345678" if code[1] != "12345678" else "87654321"
    with pytest.raises(CommandError, match="the code is not right"):
        call_command("request", "verify", pk, "--code", wrong)
    verified = run(capsys, "verify", pk, "--code", code[1])

    assert mail.to == [SUBJECT_EMAIL]
    assert f"rekisteri request verify {pk} --code CODE" in sent
    assert f"Request {pk} is verified" in verified
    assert SubjectRequest.objects.get(pk=pk).verification_method == "code"
    assert_no_personal_data(sent + verified)


@time_machine.travel(TODAY, tick=False)
def test_show_names_the_proposed_fields_of_a_rectification_but_never_their_values(
    aino: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    pk = created_id(
        run(
            capsys,
            "create",
            "--person",
            str(aino.pk),
            "--kind",
            "rectification",
            "--channel",
            "email",
            "--email",
            "aino.uusi@example.fi",
            "--street",
            "Uusikatu 5",
            "--postal-code",
            "40200",
            "--city",
            "Jyväskylä",
            "--reason",
            "muutin",
        )
    )

    shown = run(capsys, "show", pk)

    assert "details given: address, email, reason" in shown
    assert "restricts processing: yes" in shown  # Art. 18(1)(a), while it is checked
    assert "channel: email" in shown
    for value in ("aino.uusi@example.fi", "Uusikatu", "40200", "Jyväskylä", "muutin"):
        assert value not in shown
    assert SubjectRequest.objects.get(pk=pk).details["address"]["city"] == "Jyväskylä"


def test_contact_data_is_refused_for_a_request_that_is_not_a_rectification(
    aino: Subject,
) -> None:
    with pytest.raises(CommandError, match="belong to a rectification"):
        call_command(
            "request", "create", "--person", str(aino.pk), "--kind", "access", "--phone", "0401"
        )

    assert SubjectRequest.objects.count() == 0


@time_machine.travel(TODAY, tick=False)
def test_an_erasure_prints_its_certificate_and_the_recipients_to_tell(
    aino: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    pk = created_id(run(capsys, "create", "--person", str(aino.pk), "--kind", "erasure"))
    run(capsys, "verify", pk, "--note", "letter signed, matches the contract")

    fulfilled = run(capsys, "fulfil", pk)

    assert f"Request {pk} is fulfilled." in fulfilled
    assert "erasure certificate:" in fulfilled
    assert f"person_id: {aino.pk}" in fulfilled
    assert "recipients to tell (Art. 19): 1" in fulfilled
    assert "processors on 2025-04-01 (contact)" in fulfilled
    assert_no_personal_data(fulfilled)


@pytest.mark.django_db(transaction=True)
def test_a_bad_kind_or_an_unknown_request_is_a_clear_error_without_a_traceback() -> None:
    from rekisteri.policy.selectors import policy_loaded
    from rekisteri.policy.services import notice_version_record

    notice_version_record(loaded=policy_loaded())
    aino = register_aino()

    def rekisteri(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            rekisteri_command("request", *args),
            env=rekisteri_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )

    bad_kind = rekisteri("create", "--person", str(aino.pk), "--kind", "gossip")
    unknown = rekisteri("show", "999999")
    unknown_person = rekisteri("create", "--person", "999999", "--kind", "access")
    pk = created_id(rekisteri("create", "--person", str(aino.pk), "--kind", "access").stdout)
    unverified = rekisteri("fulfil", pk)

    assert bad_kind.returncode == 2
    assert "argument --kind: invalid choice: 'gossip'" in bad_kind.stderr
    assert unknown.returncode == 2
    assert "there is no request 999999" in unknown.stderr
    assert unknown_person.returncode == 2
    assert "there is no person 999999" in unknown_person.stderr
    assert unverified.returncode == 1
    assert "verify the requester's identity first" in unverified.stderr
    for result in (bad_kind, unknown, unknown_person, unverified):
        assert "Traceback" not in result.stderr
    assert SubjectRequest.objects.get().state == RequestState.RECEIVED


def test_a_request_received_in_the_future_is_refused(aino: Subject) -> None:
    with pytest.raises(CommandError, match="registered after it arrived") as refused:
        call_command(
            "request",
            "create",
            "--person",
            str(aino.pk),
            "--kind",
            "access",
            "--received",
            "2999-01-01",
        )

    assert refused.value.returncode == 1
    assert SubjectRequest.objects.count() == 0


def _listed(output: str) -> dict[str, list[str]]:
    rows = [line.split("\t") for line in output.splitlines()[1:]]
    return {row[0]: row for row in rows}


def test_the_list_flags_overdue_due_soon_duplicate_and_extended_requests(
    aino: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    person = str(aino.pk)
    with time_machine.travel(dt.datetime(2026, 1, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        # Due 1.1.2027 is New Year's Day: the next working day, Friday 2.1.
        overdue = created_id(
            run(
                capsys, "create", "--person", person, "--kind", "access", "--received", "2025-12-01"
            )
        )
        soon = created_id(
            run(
                capsys,
                "create",
                "--person",
                person,
                "--kind",
                "portability",
                "--received",
                "2025-12-22",
            )
        )
        duplicate = created_id(
            run(capsys, "create", "--person", person, "--kind", "access", "--channel", "email")
        )
        extended = created_id(
            run(
                capsys,
                "create",
                "--person",
                person,
                "--kind",
                "restriction",
                "--received",
                "2026-01-10",
            )
        )
        extension = run(capsys, "extend", extended, "--months", "2", "--reason", "a complex case")
        refused = created_id(
            run(capsys, "create", "--person", str(aino.other.pk), "--kind", "deletion")
        )
        rejected = run(
            capsys, "reject", refused, "--reason", "the requester could not be identified"
        )

        listed = run(capsys, "list")
        everything = run(capsys, "list", "--all")

    rows = _listed(listed)
    assert listed.splitlines()[0] == "id\tkind\tstate\tchannel\treceived\tdue\tflags"
    assert list(rows) == [overdue, soon, duplicate, extended]  # by due date
    assert rows[overdue][4:] == ["2025-12-01", "2026-01-02", "OVERDUE"]
    assert rows[soon][4:] == ["2025-12-22", "2026-01-22", "due-within-7-days"]
    assert rows[duplicate][6] == f"duplicate-of:{overdue}"
    assert rows[extended][5:] == ["2026-04-10", "extended"]
    assert f"Request {extended} is now due 2026-04-10 (was 2026-02-10)" in extension
    assert f"Request {refused} is rejected" in rejected
    assert refused not in rows
    assert _listed(everything)[refused][2] == "rejected"
    assert_no_personal_data(listed + everything)


def test_an_empty_queue_says_so(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "list").strip() == "No open requests."


def test_remind_tells_the_data_protection_officer_what_is_overdue(
    aino: Subject, capsys: pytest.CaptureFixture[str], mailoutbox: list[Any]
) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        run(
            capsys,
            "create",
            "--person",
            str(aino.pk),
            "--kind",
            "access",
            "--received",
            "2025-12-01",
        )
        mailoutbox.clear()

        queued = run(capsys, "remind")
        sent = run(capsys, "remind", "--wait")

    assert re.search(r"queued as job \d+", queued)
    assert "Sent: 0 due within 7 days, 1 overdue." in sent
    assert [m.to for m in mailoutbox] == [[dpo_address()]]
    assert Job.objects.filter(name="rights.remind").count() == 2


def test_remind_with_nothing_due_sends_nothing(
    db: None, capsys: pytest.CaptureFixture[str], mailoutbox: list[Any]
) -> None:
    sent = run(capsys, "remind", "--wait")

    assert "no reminder was needed" in sent
    assert mailoutbox == []


def test_lift_ends_a_restriction_the_person_asked_for(
    aino: Subject, capsys: pytest.CaptureFixture[str]
) -> None:
    pk = created_id(run(capsys, "create", "--person", str(aino.pk), "--kind", "restriction"))
    run(capsys, "verify", pk, "--note", "asked in person at the office")
    run(capsys, "fulfil", pk)
    assert Person.objects.get(pk=aino.pk).restricted_since is not None

    lifted = run(capsys, "lift", pk)

    assert f"The restriction of request {pk} is lifted" in lifted
    assert Person.objects.get(pk=aino.pk).restricted_since is None
    with pytest.raises(CommandError, match="already lifted"):
        call_command("request", "lift", pk)


@time_machine.travel(TODAY, tick=False)
def test_a_forgotten_person_is_flagged_when_an_old_list_brings_them_back(
    aino: Subject, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pk = created_id(run(capsys, "create", "--person", str(aino.pk), "--kind", "erasure"))
    run(capsys, "verify", pk, "--note", "letter signed, matches the contract")
    run(capsys, "fulfil", pk)
    old_list = tmp_path / "old.csv"
    old_list.write_text(
        "first_name,last_name,email,phone\n"
        "Aino,Virtanen,AINO.VIRTANEN@Example.FI,\n"  # the address, written differently
        "A.,Virtanen,,+358 40 123 4567\n"  # the number, written differently
        "Uusi,Asiakas,uusi.asiakas@example.fi,\n",
        encoding="utf-8",
    )

    with pytest.raises(SystemExit) as exited:
        call_command("import", "people", str(old_list), "--source", "customer_service")
    captured = capsys.readouterr()

    reason = (
        "this person asked to be forgotten (suppression list); import them by hand if they "
        "came back"
    )
    assert exited.value.code == 1
    assert f"2 rows: {reason} (lines 2, 3)" in captured.err
    assert "1 imported, 2 rejected, 3 rows read from old.csv." in captured.out
    assert list(
        Person.objects.filter(erased_at__isnull=True)
        .order_by("pk")
        .values_list("last_name", flat=True)
    ) == [
        "Korhonen",
        "Asiakas",
    ]


def test_a_date_that_does_not_exist_is_named_and_nothing_is_registered(aino: Subject) -> None:
    result = subprocess.run(
        rekisteri_command(
            "request",
            "create",
            "--person",
            str(aino.pk),
            "--kind",
            "access",
            "--received",
            "2026-02-31",
        ),
        env=rekisteri_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "'2026-02-31' is not a date; give one as YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr
    assert not SubjectRequest.objects.exists()
