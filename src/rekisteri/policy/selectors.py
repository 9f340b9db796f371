"""Reads of the register description. Every other app asks here, never the file."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from django.conf import settings

from rekisteri.core.errors import NotFound
from rekisteri.policy.loader import LoadedPolicy, load_policy
from rekisteri.policy.models import NoticeVersion
from rekisteri.policy.schema import Language, Policy


@functools.cache
def _load(path: Path) -> LoadedPolicy:
    return load_policy(path)


def policy_loaded() -> LoadedPolicy:
    """Return the configured policy, parsed and checked once per process."""
    return _load(Path(settings.REKISTERI_POLICY))


def policy_get() -> Policy:
    return policy_loaded().policy


def languages_offered() -> tuple[Language, ...]:
    """The languages the register offers, its default first ([policy] languages)."""
    return policy_get().policy.languages


def language_default() -> Language:
    """The register's own language: what a message is in when no one chose another."""
    return languages_offered()[0]


def languages_phrase() -> str:
    """The offered languages as a message names them: "fi or en"."""
    return " or ".join(languages_offered())


def notice_version_current() -> NoticeVersion | None:
    """Return the newest recorded version if it is the policy now in force."""
    latest = NoticeVersion.objects.order_by("-number").first()
    if latest is None or latest.content_hash != policy_loaded().content_hash:
        return None
    return latest


@functools.lru_cache(maxsize=8)
def _policy_of(content_hash: str, content_json: str) -> Policy:
    return Policy.model_validate_json(content_json)


def notice_in_force() -> tuple[Policy, NoticeVersion] | None:
    """Return the newest recorded version and its policy: what the public sees.

    The recorded content, not the file, is the notice: an edited file is not in
    force until ``rekisteri setup`` records it, and every server process shows
    the same text.
    """
    latest = NoticeVersion.objects.order_by("-number").first()
    if latest is None:
        return None
    return _policy_of(latest.content_hash, json.dumps(latest.content)), latest


def notice_versions_list() -> list[NoticeVersion]:
    return list(NoticeVersion.objects.order_by("number"))


def notice_version_get(*, number: int) -> NoticeVersion:
    try:
        return NoticeVersion.objects.get(number=number)
    except NoticeVersion.DoesNotExist:
        raise NotFound(f"there is no notice version {number}", data={"number": number}) from None
