"""The register's promises the self-check counts: every field declared in a category,
every row from a source its data may come from, nothing stored that is not collected."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from rekisteri.core.selfcheck import Check
from rekisteri.policy.selectors import policy_get
from rekisteri.register.catalogue import catalogue_gaps, rows_with_unlisted_source
from rekisteri.register.selectors import not_collected_stored


def undeclared_fields() -> list[Check]:
    """Fields of personal data in the tables that no category of the policy declares."""
    return [
        Check(
            "catalogue.undeclared",
            gettext_noop("Fields of personal data that no category of the policy declares"),
            len(catalogue_gaps(policy_get())),
        )
    ]


def unlisted_sources() -> list[Check]:
    """One finding per table whose rows came from a source the policy does not list for
    their data; one line that says so when no table has any."""
    unlisted = rows_with_unlisted_source(policy_get())
    if not unlisted:
        return [
            Check(
                "sources",
                gettext_noop("Rows stored under a source the policy does not list for their data"),
                0,
            )
        ]
    return [
        Check(
            f"sources.{table}",
            gettext_noop(
                "Rows stored under a source the policy does not list for their data "
                "(table: %(table)s)"
            ),
            count,
            table=table,
        )
        for table, count in sorted(unlisted.items())
    ]


def not_collected() -> list[Check]:
    """One finding per field that holds what the register says it does not collect."""
    stored = not_collected_stored()
    return [
        Check(
            f"not_collected.{field}",
            gettext_noop(
                "Stored values in a field the register description declares not collected "
                "(%(rule)s)"
            ),
            count,
            rule=field,
        )
        for field, count in sorted(stored.items())
    ] or [
        Check(
            "not_collected",
            gettext_noop("Stored values in fields the register description declares not collected"),
            0,
        )
    ]
