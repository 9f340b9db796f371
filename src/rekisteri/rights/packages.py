"""The access package (Art. 15) and the portability package (Art. 20).

Both are built by a job, file by file; each stored file is a checkpoint, so a
retried job builds only what is missing. The subject downloads them from the
portal until they expire; they are never sent as e-mail attachments.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any, cast

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.core import clock
from rekisteri.core.csvfiles import SafeDictWriter
from rekisteri.core.jobs import JobRun, job
from rekisteri.policy.labels import (
    category_retention_phrase,
    legal_basis_label,
    right_label,
    safeguard_label,
)
from rekisteri.policy.schema import Language, Origin, Policy, RetentionEvent, Safeguard
from rekisteri.policy.selectors import policy_get
from rekisteri.register.disclosures import disclosures_of
from rekisteri.register.labels import COUNTRY_NAMES, row_display, value_display, when_display
from rekisteri.register.selectors import person_access_own, person_data
from rekisteri.retention.outlook import person_retention_outlook
from rekisteri.rights.actors import ENGINE
from rekisteri.rights.decisions import request_package_ready
from rekisteri.rights.models import ExportFile, ExportPackage, RightKind, SubjectRequest
from rekisteri.rights.recipients import recipient_notices_of

# Art. 20 covers data the subject provided and data observed from their use of
# the service (EDPB guidelines WP242 rev.01), not what the controller derived.
PORTABLE_ORIGINS = frozenset({Origin.PROVIDED, Origin.OBSERVED})


def _information(
    policy: Policy, data: dict[str, list[dict[str, Any]]], person_id: int, lang: Language
) -> dict[str, Any]:
    """What Art. 15(1)-(2) says the person is told besides the data, from the policy and logs."""
    held = [key for key in policy.categories if data.get(key)]
    sources_seen = sorted({row["source"] for rows in data.values() for row in rows})
    return {
        "controller": {
            "name": policy.controller.name,
            "business_id": policy.controller.business_id,
            "address": (
                f"{policy.controller.street_address}, "
                f"{policy.controller.postal_code} {policy.controller.city}"
            ),
            "contact_email": policy.controller.contact_email,
        },
        "purposes": [
            {"key": key, "name": p.name(lang), "legal_basis": str(legal_basis_label(p.legal_basis))}
            for key, p in policy.purposes.items()
        ],
        "categories": [
            {
                "key": key,
                "name": policy.categories[key].name(lang),
                "purposes": [
                    policy.purposes[p].name(lang) for p in policy.categories[key].purposes
                ],
                "retention": category_retention_phrase(policy, policy.categories[key], lang),
                "records": len(data[key]),
            }
            for key in held
        ],
        "sources": [
            {"key": key, "name": policy.sources[key].name(lang)}
            for key in sources_seen
            if key in policy.sources
        ],
        # C-154/21: the actual recipients, not only their categories.
        "recipients": [
            {
                "recipient": policy.recipients[d.recipient].name(lang)
                if d.recipient in policy.recipients
                else d.recipient,
                "disclosed_on": d.disclosed_on.isoformat(),
                "categories": [
                    policy.categories[c].name(lang) for c in d.categories if c in policy.categories
                ],
                "country": d.country,
                "safeguard": d.safeguard,
                # A temporary transfer with consent (notice §8): until when, or when it ended.
                "ends_on": d.ends_on.isoformat() if d.ends_on else None,
                "ended_at": getattr(d, "ended_at", None) and d.ended_at.isoformat(),  # type: ignore[attr-defined]
            }
            for d in disclosures_of(person_id=person_id)
        ],
        # Art. 19: who was told of a rectification, erasure or restriction, and when.
        "recipients_told": recipient_notices_of(person_id=person_id, language=lang),
        "recipient_categories": [r.name(lang) for r in policy.recipients.values()],
        "rights": [
            {"right": str(right_label(right)), "text": text.text(lang)}
            for right, text in policy.rights.items()
        ],
        "complaint": {
            "authority": policy.supervisory_authority.name(lang),
            "address": policy.supervisory_authority.postal_address,
            "phone": policy.supervisory_authority.phone,
            "email": policy.supervisory_authority.email,
            "website": policy.supervisory_authority.website,
        },
        "automated_decisions": policy.notice.automated_decisions(lang),
    }


def _portable(
    policy: Policy, data: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """Art. 20: what the person provided or what was observed of their use, from such sources."""
    portable = {}
    for key, rows in data.items():
        if key not in policy.categories or policy.categories[key].origin not in PORTABLE_ORIGINS:
            continue
        kept = [
            row
            for row in rows
            if row.get("source") in policy.sources and policy.sources[row["source"]].portable
        ]
        if kept:
            portable[key] = kept
    return portable


def _csv_zip(data: dict[str, list[dict[str, Any]]]) -> bytes:
    """One CSV file per table, in a ZIP: a common, machine-readable format (Art. 20(1))."""
    by_table: dict[str, list[dict[str, Any]]] = {}
    for rows in data.values():
        for row in rows:
            by_table.setdefault(row["table"], []).append(row)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in sorted(by_table.items()):
            # Rows of one table can come from several categories: merge their columns.
            merged: dict[Any, dict[str, Any]] = {}
            for row in rows:
                merged.setdefault(row.get("id"), {}).update(row)
            columns = sorted({c for r in merged.values() for c in r if c != "table"})
            text = io.StringIO()
            writer = SafeDictWriter(text, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(merged.values())
            archive.writestr(f"{table}.csv", text.getvalue())
    return buffer.getvalue()


Builder = Callable[[SubjectRequest, dict[str, Any]], tuple[str, bytes]]


def _access_json(request: SubjectRequest, built: dict[str, Any]) -> tuple[str, bytes]:
    return "application/json", json.dumps(built, ensure_ascii=False, indent=2).encode()


def _access_document(request: SubjectRequest, built: dict[str, Any]) -> dict[str, Any]:
    """The access answer as a person reads it: each category in the policy's words, with
    why it is held, on what basis, from where, for how long and who received it."""
    policy = policy_get()
    lang = cast(Language, request.language)
    info = built["information"]
    outlook = person_retention_outlook(person_id=request.person_id)
    disclosures = disclosures_of(person_id=request.person_id)
    categories = []
    for key, category in policy.categories.items():
        rows = built["data"].get(key)
        if not rows:
            continue
        seen = sorted({row.get("source", "") for row in rows})
        holds = [h for h in outlook.holds if h.category == key]
        categories.append(
            {
                "name": category.name(lang),
                "description": category.description(lang),
                "purposes": [
                    {
                        "name": policy.purposes[p].name(lang),
                        "basis": legal_basis_label(policy.purposes[p].legal_basis),
                    }
                    for p in category.purposes
                    if p in policy.purposes
                ],
                "sources": [policy.sources[s].name(lang) for s in seen if s in policy.sources],
                "retention": category_retention_phrase(policy, category, lang),
                "erased_on": (
                    when_display(outlook.erased_on)
                    if outlook.erased_on
                    and policy.retention[category.retention].after
                    == RetentionEvent.CUSTOMERSHIP_END
                    else ""
                ),
                "holds": [when_display(h.until) for h in holds],
                "recipients": sorted(
                    {
                        policy.recipients[d.recipient].name(lang)
                        for d in disclosures
                        if key in d.categories and d.recipient in policy.recipients
                    }
                ),
                "rows": [
                    {
                        "fields": fields,
                        "source": policy.sources[row["source"]].name(lang)
                        if row.get("source") in policy.sources
                        else "",
                        "stored_at": value_display("", "stored_at", row.get("stored_at"), lang),
                    }
                    for row in rows
                    # A row of keys and bookkeeping alone says nothing to a person.
                    if (fields := row_display(row, lang))
                ],
            }
        )
    recipients = [
        {
            "name": policy.recipients[d.recipient].name(lang)
            if d.recipient in policy.recipients
            else d.recipient,
            "on": when_display(d.disclosed_on),
            "categories": [
                policy.categories[c].name(lang) for c in d.categories if c in policy.categories
            ],
            "country": str(COUNTRY_NAMES.get(d.country, d.country)) if d.country else "",
            "safeguard": safeguard_label(Safeguard(d.safeguard))
            if d.safeguard in Safeguard.__members__.values()
            else "",
            "ends_on": when_display(d.ends_on) if d.ends_on else "",
            "ended": getattr(d, "ended_at", None) is not None,
        }
        for d in disclosures
    ]
    told = [
        {**t, "sent_at": value_display("", "sent_at", t.get("sent_at"), lang)}
        for t in info["recipients_told"]
    ]
    controller = policy.controller
    return {
        "controller": controller,
        "register": built["register"],
        "made": value_display("", "generated_at", built["generated_at"], lang),
        "categories": categories,
        "recipients": recipients,
        "told": told,
        "transfers": [
            {
                "name": t.name(lang),
                "description": t.description(lang),
                "safeguards": [safeguard_label(g) for g in t.safeguards],
            }
            for t in policy.transfers.values()
        ],
        "rights": info["rights"],
        "complaint": info["complaint"],
        "automated_decisions": info["automated_decisions"],
    }


def _access_html(request: SubjectRequest, built: dict[str, Any]) -> tuple[str, bytes]:
    """A document the person can read and print, in their language (Art. 12(1), 15)."""
    with translation.override(request.language):
        html = render_to_string(
            "rights/access_package.html",
            {"doc": _access_document(request, built), "lang": request.language},
        )
    return "text/html; charset=utf-8", html.encode()


def _portability_zip(request: SubjectRequest, built: dict[str, Any]) -> tuple[str, bytes]:
    return "application/zip", _csv_zip(built["data"])


def _portability_readme(request: SubjectRequest, built: dict[str, Any]) -> tuple[str, bytes]:
    """Say what the package holds, and what portability leaves out and why."""
    policy = policy_get()
    lang = cast(Language, request.language)
    seen = sorted({row["source"] for rows in built["data"].values() for row in rows})
    with translation.override(request.language):
        text = render_to_string(
            "rights/portability_readme.txt",
            {
                "package": built,
                "included": list(built["category_names"].values()),
                "sources": [policy.sources[key].name(lang) for key in seen],
            },
        )
    return "text/plain; charset=utf-8", text.encode()


PLANS: dict[str, dict[str, Builder]] = {
    RightKind.ACCESS: {"access.json": _access_json, "access.html": _access_html},
    RightKind.PORTABILITY: {
        "portability.json": _access_json,
        "portability-csv.zip": _portability_zip,
        "README.txt": _portability_readme,
    },
}


def package_content(request: SubjectRequest) -> dict[str, Any]:
    """The package's data and, for access, the Art. 15 information, in the person's language."""
    policy = policy_get()
    lang = cast(Language, request.language)
    access = person_access_own(actor=ENGINE, person_id=request.person_id, right=request.kind)
    data = person_data(access)
    with translation.override(request.language):
        labels = {key: c.name(lang) for key, c in policy.categories.items()}
        built: dict[str, Any] = {
            "generated_at": clock.now().isoformat(),
            "request": request.pk,
            "register": policy.register_name(lang),
            "controller": policy.controller.name,
        }
        if request.kind == RightKind.PORTABILITY:
            built["data"] = _portable(policy, data)
        else:
            built["data"] = data
            built["information"] = _information(policy, data, request.person_id, lang)
        built["category_names"] = {k: labels[k] for k in built["data"] if k in labels}
    return built


@job("rights.package")
def package_build(run: JobRun) -> None:
    package = ExportPackage.objects.select_related("request").get(pk=run.arguments["package_id"])
    request = package.request
    built = package_content(request)
    for name, builder in PLANS[request.kind].items():
        if ExportFile.objects.filter(package=package, name=name).exists():
            continue
        content_type, content = builder(request, built)
        with transaction.atomic():
            ExportFile.objects.create(
                package=package, name=name, content_type=content_type, content=content
            )
            run.save(done=[*run.checkpoint.get("done", []), name])
    request_package_ready(package_id=package.pk)
