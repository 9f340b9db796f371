"""Organisations people act for: their rows, their link to a person, their logo."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from rekisteri.core.actors import Actor
from rekisteri.core.errors import NotFound
from rekisteri.register import validation as v
from rekisteri.register.models import (
    Organisation,
    OrganisationRole,
    Person,
)
from rekisteri.register.services.writing import collected_require, row_change_audit


@dataclass(frozen=True)
class OrganisationIn:
    name: str
    business_id: str | None = None
    website: str = ""
    title: str = ""


def organisation_clean(organisation: OrganisationIn) -> OrganisationIn:
    return OrganisationIn(
        name=v.clean_text(organisation.name, field="organisation.name", max_length=200),
        business_id=(
            v.clean_business_id(organisation.business_id, field="organisation.business_id")
            if organisation.business_id
            else None
        ),
        website=(
            v.clean_url(organisation.website, field="organisation.website")
            if organisation.website
            else ""
        ),
        title=v.clean_text(
            organisation.title, field="organisation.title", max_length=200, required=False
        ),
    )


def organisation_link(
    person: Person, org: OrganisationIn, *, now: dt.datetime, source: str
) -> None:
    organisation = None
    if org.business_id:
        organisation = Organisation.objects.filter(business_id=org.business_id).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            stored_at=now,
            source=source,
            name=org.name,
            business_id=org.business_id,
            website=org.website,
        )
    OrganisationRole.objects.get_or_create(
        person=person,
        organisation=organisation,
        defaults={"stored_at": now, "source": source, "title": org.title},
    )


LOGO_SUFFIX = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@transaction.atomic
def organisation_logo_set(*, actor: Actor, organisation_id: int, content: bytes) -> Organisation:
    """Store an organisation's logo; its type is sniffed from the bytes, not the name."""
    collected_require(Organisation, {"logo": content})
    content_type = v.clean_image(content, field="logo")
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(
            f"there is no organisation {organisation_id}",
            data={"organisation_id": organisation_id},
        )
    old = organisation.logo.name if organisation.logo else None
    # A random name: the file's own name may carry personal data.
    organisation.logo.save(
        f"{uuid.uuid4().hex}.{LOGO_SUFFIX[content_type]}", ContentFile(content), save=False
    )
    organisation.save(update_fields=["logo"])
    row_change_audit(actor, organisation)
    if old:
        transaction.on_commit(lambda: organisation.logo.storage.delete(old))
    return organisation
