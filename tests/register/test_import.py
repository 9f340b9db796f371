"""`rekisteri import people`: valid rows in, each bad row named by line, nothing half-done."""

from __future__ import annotations

import csv
import io
import json
import stat
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import InvalidInput
from rekisteri.register.importing import people_import
from rekisteri.register.models import EmailAddress, Person, PhoneNumber, PostalAddress
from rekisteri.register.services import PersonIn, person_register
from tests import policy_keys as keys
from tests.conftest import rekisteri_command, rekisteri_env

HEADER = "first_name,last_name,email,phone,street_address,postal_code,city\n"
GOOD = [
    "Aino,Virtanen,aino@example.fi,040 123 4567,Kauppakatu 1,40100,Jyväskylä",
    "Eero,Korhonen,eero@example.fi,,,,",
]


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_valid_rows_are_imported_with_their_contact_data_and_source(
    tmp_path: Path, in_finland: Path
) -> None:
    report = people_import(
        actor=SYSTEM, path=_csv(tmp_path, *GOOD), source=keys.third_party_source()
    )

    assert (report.read, report.imported, report.rejected) == (2, 2, [])
    aino = Person.objects.get(first_name="Aino")
    assert aino.source == keys.third_party_source()
    assert PhoneNumber.objects.get(person=aino).number == "+358401234567"
    assert PostalAddress.objects.get(person=aino).postal_code == "40100"
    assert EmailAddress.objects.count() == 2


@pytest.mark.django_db
def test_each_rejected_row_is_reported_by_line_and_the_rest_are_imported(
    tmp_path: Path, in_finland: Path
) -> None:
    path = _csv(
        tmp_path,
        GOOD[0],
        "Bad,Email,not-an-email,,,,",
        "Bad,Phone,bad@example.fi,123,,,",
        ",Nameless,nameless@example.fi,,,,",
        "Dup,Licate,AINO@example.fi,,,,",
        "Bad,Postcode,pc@example.fi,,Katu 1,401,Oulu",
        GOOD[1],
    )

    report = people_import(actor=SYSTEM, path=path, source=keys.subject_source())

    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "email: is not a valid e-mail address"),
        (4, "phone: is not a valid phone number"),
        (5, "first_name: is required"),
        (6, "email: duplicate of line 2"),
        (7, "address.postal_code: is not a Finnish postal code (five digits)"),
    ]
    assert report.imported == 2
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_people_already_in_the_register_are_not_imported_again(tmp_path: Path) -> None:
    person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Aino", last_name="V", email="Aino@Example.fi"),
    )

    report = people_import(actor=SYSTEM, path=_csv(tmp_path, *GOOD), source=keys.subject_source())

    assert [(r.line, r.reason) for r in report.rejected] == [(2, "email: already registered")]
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_atomic_import_writes_nothing_when_one_row_is_bad(tmp_path: Path) -> None:
    path = _csv(tmp_path, *GOOD, "Bad,Email,nope,,,,")

    with pytest.raises(CommandError, match=r"nothing imported: 1 of 3 rows were rejected"):
        call_command("import", "people", str(path), "--source", "subject", "--atomic")

    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_jsonl_rows_are_validated_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    # A year of birth where the description collects one; else an e-mail address,
    # which every description collects: a value checked by the field's own rule.
    if keys.collects("person.birth_year"):
        good, bad, why = (
            {"birth_year": 1980},
            {"birth_year": 1850},
            "is not a plausible year of birth",
        )
    else:
        good, bad, why = (
            {"email": "aino@example.com"},
            {"email": "nope"},
            "is not a valid e-mail address",
        )
    field = next(iter(bad))
    lines = [
        json.dumps({"first_name": "Aino", "last_name": "V", **good}),
        "{not json",
        json.dumps({"first_name": "Eero", "last_name": "K", "shoe_size": 44}),
        json.dumps(["a", "list"]),
        json.dumps({"first_name": "Eero", "last_name": "K", **bad}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = people_import(actor=SYSTEM, path=path, source=keys.subject_source())

    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "is not valid JSON"),
        (3, "has unknown keys ['shoe_size']"),
        (4, "is not a JSON object"),
        (5, f"{field}: {why}"),
    ]
    person = Person.objects.get()
    if field == "birth_year":
        assert person.birth_year == 1980
    else:
        assert EmailAddress.objects.get(person=person).address == "aino@example.com"


@pytest.mark.django_db
def test_unknown_source_or_header_refuses_the_whole_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown source 'gossip'"):
        people_import(actor=SYSTEM, path=_csv(tmp_path, *GOOD), source="gossip")
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("etunimi,sukunimi\nAino,V\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"header of known, distinct columns \(2 unknown"):
        people_import(actor=SYSTEM, path=bad_header, source=keys.subject_source())
    assert Person.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_command_lists_rejections_and_exits_non_zero(tmp_path: Path) -> None:
    path = _csv(tmp_path, *GOOD, "Bad,Email,nope,,,,")

    result = subprocess.run(
        rekisteri_command("import", "people", str(path), "--source", "subject"),
        env=rekisteri_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "1 row: email: is not a valid e-mail address (line 4)" in result.stderr
    assert "2 imported, 1 rejected, 3 rows read from people.csv." in result.stdout
    assert "nope" not in result.stderr
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_many_rejections_are_summarised_by_reason_and_written_out_when_asked(
    tmp_path: Path,
) -> None:
    bad_emails = [f"Bad,Email{i},nope{i},,,," for i in range(40)]
    path = _csv(tmp_path, *GOOD, *bad_emails, ",Nameless,n@example.fi,,,,")
    rejected = tmp_path / "rejected.csv"
    err = io.StringIO()

    with pytest.raises(SystemExit):
        call_command(
            "import", "people", str(path), "--source", "subject",
            "--rejected", str(rejected), stderr=err,
        )  # fmt: skip

    said = err.getvalue().splitlines()
    # One line per reason, the commonest first, with its first lines: not one per row.
    assert said[0] == "40 rows: email: is not a valid e-mail address (lines 4, 5, 6, 7, 8, …)"
    assert said[1].startswith("1 row: first_name: ")
    assert said[1].endswith("(line 44)")
    assert not any("nope" in line for line in said)
    rows = list(csv.reader(rejected.open(encoding="utf-8")))
    assert rows[0][:3] == ["line", "reason", "first_name"]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(4, 45)]
    assert rows[1][1:5] == ["email: is not a valid e-mail address", "Bad", "Email0", "nope0"]
    assert stat.S_IMODE(rejected.stat().st_mode) == 0o600
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_rows_split_over_several_batches_each_get_their_own_person(tmp_path: Path) -> None:
    lines = [f"Henkilö,Numero{i},h{i}@example.fi,,,," for i in range(7)]

    report = people_import(
        actor=SYSTEM, path=_csv(tmp_path, *lines), source=keys.subject_source(), batch_size=3
    )

    assert report.imported == 7
    pairs = {(e.person.last_name, e.address) for e in EmailAddress.objects.select_related("person")}
    assert pairs == {(f"Numero{i}", f"h{i}@example.fi") for i in range(7)}
    assert Person.objects.values("pseudonym").distinct().count() == 7


@pytest.mark.django_db
def test_a_row_with_text_no_database_can_store_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(
        '{"first_name": "A\\u0000ino", "last_name": "V"}\n'
        '{"first_name": "Eero", "last_name": "K\\ud800"}\n'
        '{"first_name": "Helmi", "last_name": "L"}\n',
        encoding="utf-8",
    )

    report = people_import(actor=SYSTEM, path=path, source=keys.subject_source())

    assert [(r.line, r.reason) for r in report.rejected] == [
        (1, "first_name: contains characters that cannot be stored"),
        (2, "last_name: contains characters that cannot be stored"),
    ]
    assert Person.objects.get().first_name == "Helmi"


@pytest.mark.django_db
def test_a_file_without_a_header_is_refused_without_repeating_its_data(tmp_path: Path) -> None:
    path = tmp_path / "headerless.csv"
    path.write_text("Matti,Virtanen,matti@example.fi\n", encoding="utf-8")

    with pytest.raises(InvalidInput) as refused:
        people_import(actor=SYSTEM, path=path, source=keys.subject_source())

    assert "matti" not in refused.value.message.lower()


@pytest.mark.django_db
def test_repeated_columns_and_broken_quoting_refuse_the_file(tmp_path: Path) -> None:
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("first_name,last_name,first_name\nA,B,C\n", encoding="utf-8")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('first_name,last_name\n"Aino,V\nEero,K\n', encoding="utf-8")

    with pytest.raises(InvalidInput, match="1 repeated"):
        people_import(actor=SYSTEM, path=repeated, source=keys.subject_source())
    with pytest.raises(InvalidInput, match="not well-formed CSV"):
        people_import(actor=SYSTEM, path=quoted, source=keys.subject_source())
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_odd_files_and_values_are_reasons_not_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    path = tmp_path / "odd.jsonl"
    path.write_text(
        '{"first_name": "A", "last_name": "B", "birth_year": "\u00b2"}\n'
        '{"first_name": ' + "1" * 5000 + "}\n" + "[" * 100000 + "]" * 100000 + "\n"
        '{"first_name": "A", "last_name": "B", "matti@example.fi": 1}\n',
        encoding="utf-8",
    )

    with pytest.raises(InvalidInput, match=r"cannot read dir\.csv"):
        people_import(actor=SYSTEM, path=tmp_path / "dir.csv", source=keys.subject_source())
    report = people_import(actor=SYSTEM, path=path, source=keys.subject_source())

    assert [(r.line, r.reason) for r in report.rejected] == [
        (1, "birth_year: must be a year"),
        (2, "is not valid JSON"),
        (3, "is not valid JSON"),
        (4, "has 1 unknown keys"),
    ]


@pytest.mark.django_db
def test_a_rejected_file_that_cannot_be_written_is_refused_before_anything_is_imported(
    tmp_path: Path,
) -> None:
    path = _csv(tmp_path, *GOOD, "Bad,Email,nope,,,,")

    with pytest.raises(CommandError, match="--rejected: cannot write a file at"):
        call_command(
            "import", "people", str(path), "--source", "subject",
            "--rejected", str(tmp_path / "missing" / "rejected.csv"),
        )  # fmt: skip

    assert Person.objects.count() == 0
