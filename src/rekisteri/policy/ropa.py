"""The record of processing activities (GDPR Art. 30(1)), drawn from the policy."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import translation

from rekisteri.core.csvfiles import SafeDictWriter
from rekisteri.policy.labels import legal_basis_label, retention_phrase, safeguard_label
from rekisteri.policy.schema import ErasureAction, Language, Policy

COLUMNS = (
    "controller",
    "controller_contact",
    "data_protection_officer",
    "purpose",
    "legal_basis",
    "legitimate_interest",
    "data_subjects",
    "data_categories",
    "recipients",
    "transfers",
    "retention",
    "security_measures",
)


def ropa_rows(policy: Policy, *, lang: Language) -> list[dict[str, Any]]:
    """One processing activity per purpose, with what Art. 30(1)(a)-(g) asks."""
    with translation.override(lang):
        c = policy.controller
        contact = f"{c.street_address}, {c.postal_code} {c.city}; {c.contact_email}"
        dpo = (
            f"{c.data_protection_officer.name}, {c.data_protection_officer.email}"
            if c.data_protection_officer
            else ""
        )
        subjects = [group.name(lang) for group in policy.data_subjects.values()]
        transfers = [
            f"{t.name(lang)}: " + "; ".join(safeguard_label(s) for s in t.safeguards)
            for t in policy.transfers.values()
        ]
        security = [policy.notice.security_intro(lang), *(m(lang) for m in policy.security)]
        rows = []
        for key, purpose in policy.purposes.items():
            categories = {k: cat for k, cat in policy.categories.items() if key in cat.purposes}
            recipients = [
                r.name(lang)
                for r in policy.recipients.values()
                if not r.categories or set(r.categories) & set(categories)
            ]
            retention = []
            for rule_key in dict.fromkeys(cat.retention for cat in categories.values()):
                retention.append(retention_phrase(policy.retention[rule_key]))
            for cat in categories.values():
                if cat.erasure == ErasureAction.HOLD and cat.hold:
                    hold = policy.retention[cat.hold]
                    law = hold.law(lang) if hold.law else ""
                    retention.append(f"{hold.name(lang)}: {retention_phrase(hold)} ({law})")
            rows.append(
                {
                    "controller": f"{c.name} ({c.business_id})",
                    "controller_contact": contact,
                    "data_protection_officer": dpo,
                    "purpose": purpose.name(lang),
                    "legal_basis": legal_basis_label(purpose.legal_basis),
                    "legitimate_interest": (
                        purpose.legitimate_interest(lang) if purpose.legitimate_interest else ""
                    ),
                    "data_subjects": subjects,
                    "data_categories": [cat.name(lang) for cat in categories.values()],
                    "recipients": recipients,
                    "transfers": transfers,
                    "retention": retention,
                    "security_measures": security,
                }
            )
        return rows


def ropa_json(policy: Policy, *, lang: Language) -> str:
    return json.dumps(
        {"register": policy.register_name(lang), "activities": ropa_rows(policy, lang=lang)},
        ensure_ascii=False,
        indent=2,
    )


def ropa_csv(policy: Policy, *, lang: Language) -> str:
    out = io.StringIO()
    writer = SafeDictWriter(out, COLUMNS)
    writer.writeheader()
    for row in ropa_rows(policy, lang=lang):
        writer.writerow({k: " | ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()
