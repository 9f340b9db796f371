"""What changed between two notice versions, in words a person can read.

Field names become their labels, enumerations their meaning, and references to
other parts of the policy (purposes, sources, rules) the names the notice uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from rekisteri.policy.labels import (
    legal_basis_label,
    recipient_kind_label,
    retention_event_label,
    safeguard_label,
    source_kind_label,
)
from rekisteri.policy.schema import (
    LANGUAGES,
    Language,
    LegalBasis,
    RecipientKind,
    RetentionEvent,
    Safeguard,
    SourceKind,
)

# The keyed sections of a policy: an entry is named by its "name" text.
_KEYED_SECTIONS = (
    "data_subjects",
    "purposes",
    "categories",
    "retention",
    "sources",
    "recipients",
    "transfers",
    "cookies",
    "rights",
    "roles",
)
# Fields whose values are keys of another section.
_REFERENCES = {
    "purposes": "purposes",
    "sources": "sources",
    "categories": "categories",
    "recipients": "recipients",
    "retention": "retention",
    "hold": "retention",
    "fallback": "retention",
}
_ENUMS: dict[str, Callable[[str], str]] = {
    "legal_basis": lambda v: legal_basis_label(LegalBasis(v)),
    # Recipients and sources both have a kind; their values do not overlap.
    "kind": lambda v: (
        recipient_kind_label(RecipientKind(v))
        if v in RecipientKind.__members__.values()
        else source_kind_label(SourceKind(v))
    ),
    "after": lambda v: retention_event_label(RetentionEvent(v)),
    "safeguards": lambda v: safeguard_label(Safeguard(v)),
}


def _section_label(section: str) -> str:
    return {
        "policy": _("policy"),
        "controller": _("controller"),
        "register_name": _("name of the register"),
        "notice": _("text of the notice"),
        "data_subjects": _("group of data subjects"),
        "purposes": _("purpose"),
        "categories": _("data category"),
        "retention": _("retention rule"),
        "anonymisation": _("anonymisation"),
        "sources": _("source"),
        "recipients": _("recipient"),
        "transfers": _("transfer"),
        "cookies": _("cookie category"),
        "security": _("security measures"),
        "rights": _("right"),
        "supervisory_authority": _("supervisory authority"),
        "roles": _("staff role"),
    }.get(section, section)


def _field_label(field: str) -> str:
    return {
        "name": _("name"),
        "description": _("description"),
        "legal_basis": _("legal basis"),
        "legitimate_interest": _("legitimate interest"),
        "direct_marketing": _("direct marketing"),
        "fields": _("fields"),
        "purposes": _("purposes"),
        "sources": _("sources"),
        "origin": _("origin"),
        "retention": _("retention rule"),
        "erasure": _("on erasure"),
        "anonymise": _("anonymisation"),
        "hold": _("legal hold"),
        "keep_fields": _("fields kept under the hold"),
        "after": _("counted from"),
        "months": _("months"),
        "years": _("years"),
        "fallback": _("rule when there is no customership"),
        "law": _("law"),
        "note": _("note"),
        "from_subject": _("collected from the data subject"),
        "kind": _("kind"),
        "categories": _("data categories"),
        "countries": _("countries"),
        "safeguards": _("safeguards"),
        "recipients": _("recipients"),
        "necessary": _("strictly necessary"),
        "lifetime_days": _("lifetime in days"),
        "text": _("text"),
        "sees_restricted": _("sees restricted people"),
        "aggregates_only": _("aggregates only"),
        "business_id": _("business ID"),
        "street_address": _("street address"),
        "postal_code": _("postal code"),
        "postal_address": _("postal address"),
        "city": _("city"),
        "country": _("country"),
        "subdivision": _("region for public holidays"),
        "time_zone": _("time zone"),
        "contact_email": _("contact e-mail"),
        "email": _("e-mail"),
        "phone": _("telephone"),
        "website": _("website"),
        "data_protection_officer": _("data protection officer"),
        "data_protection_officer_required": _("data protection officer required"),
        "purpose": _("purpose"),
        "min_cell_size": _("smallest group shown"),
        "text_date": _("date of the text"),
    }.get(field, field.replace("_", " "))


def _is_text(value: Any) -> bool:
    """Whether a stored value is a Text: its languages and nothing else."""
    return isinstance(value, dict) and bool(value) and set(value) <= set(LANGUAGES)


class _Differ:
    def __init__(self, old: dict[str, Any], new: dict[str, Any], lang: Language) -> None:
        self.old, self.new, self.lang = old, new, lang

    def in_lang(self, text: dict[str, str]) -> str:
        # A version may predate the language asked for: then any it was written in.
        return text.get(self.lang) or next(iter(text.values()))

    def name_of(self, section: str, key: str) -> str:
        for content in (self.new, self.old):
            entry = content.get(section, {}).get(key)
            if isinstance(entry, dict) and isinstance(entry.get("name"), dict):
                return f"“{self.in_lang(entry['name'])}”"
        return f"“{key}”"

    def show(self, field: str, value: Any) -> str:
        if value is None or value == [] or value == "":
            return "—"
        if _is_text(value):
            return f"“{self.in_lang(value)}”"
        if isinstance(value, dict) and set(value) == {"text"}:
            return self.show(field, value["text"])
        if isinstance(value, list):
            return ", ".join(self.show(field, item) for item in value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, str) and field in _REFERENCES:
            return self.name_of(_REFERENCES[field], value)
        if isinstance(value, str) and field in _ENUMS:
            try:
                return _ENUMS[field](value)
            except ValueError:
                return value
        if isinstance(value, dict):
            return "; ".join(f"{_field_label(k)}: {self.show(k, v)}" for k, v in value.items())
        return str(value)

    def changed(self, prefix: str, field: str, before: Any, after: Any) -> str:
        return _("%(what)s: %(field)s changed from %(old)s to %(new)s") % {
            "what": prefix,
            "field": _field_label(field),
            "old": self.show(field, before),
            "new": self.show(field, after),
        }

    def lines(self) -> list[str]:
        out: list[str] = []
        for section in sorted(set(self.old) | set(self.new)):
            before, after = self.old.get(section), self.new.get(section)
            if before == after:
                continue
            label = _section_label(section)
            if section in _KEYED_SECTIONS:
                out.extend(self.keyed(section, label, before or {}, after or {}))
            elif isinstance(before, dict) and isinstance(after, dict) and not _is_text(after):
                for key in sorted(set(before) | set(after)):
                    if before.get(key) != after.get(key):
                        out.append(
                            self.changed(label.capitalize(), key, before.get(key), after.get(key))
                        )
            else:
                out.append(
                    _("%(section)s changed from %(old)s to %(new)s")
                    % {
                        "section": label.capitalize(),
                        "old": self.show(section, before),
                        "new": self.show(section, after),
                    }
                )
        return out

    def keyed(
        self, section: str, label: str, before: dict[str, Any], after: dict[str, Any]
    ) -> list[str]:
        out = []
        for key in sorted(set(before) | set(after)):
            name = self.name_of(section, key)
            if key not in before:
                out.append(_("Added %(section)s %(name)s") % {"section": label, "name": name})
            elif key not in after:
                out.append(_("Removed %(section)s %(name)s") % {"section": label, "name": name})
            elif before[key] != after[key]:
                old_entry, new_entry = before[key], after[key]
                prefix = f"{label.capitalize()} {name}"
                for field in sorted(set(old_entry) | set(new_entry)):
                    if old_entry.get(field) != new_entry.get(field):
                        out.append(
                            self.changed(prefix, field, old_entry.get(field), new_entry.get(field))
                        )
        return out


def notice_diff(old: dict[str, Any], new: dict[str, Any], *, lang: Language) -> list[str]:
    """List the changes from ``old`` to ``new`` canonical policy content."""
    with translation.override(lang):
        return _Differ(old, new, lang).lines()


# What a data subject must be told of before it changes (notice §12): what is
# processed, why, for how long, from where and to whom. Names, descriptions and
# the notice's own prose are wording.
_MATERIAL_SECTIONS = (
    "purposes",
    "categories",
    "retention",
    "sources",
    "recipients",
    "transfers",
    "cookies",
    "data_subjects",
)
_WORDING_FIELDS = frozenset({"name", "description", "note", "text", "law"})


def _meaning(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _meaning(v) for k, v in value.items() if k not in _WORDING_FIELDS}
    if isinstance(value, list):
        return [_meaning(item) for item in value]
    return value


def notice_change_material(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether ``new`` changes what is processed, why, how long or to whom, not only words."""
    return any(
        _meaning(old.get(section)) != _meaning(new.get(section)) for section in _MATERIAL_SECTIONS
    )
