"""Every field that can hold personal data is declared in exactly one policy category."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from rekisteri.policy.loader import PolicyError, load_policy, parse_policy
from rekisteri.policy.selectors import policy_get
from rekisteri.register import catalogue
from rekisteri.register.catalogue import CatalogueGap, catalogue_gaps
from rekisteri.register.models import PersonData


def test_the_data_model_and_mainiocos_policy_agree() -> None:
    assert catalogue_gaps(policy_get()) == []


def test_the_data_model_and_the_swedish_policy_agree_through_what_it_does_not_collect() -> None:
    swedish = load_policy(Path("policies/norrsken.toml")).policy

    assert catalogue_gaps(swedish) == []
    assert "person.personal_identity_code" in swedish.not_collected
    assert swedish.category_of_field("person.personal_identity_code") is None


def test_a_field_both_collected_and_not_collected_is_refused() -> None:
    text = Path("policies/norrsken.toml").read_text(encoding="utf-8")
    birth_year = '"person.birth_year", '
    contradictory = text.replace(birth_year, '"person.first_name", ' + birth_year, 1)

    with pytest.raises(PolicyError) as refused:
        parse_policy(contradictory, source="norrsken.toml")

    assert (
        "not_collected[1]: person.first_name is declared not collected, but category "
        "'contact' collects it"
    ) in refused.value.message


def test_every_personal_data_table_carries_the_person_indexed_and_its_provenance() -> None:
    for model in catalogue.personal_data_models():
        names = {field.name for field in model._meta.concrete_fields}
        assert {"stored_at", "source"} <= names, model.__name__
        if model.__name__ in {"Person", "Organisation"}:
            continue
        person = model._meta.get_field("person")
        assert person.db_index, model.__name__


def test_free_text_fields_are_text_and_indexed_for_the_scrub_on_postgresql(db: None) -> None:
    models_by_key = {catalogue.model_key(m): m for m in catalogue.personal_data_models()}
    for entry in sorted(catalogue.FREE_TEXT_FIELDS):
        key, name = entry.split(".")
        field = models_by_key[key]._meta.get_field(name)
        assert isinstance(field, models.CharField | models.TextField), entry
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
                [models_by_key[key]._meta.db_table],
            )
            definitions = [row[0] for row in cursor.fetchall()]
        # The expression the icontains lookup asks, so the planner can use it.
        expression = re.compile(rf"upper\(\(?{name}\)?(::text)?\) gin_trgm_ops")
        assert any(expression.search(d) for d in definitions), entry


def test_an_undeclared_field_fails_the_catalogue() -> None:
    with isolate_apps("rekisteri.register"):

        class Pet(PersonData):
            name = models.CharField(max_length=50)

            class Meta:
                app_label = "register"

        gaps = _gaps_with_extra_model(Pet)

    assert CatalogueGap("pet.name", "not declared in any category of the policy") in gaps


def test_a_declared_field_that_does_not_exist_fails_the_catalogue(mainioco_text: str) -> None:
    policy = parse_policy(
        mainioco_text.replace('"person.job_title"]', '"person.job_title", "person.shoe_size"]', 1)
    ).policy

    gaps = catalogue_gaps(policy)

    assert gaps == [
        CatalogueGap("person.shoe_size", "declared in the policy, but no such field exists")
    ]


def _gaps_with_extra_model(extra: type[models.Model]) -> list[CatalogueGap]:
    original = catalogue.personal_data_models
    catalogue.personal_data_models = lambda: [*original(), extra]  # type: ignore[assignment]
    try:
        return catalogue_gaps(policy_get())
    finally:
        catalogue.personal_data_models = original  # type: ignore[assignment]
