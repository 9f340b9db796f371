"""The files of a ready package: the person's download, and their purge when the link expires."""

from __future__ import annotations

from django.db import transaction

from rekisteri.core import clock
from rekisteri.core.errors import NotFound
from rekisteri.core.jobs import JobRun, job
from rekisteri.rights import notify
from rekisteri.rights.models import ExportFile


@transaction.atomic
def package_file_take(*, person_id: int, package_id: int, name: str) -> ExportFile:
    """A file of the person's own ready, unexpired package; the first download is noted."""
    found = (
        ExportFile.objects.select_for_update()
        .filter(
            package_id=package_id,
            name=name,
            package__request__person_id=person_id,
            package__ready_at__isnull=False,
            package__expires_at__gt=clock.now(),
        )
        .first()
    )
    if found is None:
        raise NotFound("there is no such package", data={"package_id": package_id})
    if found.downloaded_at is None:
        found.downloaded_at = clock.now()
        found.save(update_fields=["downloaded_at"])
    return found


@job("rights.purge", daily=True)
def _purge_expired_packages(run: JobRun) -> None:
    """Copies of a person's data are kept only until their download link expires, and
    an address in the outbox only until its message is sent or given up."""
    removed, _ = ExportFile.objects.filter(package__expires_at__lte=clock.now()).delete()
    run.save(removed=removed, messages_given_up=notify.messages_give_up())
