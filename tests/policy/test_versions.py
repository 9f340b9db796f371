"""Each distinct policy content becomes a notice version; changes read as words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from rekisteri.policy.loader import parse_policy
from rekisteri.policy.selectors import notice_versions_list
from rekisteri.policy.services import notice_version_record

pytestmark = pytest.mark.django_db


def _with_longer_retention(text: str) -> str:
    text = text.replace("months = 24\n", "months = 36\n", 1)
    return text.replace(
        "[sources.other]",
        '[sources.credit_bureau]\nname = { fi = "luottotietoyhtiö", en = "credit bureau" }\n'
        'kind = "third_party"\n\n'
        "[sources.other]",
        1,
    )


def test_loading_the_same_policy_twice_makes_one_version(mainioco_text: str) -> None:
    loaded = parse_policy(mainioco_text)

    with time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)):
        first, created_first = notice_version_record(loaded=loaded)
    second, created_second = notice_version_record(loaded=parse_policy("# same\n" + mainioco_text))

    assert (first.number, created_first) == (1, True)
    assert (second.number, created_second) == (1, False)
    assert first.effective_on == dt.date(2026, 3, 2)


def test_a_change_and_a_return_are_each_a_new_version(mainioco_text: str) -> None:
    notice_version_record(loaded=parse_policy(mainioco_text))
    changed, _ = notice_version_record(loaded=parse_policy(_with_longer_retention(mainioco_text)))
    back, _ = notice_version_record(loaded=parse_policy(mainioco_text))

    assert [v.number for v in notice_versions_list()] == [1, 2, 3]
    assert changed.content_hash != back.content_hash
    assert back.content_hash == notice_versions_list()[0].content_hash


@pytest.mark.mainioco  # Mainioco's own notice, in its words
def test_diff_says_what_changed_in_finnish_and_english(
    mainioco_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notice_version_record(loaded=parse_policy(mainioco_text))
    notice_version_record(loaded=parse_policy(_with_longer_retention(mainioco_text)))

    call_command("notice", "diff", "1", "2")
    finnish = capsys.readouterr().out
    call_command("notice", "diff", "1", "2", "--lang", "en")
    english = capsys.readouterr().out

    assert "- Säilytyssääntö “asiakastiedot”: säilytysaika kuukausina muutettu: 24 → 36" in finnish
    assert "- Lisätty tietolähde “luottotietoyhtiö”" in finnish
    assert "- Retention rule “customer data”: months changed from 24 to 36" in english
    assert "- Added source “credit bureau”" in english
    assert finnish.count("\n") == 2


def test_versions_are_listed_with_their_dates(
    mainioco_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        notice_version_record(loaded=parse_policy(mainioco_text))
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)):
        notice_version_record(loaded=parse_policy(_with_longer_retention(mainioco_text)))

    call_command("notice", "versions")

    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["1", "2026-01-05"], ["2", "2026-06-01"]]


def test_diff_of_an_unknown_version_is_a_clear_error(mainioco_text: str) -> None:
    notice_version_record(loaded=parse_policy(mainioco_text))

    with pytest.raises(CommandError, match="there is no notice version 7"):
        call_command("notice", "diff", "1", "7")


def test_setup_records_the_configured_policy_once(
    settings: object, tmp_path: Path, mainioco_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("setup")
    call_command("setup")

    out = capsys.readouterr().out
    assert "notice version 1 (recorded as new" in out
    assert "notice version 1 (unchanged" in out
    assert len(notice_versions_list()) == 1


@pytest.mark.mainioco  # Mainioco's own notice, in its words
def test_diff_names_references_and_meanings_not_keys(
    mainioco_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notice_version_record(loaded=parse_policy(mainioco_text))
    research = 'en = "opinion polls and market research" }\n'
    changed = mainioco_text.replace(
        research + 'legal_basis = "consent"',
        research + 'legal_basis = "legitimate_interest"\n'
        'legitimate_interest = { fi = "Tutkimusetu.", en = "Research interest." }',
    ).replace(
        'sources = ["subject", "research"]',
        'sources = ["subject", "research", "customer_service"]',
        1,
    )
    notice_version_record(loaded=parse_policy(changed))

    call_command("notice", "diff", "1", "2")
    finnish = capsys.readouterr().out

    assert (
        "Käyttötarkoitus “mielipide- ja markkinatutkimukset”: oikeusperuste muutettu: "
        "suostumus (tietosuoja-asetuksen 6 art. 1 kohdan a alakohta) → oikeutettu etu "
        "(tietosuoja-asetuksen 6 art. 1 kohdan f alakohta)" in finnish
    )
    assert (
        "Tietoryhmä “asiakkaan itse tuottama sisältö kuten asiakaspalaute”: tietolähteet "
        "muutettu: “asiakas itse”, “tuote- ja palvelukehitys, tutkimukset ja kyselyt” → "
        "“asiakas itse”, “tuote- ja palvelukehitys, tutkimukset ja kyselyt”, “asiakaspalvelu”"
        in finnish
    )
    assert "legal_basis" not in finnish
    assert "legitimate_interest" not in finnish


@pytest.mark.mainioco  # Mainioco's own notice, in its words
def test_an_old_version_can_be_shown_whole(
    mainioco_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notice_version_record(loaded=parse_policy(mainioco_text))
    notice_version_record(loaded=parse_policy(_with_longer_retention(mainioco_text)))

    call_command("notice", "show", "1")

    shown = capsys.readouterr().out
    assert "24 kuukautta asiakkuuden päättymisestä" in shown
    assert "versio 1" in shown
