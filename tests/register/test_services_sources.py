"""Every write names a source the policy lists for the category of the data it stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import InvalidInput, PolicyRefusal
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.importing import people_import
from rekisteri.register.models import EmailAddress, Feedback, Person, PhoneNumber

pytestmark = pytest.mark.django_db


def listed_for(field: str) -> list[str]:
    """The sources the policy lists for the category of ``field``."""
    policy = policy_get()
    category = policy.category_of_field(field)
    if category is None:
        pytest.fail(f"this policy does not collect {field}: mark the test mainioco")
    return list(policy.categories[category].sources)


def not_listed_for(field: str, *, but_for: str | None = None) -> str:
    """A source the policy lists, but not for the category of ``field`` (and, with
    ``but_for``, one it does list for that other field's category)."""
    refused = set(listed_for(field))
    wanted = set(listed_for(but_for)) if but_for else set(policy_get().sources)
    candidates = [key for key in policy_get().sources if key in wanted and key not in refused]
    if not candidates:
        pytest.fail(f"every source this policy lists for {but_for} may write {field}")
    return candidates[0]


def _person(source: str, **extra: object) -> Person:
    return s.person_register(
        actor=SYSTEM,
        source=source,
        person=s.PersonIn(
            first_name="Aino",
            last_name="Virtanen",
            email="aino.virtanen@example.fi",
            **extra,  # type: ignore[arg-type]
        ),
    )


def test_feedback_from_a_source_its_category_does_not_list_is_refused_and_nothing_is_stored() -> (
    None
):
    person = _person(listed_for("person.first_name")[0])
    wrong = not_listed_for("feedback.text")

    with pytest.raises(PolicyRefusal) as refused:
        s.feedback_record(
            actor=SYSTEM, person_id=person.pk, source=wrong, text="Hyvä palvelu", rating=5
        )

    category = policy_get().category_of_field("feedback.text")
    assert refused.value.code == RegisterCode.SOURCE_NOT_ALLOWED
    assert refused.value.data == {
        "field": "source",
        "source": wrong,
        "category": category,
        "written": "feedback.text",
    }
    assert f"'{wrong}'" in refused.value.message
    assert f"'{category}'" in refused.value.message
    # The refusal names keys of the policy, never what was sent.
    assert "Hyvä" not in refused.value.message
    assert not Feedback.objects.exists()


def test_feedback_from_a_source_its_category_lists_is_stored_under_it() -> None:
    person = _person(listed_for("person.first_name")[0])
    source = listed_for("feedback.text")[0]

    row = s.feedback_record(actor=SYSTEM, person_id=person.pk, source=source, rating=4)

    assert Feedback.objects.get(pk=row.pk).source == source


# Marked: a registration writes names, contact details and a year of birth; Norrsken's
# description keeps all it collects of them in one category, under the same sources,
# so no source there may bring one of them but not another.
@pytest.mark.mainioco
def test_a_registration_needs_every_category_it_writes_to_list_the_source() -> None:
    # A source the names may come from, but a year of birth may not.
    source = not_listed_for("person.birth_year", but_for="person.first_name")

    with pytest.raises(PolicyRefusal) as refused:
        _person(source, birth_year=1952)

    assert refused.value.data["written"] == "person.birth_year"
    assert refused.value.data["category"] == policy_get().category_of_field("person.birth_year")
    assert not Person.objects.exists()
    assert not EmailAddress.objects.exists()
    # Without the year, the same source registers the person.
    assert _person(source).source == source


def test_an_unknown_source_is_refused_as_before() -> None:
    with pytest.raises(InvalidInput) as refused:
        _person("gossip")

    assert refused.value.code == RegisterCode.UNKNOWN_SOURCE
    assert not Person.objects.exists()


def test_a_change_of_contact_details_needs_a_source_the_contact_category_lists() -> None:
    person = _person(listed_for("person.first_name")[0])
    wrong = not_listed_for("phone_number.number")

    with pytest.raises(PolicyRefusal) as refused:
        s.person_contact_update(
            actor=SYSTEM, person_id=person.pk, source=wrong, purpose=None, phone="040 123 4567"
        )

    assert refused.value.data["written"] == "phone_number.number"
    assert not PhoneNumber.objects.filter(person=person).exists()


# Marked: a registration writes names, contact details and a year of birth; Norrsken's
# description keeps all it collects of them in one category, under the same sources,
# so no source there may bring one of them but not another.
@pytest.mark.mainioco
def test_an_import_rejects_each_row_whose_data_the_source_may_not_bring(tmp_path: Path) -> None:
    source = not_listed_for("person.birth_year", but_for="person.first_name")
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email,birth_year\n"
        "Aino,Virtanen,aino@example.fi,\n"
        "Eero,Korhonen,eero@example.fi,1970\n",
        encoding="utf-8",
    )

    report = people_import(actor=SYSTEM, path=path, source=source)

    assert (report.read, report.imported) == (2, 1)
    [rejected] = report.rejected
    category = policy_get().category_of_field("person.birth_year")
    assert rejected.line == 3
    assert f"'{source}'" in rejected.reason
    assert f"'{category}'" in rejected.reason
    assert "Eero" not in rejected.reason
    assert "1970" not in rejected.reason
    assert list(Person.objects.values_list("first_name", flat=True)) == ["Aino"]
