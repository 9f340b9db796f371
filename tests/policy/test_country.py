"""The controller's country decides its business id, postal code, holidays and zone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from rekisteri.policy.loader import PolicyError, parse_policy
from rekisteri.policy.services import notice_version_record
from tests import policy_keys as keys
from tests.conftest import rekisteri_command, rekisteri_env
from tests.countries import FINNISH, GERMAN, SWEDISH, policy_file, with_controller


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the policy")


def test_a_hamburg_company_with_its_register_number_is_accepted(mainioco_text: str) -> None:
    policy = parse_policy(with_controller(mainioco_text, GERMAN)).policy

    assert policy.controller.country == "DE"
    assert policy.controller.business_id == "Hamburg HRB 12345"
    assert policy.controller.postal_code == "22767"
    assert policy.controller.subdivision == "HH"


def test_a_german_company_may_give_its_vat_number_instead(mainioco_text: str) -> None:
    text = with_controller(mainioco_text, GERMAN | {"business_id": "DE136695976"})

    assert parse_policy(text).policy.controller.business_id == "DE136695976"


def test_a_swedish_company_with_its_organisation_number_is_accepted(mainioco_text: str) -> None:
    policy = parse_policy(with_controller(mainioco_text, SWEDISH)).policy

    assert policy.controller.business_id == "556036-0793"
    assert policy.controller.postal_code == "114 55"
    assert policy.controller.time_zone is None


# Each case: the controller, the key the refusal names, and words of its message.
REFUSED = [
    pytest.param(
        GERMAN | {"business_id": "2817330-9"},
        "business_id",
        "'2817330-9' is not a German business id (Handelsregisternummer or VAT number): "
        "expected Hamburg HRB 12345, or DE123456789",
        id="finnish-business-id-for-a-german-company",
    ),
    pytest.param(
        GERMAN | {"business_id": "DE136695977"},
        "business_id",
        "'DE136695977' is not a valid German business id (Handelsregisternummer or VAT number): "
        "the check digit does not match",
        id="german-vat-number-with-a-bad-check-digit",
    ),
    pytest.param(
        SWEDISH | {"business_id": "556036-0794"},
        "business_id",
        "'556036-0794' is not a valid Swedish business id (Orgnr or VAT number): the check",
        id="swedish-organisation-number-with-a-bad-check-digit",
    ),
    pytest.param(
        GERMAN | {"postal_code": "2276"},
        "postal_code",
        "'2276' is not a German postal code (five digits)",
        id="german-postal-code-of-four-digits",
    ),
    pytest.param(
        SWEDISH | {"postal_code": "1145"},
        "postal_code",
        "'1145' is not a Swedish postal code (NNN NN)",
        id="swedish-postal-code-too-short",
    ),
    pytest.param(
        GERMAN | {"subdivision": "HX"},
        "subdivision",
        "'HX' is not a subdivision of 'DE' (known: ",
        id="unknown-german-state",
    ),
    pytest.param(
        SWEDISH | {"time_zone": "Europe/Gothenburg"},
        "time_zone",
        "'Europe/Gothenburg' is not an IANA time zone",
        id="unknown-time-zone",
    ),
    pytest.param(
        SWEDISH | {"country": "US"},
        "country",
        "'US' is not a country the register serves: give an EU/EEA state",
        id="country-outside-the-eea",
    ),
]


@pytest.mark.parametrize(("controller", "key", "words"), REFUSED)
def test_a_controller_breaking_its_country_s_rules_is_refused_naming_file_line_and_key(
    mainioco_text: str, controller: dict[str, str], key: str, words: str
) -> None:
    text = with_controller(mainioco_text, controller)
    line = _line_of(text, f"{key} = ")

    with pytest.raises(PolicyError) as refused:
        parse_policy(text, source="company.toml")

    assert f"company.toml:{line}: controller.{key}: {words}" in refused.value.message


@pytest.mark.parametrize(
    ("controller", "zone"),
    [
        pytest.param(FINNISH, "Europe/Helsinki", id="finnish-by-its-capital"),
        pytest.param(GERMAN, "Europe/Berlin", id="german-by-its-capital"),
        pytest.param(SWEDISH, "Europe/Stockholm", id="swedish-by-its-capital"),
        pytest.param(SWEDISH | {"time_zone": "Europe/Helsinki"}, "Europe/Helsinki", id="stated"),
    ],
)
def test_the_register_keeps_its_dates_in_the_controller_s_time_zone(
    tmp_path: Path, controller: dict[str, str], zone: str
) -> None:
    env = rekisteri_env(REKISTERI_POLICY=str(policy_file(tmp_path, controller)))
    script = "from django.conf import settings; print(settings.TIME_ZONE)"

    shown = subprocess.run(
        [*rekisteri_command("shell", "--no-imports", "-c", script)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    assert shown.stdout.strip() == zone


def test_a_description_silent_on_region_and_zone_keeps_its_notice_version(
    mainioco_text: str,
) -> None:
    # Descriptions written before the keys existed hash as they did: no new version.
    canonical = parse_policy(mainioco_text).canonical

    assert set(canonical["controller"]).isdisjoint({"subdivision", "time_zone"})


@pytest.mark.django_db
def test_stating_a_time_zone_is_a_change_the_diff_names(
    mainioco_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stated = mainioco_text.replace(
        'country = "FI"\n', 'country = "FI"\ntime_zone = "Europe/Mariehamn"\n'
    )
    notice_version_record(loaded=parse_policy(mainioco_text))
    notice_version_record(loaded=parse_policy(stated))

    call_command("notice", "diff", "1", "2")

    assert keys.words(gettext_lazy("time zone")) in capsys.readouterr().out
