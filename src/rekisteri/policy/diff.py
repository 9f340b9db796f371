"""What changed between two notice versions, in words a person can read."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from rekisteri.policy.schema import Language

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


def _show(value: Any, lang: Language) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and set(value) == {"fi", "en"}:
        return f"“{value[lang]}”"
    if isinstance(value, dict) and set(value) == {"text"}:
        return _show(value["text"], lang)
    if isinstance(value, list):
        return ", ".join(_show(item, lang) for item in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _entry_name(section: str, key: str, entry: Any, lang: Language) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("name"), dict):
        return f"“{entry['name'][lang]}”"
    return f"“{key}”"


def notice_diff(old: dict[str, Any], new: dict[str, Any], *, lang: Language) -> list[str]:
    """List the changes from ``old`` to ``new`` canonical policy content."""
    with translation.override(lang):
        lines: list[str] = []
        for section in sorted(set(old) | set(new)):
            before, after = old.get(section), new.get(section)
            if before == after:
                continue
            label = _section_label(section)
            if section in _KEYED_SECTIONS:
                lines.extend(_keyed_changes(section, label, before or {}, after or {}, lang))
            elif isinstance(before, dict) and isinstance(after, dict) and not _is_text(after):
                for key in sorted(set(before) | set(after)):
                    if before.get(key) != after.get(key):
                        lines.append(
                            _("%(section)s: %(field)s changed from %(old)s to %(new)s")
                            % {
                                "section": label.capitalize(),
                                "field": key,
                                "old": _show(before.get(key), lang),
                                "new": _show(after.get(key), lang),
                            }
                        )
            else:
                lines.append(
                    _("%(section)s changed from %(old)s to %(new)s")
                    % {
                        "section": label.capitalize(),
                        "old": _show(before, lang),
                        "new": _show(after, lang),
                    }
                )
        return lines


def _is_text(value: dict[str, Any]) -> bool:
    return set(value) == {"fi", "en"}


def _keyed_changes(
    section: str, label: str, before: dict[str, Any], after: dict[str, Any], lang: Language
) -> list[str]:
    lines = []
    for key in sorted(set(before) | set(after)):
        if key not in before:
            lines.append(
                _("Added %(section)s %(name)s")
                % {"section": label, "name": _entry_name(section, key, after[key], lang)}
            )
        elif key not in after:
            lines.append(
                _("Removed %(section)s %(name)s")
                % {"section": label, "name": _entry_name(section, key, before[key], lang)}
            )
        elif before[key] != after[key]:
            name = _entry_name(section, key, after[key], lang)
            old_entry, new_entry = before[key], after[key]
            for field in sorted(set(old_entry) | set(new_entry)):
                if old_entry.get(field) != new_entry.get(field):
                    lines.append(
                        _("%(section)s %(name)s: %(field)s changed from %(old)s to %(new)s")
                        % {
                            "section": label.capitalize(),
                            "name": name,
                            "field": field,
                            "old": _show(old_entry.get(field), lang),
                            "new": _show(new_entry.get(field), lang),
                        }
                    )
    return lines
