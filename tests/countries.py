"""Register descriptions of companies in other countries: Mainioco's, with the
controller table replaced, so that only what the country decides differs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

MAINIOCO = Path(__file__).resolve().parent.parent / "policies" / "mainioco.toml"

# An osakeyhtiö in Jyväskylä: what Finland decides, under whichever description is loaded.
FINNISH = {
    "name": "Keskisuomen Data Oy",
    "business_id": "2817330-9",
    "street_address": "Kauppakatu 39",
    "postal_code": "40100",
    "city": "Jyväskylä",
    "country": "FI",
}
# A GmbH in Hamburg: its own holidays (Reformationstag) beside Germany's.
GERMAN = {
    "name": "Elbwerft Daten GmbH",
    "business_id": "Hamburg HRB 12345",
    "street_address": "Große Elbstraße 145",
    "postal_code": "22767",
    "city": "Hamburg",
    "country": "DE",
    "subdivision": "HH",
}
# An aktiebolag in Stockholm.
SWEDISH = {
    "name": "Skärgårdsdata AB",
    "business_id": "556036-0793",
    "street_address": "Drottninggatan 1",
    "postal_code": "114 55",
    "city": "Stockholm",
    "country": "SE",
}


def with_controller(text: str, controller: Mapping[str, str]) -> str:
    """``text`` with its ``[controller]`` table replaced by ``controller``."""
    start = text.index("[controller]\n")
    end = text.index("\n[", start)
    lines = [f"{key} = {_toml_string(value)}" for key, value in controller.items()]
    lines += ['contact_email = "privacy@example.com"', "data_protection_officer_required = false"]
    return text[:start] + "[controller]\n" + "\n".join(lines) + "\n" + text[end:]


def policy_file(directory: Path, controller: Mapping[str, str], name: str = "policy") -> Path:
    """Write Mainioco's description with ``controller`` to ``directory``; return its path."""
    path = directory / f"{name}.toml"
    path.write_text(with_controller(MAINIOCO.read_text(encoding="utf-8"), controller), "utf-8")
    return path


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
