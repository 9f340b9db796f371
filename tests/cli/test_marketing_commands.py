"""`rekisteri consent` and `rekisteri marketing`: proof, audience and a campaign by real SMTP."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.register.models import Delivery
from tests import policy_keys as keys
from tests.conftest import SmtpInbox

pytestmark = pytest.mark.django_db


def _person(name: str, *, customer: bool) -> int:
    person = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name=name, last_name="Testinen", email=f"{name.lower()}@example.fi"
        ),
    )
    if customer:
        s.customership_start(actor=SYSTEM, person_id=person.pk, source=keys.service_source())
        if _on_consent_only():
            # Where the company markets only with consent, a customer it mails has given one.
            consent_record(
                actor=SYSTEM,
                person_id=person.pk,
                scope=f"{keys.marketing_purpose()}:email",
                action="granted",
                channel="portal",
                text="Newsletter by e-mail.",
            )
    return person.pk


def _on_consent_only() -> bool:
    return keys.consent_marketing_purpose() == keys.marketing_purpose()


def _basis() -> str:
    """Why a customer who may be mailed may be: the soft opt-in, or their consent."""
    return "consent" if _on_consent_only() else "customer"


def test_consent_proof_exports_every_event_with_the_text_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = _person("Aino", customer=False)
    marketing = keys.marketing_purpose()
    text = tmp_path / "suostumus.txt"
    text.write_text("Saa lähettää minulle uutiskirjeen sähköpostiin.", encoding="utf-8")
    call_command(
        "consent", "record", str(pid), "--scope", f"{marketing}:email", "--choice", "granted",
        "--channel", "letter", "--text-file", str(text),
    )  # fmt: skip
    consent_record(
        actor=SYSTEM,
        person_id=pid,
        scope=marketing,
        action="objected",
        channel="portal",
    )
    capsys.readouterr()
    call_command("consent", "proof", str(pid))
    proof = json.loads(capsys.readouterr().out)
    assert proof["current"] == {marketing: "objected", f"{marketing}:email": "granted"}
    granted, objected = proof["events"]
    assert granted["text"] == "Saa lähettää minulle uutiskirjeen sähköpostiin."
    assert granted["channel"] == "letter"
    assert (objected["action"], objected["text"]) == ("objected", None)

    with pytest.raises(CommandError, match="there is no person"):
        call_command("consent", "proof", "999999")
    with pytest.raises(CommandError, match="a consent needs the text"):
        call_command(
            "consent", "record", str(pid), "--scope", keys.survey_purpose(), "--choice", "granted",
            "--channel", "letter",
        )  # fmt: skip
    assert ConsentEvent.objects.filter(person_id=pid).count() == 2


def test_the_audience_streams_as_csv(capsys: pytest.CaptureFixture[str]) -> None:
    customer = _person("Bertta", customer=True)
    _person("Cecilia", customer=False)
    call_command("marketing", "audience", "--channel", "email")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(int(r["person_id"]), r["address"], r["basis"]) for r in rows] == [
        (customer, "bertta@example.fi", _basis())
    ]


def test_a_campaign_is_mailed_with_a_working_opt_out_and_its_deliveries_recorded(
    smtp: SmtpInbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customer = _person("Bertta", customer=True)
    stranger = _person("Cecilia", customer=False)
    body = tmp_path / "viesti.txt"
    body.write_text("Hei {first_name},\n\nuusi raportointipalvelu on avattu.\n", encoding="utf-8")
    call_command(
        "marketing", "send", "--campaign", "Raportointi 11/2026", "--subject",
        "Uutta Mainiolta", "--body-file", str(body),
    )  # fmt: skip
    assert "Sent 1;" in capsys.readouterr().out
    assert smtp.to("cecilia@example.fi") == []
    (message,) = smtp.to("bertta@example.fi")
    text = smtp.body(message)
    assert text.startswith("Hei Bertta,")
    # The opt-out page in the person's language, the register's own by default.
    opt_out = reverse(f"opt-out-{keys.language()}", args=["t"]).removesuffix("t")
    link = re.search(rf"http\S+{re.escape(opt_out)}\S+", text)
    assert link is not None
    assert str(message["List-Unsubscribe"]).strip() == f"<{link.group(0)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert list(Delivery.objects.values_list("person_id", "campaign", "channel")) == [
        (customer, "Raportointi 11/2026", "email")
    ]

    # The link works without signing in; the next campaign skips her.
    path = "/" + link.group(0).split("/", 3)[3]
    assert Client().post(path).status_code == 200
    assert ConsentEvent.objects.filter(
        person_id=customer, action=ConsentAction.OBJECTED, scope=f"{keys.marketing_purpose()}:email"
    ).exists()
    call_command(
        "marketing", "send", "--campaign", "Joulu 12/2026", "--subject", "Joulu",
        "--body-file", str(body),
    )  # fmt: skip
    assert len(smtp.messages) == 1
    assert Delivery.objects.count() == 1
    assert stranger not in Delivery.objects.values_list("person_id", flat=True)


def test_a_campaign_the_mail_server_did_not_take_is_not_recorded_and_a_rerun_sends_it_once(
    smtp: SmtpInbox, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import free_port

    customer = _person("Bertta", customer=True)
    body = tmp_path / "viesti.txt"
    body.write_text("Hei {first_name}!\n", encoding="utf-8")
    send = (
        "marketing",
        "send",
        "--campaign",
        "Talvi",
        "--subject",
        "Talvi",
        "--body-file",
        str(body),
    )

    settings.EMAIL_PORT = free_port()  # nobody listens: the server is down
    call_command(*send)
    assert "Sent 0;" in capsys.readouterr().out
    assert not Delivery.objects.exists()

    settings.EMAIL_PORT = smtp.port
    call_command(*send)
    call_command(*send)
    out = capsys.readouterr().out
    assert "Sent 1;" in out
    assert "Sent 0; sent before by this campaign 1;" in out
    assert len(smtp.to("bertta@example.fi")) == 1
    assert list(Delivery.objects.values_list("person_id", flat=True)) == [customer]
    with pytest.raises(CommandError, match="subject: one line"):
        call_command(
            "marketing", "send", "--campaign", "X", "--subject", "a\rb", "--body-file", str(body)
        )
