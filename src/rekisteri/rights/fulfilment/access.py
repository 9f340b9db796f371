"""Access (Art. 15) and portability (Art. 20): answered with a package a job builds."""

from __future__ import annotations

import datetime as dt

from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.jobs import job_enqueue
from rekisteri.rights.fulfilment.registry import Answer, fulfils
from rekisteri.rights.models import ExportPackage, RightKind, SubjectRequest

# A package can be downloaded this long after it is ready.
PACKAGE_DAYS = 14


@fulfils(RightKind.ACCESS, RightKind.PORTABILITY)
def package_queue(request: SubjectRequest, actor: Actor) -> Answer:
    """Queue the package; its job completes the answer when the files are ready."""
    now = clock.now()
    package = ExportPackage.objects.create(
        request=request, created_at=now, expires_at=now + dt.timedelta(days=PACKAGE_DAYS)
    )
    job = job_enqueue("rights.package", package_id=package.pk)
    return Answer(result={"package": package.pk, "job": job.pk}, completed_later=True)
