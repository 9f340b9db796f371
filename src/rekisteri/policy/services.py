"""Changes to the record of notice versions."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from rekisteri.core import clock
from rekisteri.policy.loader import LoadedPolicy
from rekisteri.policy.models import NoticeVersion


def notice_version_record(
    *, loaded: LoadedPolicy, effective_on: dt.date | None = None
) -> tuple[NoticeVersion, bool]:
    """Record the policy as the version in force unless it already is.

    Returns the version and whether it is new. A content that returns to an
    earlier one is a new version too: what was in force when is the record.
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = NoticeVersion.objects.select_for_update().order_by("-number").first()
                if latest is not None and latest.content_hash == loaded.content_hash:
                    return latest, False
                version = NoticeVersion.objects.create(
                    number=(latest.number + 1) if latest else 1,
                    content_hash=loaded.content_hash,
                    content=loaded.canonical,
                    effective_on=effective_on or clock.today(),
                    recorded_at=clock.now(),
                )
                return version, True
        except IntegrityError:
            # Another process recorded the same number first; look again.
            continue
    raise RuntimeError("could not record the notice version after three attempts")


def notice_version_effective_set(*, number: int, effective_on: dt.date) -> NoticeVersion:
    """Set the day a recorded version takes effect (the DPO's, when a change is announced)."""
    NoticeVersion.objects.filter(number=number).update(effective_on=effective_on)
    return NoticeVersion.objects.get(number=number)
