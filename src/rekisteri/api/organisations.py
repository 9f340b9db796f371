"""Organisations that people represent: their logo."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Router, UploadedFile

from rekisteri.api import schemas as s
from rekisteri.api.api import ERRORS, NOT_COLLECTED, actor_for
from rekisteri.core.errors import InvalidInput
from rekisteri.register import services
from rekisteri.register.validation import MAX_IMAGE_BYTES, RegisterCode
from rekisteri.staff.keys import Scope

router = Router(tags=["organisations"])


@router.post(
    "/{organisation_id}/logo",
    response={200: s.CreatedOut, **dict.fromkeys((*ERRORS, 413), s.ErrorOut)},
    summary="Upload an organisation's logo (PNG, JPEG, GIF or WebP, at most 2 MiB)",
    description=NOT_COLLECTED,
)
def logo_upload(
    request: HttpRequest, organisation_id: s.PathId, file: File[UploadedFile]
) -> dict[str, Any]:
    actor = actor_for(request, Scope.PEOPLE_WRITE)
    if file.size is not None and file.size > MAX_IMAGE_BYTES:
        # Refuse before reading the whole file into memory.
        raise InvalidInput(
            f"logo: is larger than {MAX_IMAGE_BYTES // 1024} KiB",
            code=RegisterCode.INVALID_IMAGE,
            data={"field": "logo"},
        )
    organisation = services.organisation_logo_set(
        actor=actor, organisation_id=organisation_id, content=file.read()
    )
    return {"id": organisation.pk}
