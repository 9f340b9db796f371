"""Which fields of the data model hold personal data, and whether the policy declares them.

Every field of every model in the personal-data apps must be declared in
exactly one category of the policy (notice §5); a category must not name a
field that does not exist. Erasure and export are driven by these
declarations, so an undeclared field would be a field no one erases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import Q

from rekisteri.policy.schema import Policy

# The apps whose tables hold personal data.
PERSONAL_DATA_APPS = ("register", "consent")
# Tables of those apps that are not about a person of the register: the texts
# people were shown (no one's data), and web site visitors' cookie choices
# (a random visitor id, never linked to a person; kept by their own rule).
NOT_PERSON_TABLES = frozenset({"consent.ConsentText", "consent.CookieDecision"})
# Keys, not data: the row's own id and the link to its person.
KEY_FIELDS = frozenset({"id", "person"})
# Provenance columns every personal-data table carries, declared once as "*.<field>".
PROVENANCE_FIELDS = frozenset({"stored_at", "source"})
# Fields the register sets itself on a row, whatever source the row came from: the
# pseudonym, when the person proved an address theirs, a restriction, an erasure.
REGISTER_SET_FIELDS = frozenset(
    {"person.pseudonym", "person.restricted_since", "person.erased_at", "email_address.verified_at"}
)
# Text that people write (staff notes, customers' messages), which may name
# someone else; forgetting a person scrubs them from these fields of others'
# rows. Machine-written text (URLs visited, user agents, event details) and
# identifiers (addresses, tokens) cannot mention another person and are left out.
# On PostgreSQL each has a trigram index (migration 0006) so the scrub is no scan.
FREE_TEXT_FIELDS = frozenset(
    {
        "customership.end_reason",
        "contact_event.summary",
        "feedback.text",
        "service_case.subject",
        "service_case.description",
        "service_case.resolution",
        "user_content.title",
        "user_content.body",
        "user_content.url",
        "rectification.reason",
    }
)

# Fields no register can leave uncollected, whatever its description says: the
# register works by them, and the rights of the law rest on them.
_LEDGER = "the consent ledger proves consents and keeps objections (GDPR Art. 7(1), 21)"
_EMAIL_CHANGE = "a change of e-mail address by someone else can be undone only through it"
_RECTIFICATION = "a correction is kept with its reason (GDPR Art. 16)"
NEEDED_FIELDS: dict[str, str] = {
    "person.first_name": "a person is registered by name",
    "person.last_name": "a person is registered by name",
    "person.restricted_since": "a restriction of processing is kept there (GDPR Art. 18)",
    "person.erased_at": "a forgotten person's records under a legal hold are linked by it",
    **{
        f"consent_event.{name}": _LEDGER
        for name in ("scope", "action", "channel", "text_hash", "notice_version", "occurred_at")
    },
    **{f"email_change.{name}": _EMAIL_CHANGE for name in ("new_email_row", "state", "decided_at")},
    **{f"rectification.{name}": _RECTIFICATION for name in ("field", "reason", "made_by")},
}


def model_key(model: type[models.Model]) -> str:
    """The name a policy uses for a model: its class name in snake case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def personal_data_models() -> list[type[models.Model]]:
    return [
        model
        for label in PERSONAL_DATA_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label not in NOT_PERSON_TABLES
    ]


def model_fields(model: type[models.Model]) -> list[str]:
    """The data-bearing fields of ``model`` as "<model>.<field>"."""
    key = model_key(model)
    return [
        f"{key}.{field.name}"
        for field in model._meta.concrete_fields
        if field.name not in KEY_FIELDS
    ]


def model_categories(model: type[models.Model], policy: Policy) -> list[str]:
    """The policy categories a model's data fields belong to (provenance aside)."""
    found = {
        category
        for field in model_fields(model)
        if field.split(".", 1)[1] not in PROVENANCE_FIELDS
        and (category := policy.category_of_field(field)) is not None
    }
    return sorted(found)


@dataclass(frozen=True)
class CatalogueGap:
    field: str
    problem: str


def catalogue_gaps(policy: Policy) -> list[CatalogueGap]:
    """Return every field the policy misses and every declaration the model lacks."""
    declared = {field for category in policy.categories.values() for field in category.fields}
    gaps: list[CatalogueGap] = [
        CatalogueGap(field, f"the register cannot work without collecting it: {why}")
        for field in policy.not_collected
        if (why := NEEDED_FIELDS.get(field))
    ]
    # A field the controller declares it does not collect is accounted for too.
    declared |= set(policy.not_collected)
    existing: set[str] = set()
    for model in personal_data_models():
        for field in model_fields(model):
            existing.add(field)
            name = field.split(".", 1)[1]
            if name in PROVENANCE_FIELDS:
                if f"*.{name}" not in declared:
                    gaps.append(CatalogueGap(field, "provenance field not declared as *." + name))
            elif field not in declared:
                gaps.append(CatalogueGap(field, "not declared in any category of the policy"))
    for field in sorted(declared):
        model_name, name = field.split(".", 1)
        if model_name == "*":
            if name not in PROVENANCE_FIELDS:
                gaps.append(CatalogueGap(field, "no such provenance field"))
        elif field not in existing:
            gaps.append(CatalogueGap(field, "declared in the policy, but no such field exists"))
    return gaps


def _holds(field: models.Field[object, object]) -> Q:
    """The rows in which ``field`` holds a value."""
    held = Q(**{f"{field.name}__isnull": False})
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        held &= ~Q(**{field.name: ""})
    return held


def rows_with_unlisted_source(policy: Policy) -> dict[str, int]:
    """Per table, the rows stored under a source that the policy does not list for the
    category of the data they hold (notice §5, §7); tables without any are left out.

    One set-based count per table: a row is counted once however many of its
    categories refuse its source. In a table that holds several categories (the
    person's names beside their year of birth), a category counts only where the
    row holds some of its data.
    """
    found: dict[str, int] = {}
    for model in personal_data_models():
        key = model_key(model)
        by_category: dict[str, list[models.Field[object, object]]] = {}
        for field in model._meta.concrete_fields:
            ref = f"{key}.{field.name}"
            if field.name in KEY_FIELDS | PROVENANCE_FIELDS or ref in REGISTER_SET_FIELDS:
                continue
            category = policy.category_of_field(ref)
            if category is not None:
                by_category.setdefault(category, []).append(field)
        wrong = Q()
        for category, fields in by_category.items():
            outside = ~Q(source__in=policy.categories[category].sources)
            if len(by_category) > 1:
                outside &= reduce(or_, (_holds(field) for field in fields))
            wrong |= outside
        if not by_category:
            continue
        count = model._default_manager.filter(wrong).count()
        if count:
            found[key] = count
    return found
