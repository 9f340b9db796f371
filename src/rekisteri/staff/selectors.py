"""Reads of staff accounts: who a staff id in the audit trail is, in the policy's words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User

from rekisteri.policy.schema import Language
from rekisteri.policy.selectors import policy_get
from rekisteri.staff.models import StaffMember


@dataclass(frozen=True)
class StaffName:
    name: str
    # The role's name in the policy's words; empty for an account without a role.
    role: str


def staff_names(*, user_ids: Iterable[str], lang: Language) -> dict[str, StaffName]:
    """The name and role of each staff account the ids name (ids as the audit trail keeps them)."""
    ids = {int(i) for i in user_ids if i.isdigit()}
    roles = dict(StaffMember.objects.filter(user_id__in=ids).values_list("user_id", "role"))
    policy_roles = policy_get().roles
    found: dict[str, StaffName] = {}
    for user in User.objects.filter(pk__in=ids):
        role = policy_roles.get(roles.get(user.pk, ""))
        found[str(user.pk)] = StaffName(
            user.get_full_name() or user.username, role.name(lang) if role else ""
        )
    return found


def staff_all(*, lang: Language) -> list[tuple[str, StaffName]]:
    """Every staff account with a role, by name: whom an investigation may be about."""
    ids = [str(pk) for pk in StaffMember.objects.values_list("user_id", flat=True)]
    names = staff_names(user_ids=ids, lang=lang)
    return sorted(names.items(), key=lambda item: item[1].name.lower())
