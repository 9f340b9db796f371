"""Announcing a material change of the notice to the people in the register (notice §12).

A new notice version that changes what is processed, why, for how long, from
where or to whom is announced before it takes effect: the DPO sets the day it
takes effect (never before the announcement), a job e-mails every living
person with a verified address, in batches with a checkpoint, the changes in
words in their language; the portal shows a banner until the person has seen
it. Who was told, and when, is kept. A change of wording alone is not
announced, and no version is announced twice.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, InvalidInput, NotFound
from rekisteri.core.jobs import JobRun, job, job_enqueue
from rekisteri.policy.diff import notice_change_material, notice_diff
from rekisteri.policy.models import NoticeVersion
from rekisteri.policy.selectors import policy_get
from rekisteri.policy.services import notice_version_effective_set
from rekisteri.register import models as rm
from rekisteri.rights.models import AnnouncementDelivery, NoticeAnnouncement, SubjectRequest

logger = logging.getLogger(__name__)

BATCH = 500
NOTICE_PATHS = {"fi": "/tietosuojaseloste", "en": "/en/privacy", "sv": "/sv/integritetspolicy"}
PORTAL_PATHS = {"fi": "/oma/", "en": "/en/my/", "sv": "/sv/mina-sidor/"}


def _versions(number: int) -> tuple[NoticeVersion, NoticeVersion]:
    new = NoticeVersion.objects.filter(number=number).first()
    if new is None:
        raise NotFound(f"there is no notice version {number}", data={"version": number})
    old = NoticeVersion.objects.filter(number__lt=number).order_by("-number").first()
    if old is None:
        raise InvalidInput(
            f"version {number} is the first notice: there is no change to announce",
            data={"version": number},
        )
    return old, new


def notice_versions_unannounced() -> list[int]:
    """Versions that changed the notice materially and were never announced."""
    versions = list(NoticeVersion.objects.order_by("number"))
    announced = set(NoticeAnnouncement.objects.values_list("version_number", flat=True))
    return [
        new.number
        for old, new in itertools.pairwise(versions)
        if new.number not in announced and notice_change_material(old.content, new.content)
    ]


@transaction.atomic
def notice_announce(
    *, actor: Actor, version_number: int, effective_on: dt.date
) -> NoticeAnnouncement:
    """Announce a material change of the notice, in force from ``effective_on``."""
    old, new = _versions(version_number)
    if not notice_change_material(old.content, new.content):
        raise InvalidInput(
            f"version {version_number} changes only the wording: it is not announced",
            data={"version": version_number},
        )
    if effective_on < clock.today():
        raise InvalidInput(
            "effective_on: a change takes effect no earlier than it is announced",
            data={"field": "effective_on"},
        )
    try:
        with transaction.atomic():
            announcement = NoticeAnnouncement.objects.create(
                version_number=version_number,
                effective_on=effective_on,
                announced_at=clock.now(),
                announced_by=actor.id,
            )
    except IntegrityError:
        raise Conflict(
            f"version {version_number} has been announced already",
            data={"version": version_number},
        ) from None
    notice_version_effective_set(number=version_number, effective_on=effective_on)
    audit_record(
        actor=actor,
        event=AuditEvent.POLICY_RECORDED,
        data={"announced": version_number, "effective_on": effective_on.isoformat()},
    )
    job_enqueue("rights.announce", announcement_id=announcement.pk)
    return announcement


def _addresses(person_ids: list[int]) -> dict[int, str]:
    """Each person's newest verified address: one the person gave or confirmed."""
    found: dict[int, str] = {}
    for pid, address in (
        rm.EmailAddress.objects.filter(person_id__in=person_ids, verified_at__isnull=False)
        .order_by("person_id", "stored_at", "pk")
        .values_list("person_id", "address")
    ):
        found[pid] = address
    return found


def _languages(person_ids: list[int]) -> dict[int, str]:
    """The language each person last wrote to us in; the register's own otherwise."""
    found: dict[int, str] = {}
    for pid, language in (
        SubjectRequest.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "received_at", "pk")
        .values_list("person_id", "language")
    ):
        found[pid] = language
    return found


def _message(announcement: NoticeAnnouncement, language: str, to: str) -> EmailMessage:
    policy = policy_get()
    old, new = _versions(announcement.version_number)
    base = settings.REKISTERI_BASE_URL
    with translation.override(language):
        text = render_to_string(
            f"rights/email/notice_changed_{language}.txt",
            {
                "controller": policy.controller,
                "register_name": policy.register_name(language),  # type: ignore[arg-type]
                "effective_on": announcement.effective_on,
                "changes": notice_diff(old.content, new.content, lang=language),  # type: ignore[arg-type]
                "notice_url": base + NOTICE_PATHS[language],
                "portal_url": base + PORTAL_PATHS[language],
            },
        )
    subject, _, body = text.strip().partition("\n")
    return EmailMessage(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [to])


@job("rights.announce", long=True)
def _announce_job(run: JobRun) -> None:
    """E-mail the announcement to everyone with an address, a batch at a time."""
    announcement = NoticeAnnouncement.objects.get(pk=run.arguments["announcement_id"])
    living = rm.Person.objects.living()
    NoticeAnnouncement.objects.filter(pk=announcement.pk).update(people_total=living.count())
    after = int(run.checkpoint.get("after_person", 0))
    while True:
        people = list(
            living.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not people:
            return
        addresses, languages = _addresses(people), _languages(people)
        now = clock.now()
        with transaction.atomic():
            AnnouncementDelivery.objects.bulk_create(
                [AnnouncementDelivery(announcement=announcement, person_id=p) for p in people],
                ignore_conflicts=True,
            )
        untold = set(
            AnnouncementDelivery.objects.filter(
                announcement=announcement, person_id__in=people, emailed_at__isnull=True
            ).values_list("person_id", flat=True)
        )
        sent: list[int] = []
        with get_connection() as connection:
            for pid in people:
                if pid not in untold or pid not in addresses:
                    continue
                language = languages.get(pid, settings.LANGUAGE_CODE)
                if language not in NOTICE_PATHS:
                    language = settings.LANGUAGE_CODE
                message = _message(announcement, language, addresses[pid])
                message.connection = connection
                message.send()
                sent.append(pid)
        with transaction.atomic():
            AnnouncementDelivery.objects.filter(
                announcement=announcement, person_id__in=sent
            ).update(emailed_at=now)
            NoticeAnnouncement.objects.filter(pk=announcement.pk).update(
                emails_sent=AnnouncementDelivery.objects.filter(
                    announcement=announcement, emailed_at__isnull=False
                ).count()
            )
            after = people[-1]
            run.save(after_person=after)


def announcement_pending_for(*, person_id: int) -> NoticeAnnouncement | None:
    """The newest announcement the person has not yet seen in the portal."""
    delivery = (
        AnnouncementDelivery.objects.filter(person_id=person_id, seen_at__isnull=True)
        .select_related("announcement")
        .order_by("-announcement__version_number")
        .first()
    )
    return delivery.announcement if delivery else None


def announcement_changes(announcement: NoticeAnnouncement, language: str) -> list[str]:
    old, new = _versions(announcement.version_number)
    return notice_diff(old.content, new.content, lang=language)  # type: ignore[arg-type]


def announcement_seen(*, person_id: int, announcement_id: int) -> None:
    """The person has read the announcement in the portal: the banner goes."""
    AnnouncementDelivery.objects.filter(
        person_id=person_id, announcement_id=announcement_id, seen_at__isnull=True
    ).update(seen_at=clock.now())


def announcements_list() -> list[dict[str, Any]]:
    """Every announcement with how far its sending came and how many have seen it."""
    return [
        {
            "version": a.version_number,
            "effective_on": a.effective_on,
            "announced_at": a.announced_at,
            "people": a.people_total,
            "emailed": a.emails_sent,
            "seen": a.deliveries.filter(seen_at__isnull=False).count(),
        }
        for a in NoticeAnnouncement.objects.order_by("version_number")
    ]
