"""What the controller's country decides: business ids, identity codes, postal codes,
public holidays and the time zone.

One table for every EU/EEA state (the register's law is the GDPR's), read by the
policy loader, the register's validation, the request deadlines and the settings.
The identifier checks are python-stdnum's and the holidays the ``holidays``
package's; this module only chooses among them. It imports nothing of Django or
of the register, so that the settings can ask it for the time zone.

Refusals say what is wrong without the value: a personal identity code is
personal data and must not reach a message.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stdnum import get_cc_module
from stdnum.exceptions import InvalidChecksum

if TYPE_CHECKING:
    import holidays

DEFAULT_COUNTRY = "FI"


@dataclass(frozen=True)
class PostalCodeRule:
    # Matched against the code in upper case with runs of spaces made one; the
    # groups are joined by ``layout`` into the stored form ("11455" -> "114 55").
    pattern: str
    layout: str
    # How the rule reads in a refusal: "five digits".
    shape: str
    # The number of digits when the code is digits alone (0 otherwise): a door words it.
    digits: int = 0


@dataclass(frozen=True)
class Country:
    code: str
    # In messages: "not a valid Finnish business id".
    adjective: str
    # The capital's zone, the default of ``controller.time_zone``.
    time_zone: str
    postal_code: PostalCodeRule
    # python-stdnum modules: the company register number first, then the VAT
    # number; a business id is valid when one of them accepts it.
    business_ids: tuple[str, ...]
    # python-stdnum modules of the national personal identity code ("" when the
    # country has none that stdnum can check).
    personal_ids: tuple[str, ...]
    # Shown after "expected" when a business id has the wrong shape.
    business_id_example: str = ""


def _digits(n: int) -> PostalCodeRule:
    words = {3: "three", 4: "four", 5: "five", 6: "six"}
    return PostalCodeRule(f"([0-9]{{{n}}})", "{0}", f"{words[n]} digits", digits=n)


def _split(first: int, second: int, sep: str, shape: str) -> PostalCodeRule:
    # The separator is optional on input and always there in the stored form.
    return PostalCodeRule(
        f"([0-9]{{{first}}}){re.escape(sep)}?([0-9]{{{second}}})", f"{{0}}{sep}{{1}}", shape
    )


def _prefixed(prefix: str, n: int, shape: str) -> PostalCodeRule:
    # Written with or without the country's letters ("LV-1050" or "1050").
    return PostalCodeRule(f"(?:{prefix}-?)?([0-9]{{{n}}})", f"{prefix}-{{0}}", shape)


_COUNTRIES = (
    Country(
        "AT", "Austrian", "Europe/Vienna", _digits(4), ("at.businessid", "at.uid"), ("at.vnr",)
    ),
    Country("BE", "Belgian", "Europe/Brussels", _digits(4), ("be.vat",), ("be.nn", "be.bis")),
    Country("BG", "Bulgarian", "Europe/Sofia", _digits(4), ("bg.vat",), ("bg.egn", "bg.pnf")),
    Country("HR", "Croatian", "Europe/Zagreb", _digits(5), ("hr.oib",), ("hr.oib",)),
    Country("CY", "Cypriot", "Asia/Nicosia", _digits(4), ("cy.vat",), ()),
    Country("CZ", "Czech", "Europe/Prague", _split(3, 2, " ", "NNN NN"), ("cz.dic",), ("cz.rc",)),
    Country("DK", "Danish", "Europe/Copenhagen", _digits(4), ("dk.cvr",), ("dk.cpr",)),
    Country(
        "EE", "Estonian", "Europe/Tallinn", _digits(5), ("ee.registrikood", "ee.kmkr"), ("ee.ik",)
    ),
    Country(
        "FI",
        "Finnish",
        "Europe/Helsinki",
        _digits(5),
        ("fi.ytunnus",),
        ("fi.hetu",),
        business_id_example="1234567-8",
    ),
    Country(
        "FR", "French", "Europe/Paris", _digits(5), ("fr.siren", "fr.siret", "fr.tva"), ("fr.nir",)
    ),
    Country(
        "DE",
        "German",
        "Europe/Berlin",
        _digits(5),
        ("de.handelsregisternummer", "de.vat"),
        ("de.idnr",),
        business_id_example="Hamburg HRB 12345, or DE123456789",
    ),
    Country("GR", "Greek", "Europe/Athens", _split(3, 2, " ", "NNN NN"), ("gr.vat",), ("gr.amka",)),
    Country("HU", "Hungarian", "Europe/Budapest", _digits(4), ("hu.anum",), ()),
    Country(
        "IE",
        "Irish",
        "Europe/Dublin",
        # Eircode: a routing key and a unique identifier ("D02 X285").
        PostalCodeRule(
            "([AC-FHKNPRTV-Y][0-9]{2}|D6W) ?([0-9AC-FHKNPRTV-Y]{4})", "{0} {1}", "an Eircode"
        ),
        ("ie.vat",),
        ("ie.pps",),
    ),
    Country("IT", "Italian", "Europe/Rome", _digits(5), ("it.iva",), ("it.codicefiscale",)),
    Country(
        "LV", "Latvian", "Europe/Riga", _prefixed("LV", 4, "LV-NNNN"), ("lv.pvn",), ("lv.pvn",)
    ),
    Country(
        "LT",
        "Lithuanian",
        "Europe/Vilnius",
        _prefixed("LT", 5, "LT-NNNNN"),
        ("lt.pvm",),
        ("lt.asmens",),
    ),
    Country(
        "LU", "Luxembourgish", "Europe/Luxembourg", _prefixed("L", 4, "L-NNNN"), ("lu.tva",), ()
    ),
    Country(
        "MT",
        "Maltese",
        "Europe/Malta",
        PostalCodeRule("([A-Z]{3}) ?([0-9]{4})", "{0} {1}", "three letters and four digits"),
        ("mt.vat",),
        (),
    ),
    Country(
        "NL",
        "Dutch",
        "Europe/Amsterdam",
        PostalCodeRule("([1-9][0-9]{3}) ?([A-Z]{2})", "{0} {1}", "1234 AB"),
        ("nl.btw",),
        ("nl.bsn",),
    ),
    Country(
        "PL",
        "Polish",
        "Europe/Warsaw",
        _split(2, 3, "-", "NN-NNN"),
        ("pl.regon", "pl.nip"),
        ("pl.pesel",),
    ),
    Country(
        "PT", "Portuguese", "Europe/Lisbon", _split(4, 3, "-", "NNNN-NNN"), ("pt.nif",), ("pt.cc",)
    ),
    Country(
        "RO",
        "Romanian",
        "Europe/Bucharest",
        _digits(6),
        ("ro.onrc", "ro.cui", "ro.cf"),
        ("ro.cnp",),
    ),
    Country(
        "SK", "Slovak", "Europe/Bratislava", _split(3, 2, " ", "NNN NN"), ("sk.dph",), ("sk.rc",)
    ),
    Country(
        "SI", "Slovenian", "Europe/Ljubljana", _digits(4), ("si.maticna", "si.ddv"), ("si.emso",)
    ),
    Country(
        "ES", "Spanish", "Europe/Madrid", _digits(5), ("es.cif", "es.nif"), ("es.dni", "es.nie")
    ),
    Country(
        "SE",
        "Swedish",
        "Europe/Stockholm",
        _split(3, 2, " ", "NNN NN"),
        ("se.orgnr", "se.vat"),
        ("se.personnummer",),
        business_id_example="556036-0793",
    ),
    Country(
        "IS",
        "Icelandic",
        "Atlantic/Reykjavik",
        _digits(3),
        ("is_.kennitala", "is_.vsk"),
        ("is_.kennitala",),
    ),
    # Liechtenstein uses Swiss postal codes; stdnum has no VAT module for it, but
    # its PEID numbers entities as well as individuals.
    Country("LI", "Liechtenstein", "Europe/Vaduz", _digits(4), ("li.peid",), ("li.peid",)),
    Country(
        "NO", "Norwegian", "Europe/Oslo", _digits(4), ("no.orgnr", "no.mva"), ("no.fodselsnummer",)
    ),
)

COUNTRIES: dict[str, Country] = {country.code: country for country in _COUNTRIES}
# The EU member states and the other EEA states: a disclosure elsewhere is a transfer
# under GDPR Chapter V.
EEA = frozenset(COUNTRIES)

# The shape of a postal code where the register knows no rule of the country.
_ANY_POSTAL_CODE = PostalCodeRule("([A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9])", "{0}", "malformed")


class Refused(ValueError):
    """A value breaks its country's rule; the message says how, never the value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def country_get(code: str) -> Country:
    """The register's rules for ``code``; refused when it is not an EU/EEA state."""
    country = COUNTRIES.get(code)
    if country is None:
        raise Refused(
            f"{code!r} is not a country the register serves: give an EU/EEA state "
            f"({', '.join(sorted(COUNTRIES))})"
        )
    return country


@cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(f"stdnum.{name}")


def identifier_name(module_name: str) -> str:
    """What the identifier is called: "Y-tunnus", "Handelsregisternummer", "VAT number"."""
    if _is_vat(module_name):
        return "VAT number"
    doc = (_module(module_name).__doc__ or module_name).splitlines()[0]
    return doc.split(" (")[0].rstrip(".")


def _is_vat(module_name: str) -> bool:
    cc = module_name.split(".")[0].rstrip("_")
    return get_cc_module(cc, "vat") is _module(module_name)


def _first_valid(modules: tuple[str, ...], value: str) -> tuple[str | None, str | None, bool]:
    """The first module that accepts the value and its compact form, and whether any
    module found the right shape but a wrong check digit."""
    bad_checksum = False
    for name in modules:
        try:
            return name, str(_module(name).validate(value)), False
        except InvalidChecksum:
            bad_checksum = True
        except (ValueError, LookupError, ArithmeticError):
            # Not this module's number: stdnum's ValidationError is a ValueError, and
            # a module's own slip on odd input (pt.cc raises a bare ValueError for
            # some) is still no number, never a crash.
            pass
    return None, None, bad_checksum


def business_id_clean(country_code: str, value: str) -> str:
    """Return the business id as its register writes it; ``Refused`` when no check
    of the country accepts it."""
    country = country_get(country_code)
    if not country.business_ids:
        raise Refused(f"the register cannot check {country.adjective} business ids")
    names = " or ".join(identifier_name(m) for m in country.business_ids)
    name, compact, bad_checksum = _first_valid(country.business_ids, value.strip())
    if name is not None and compact is not None:
        if _is_vat(name) and not compact[:2].isalpha():
            # A VAT number is written with its country's prefix, which compact() drops.
            return ("EL" if country.code == "GR" else country.code) + compact
        formatter = getattr(_module(name), "format", None)
        return str(formatter(compact)) if formatter else compact
    if bad_checksum:
        raise Refused(
            f"is not a valid {country.adjective} business id ({names}): "
            "the check digit does not match"
        )
    expected = f": expected {country.business_id_example}" if country.business_id_example else ""
    raise Refused(f"is not a {country.adjective} business id ({names}){expected}")


def personal_identity_code_clean(country_code: str, value: str, *, today: dt.date) -> str:
    """Return the personal identity code in its compact form; ``Refused`` when the
    country's check does not accept it or it gives a birth date after ``today``."""
    country = country_get(country_code)
    if not country.personal_ids:
        raise Refused(f"the register cannot check {country.adjective} personal identity codes")
    code = value.strip().upper()
    _, found, _ = _first_valid(country.personal_ids, code)
    if found is None:
        raise Refused(f"is not a valid {country.adjective} personal identity code")
    if _birth_date(country, found) > today:
        raise Refused("gives a date of birth in the future")
    return found


def _birth_date(country: Country, code: str) -> dt.date:
    if country.code == "FI":
        # stdnum's hetu module checks the date but does not return it.
        century = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
        century |= dict.fromkeys("ABCDEF", 2000)
        day, month, year = int(code[0:2]), int(code[2:4]), int(code[4:6])
        return dt.date(century[code[6]] + year, month, day)
    for name in country.personal_ids:
        module = _module(name)
        getter = getattr(module, "get_birth_date", None)
        if getter is None:
            continue
        try:
            born = getter(code)
        except (ValueError, LookupError, ArithmeticError):
            continue
        if isinstance(born, dt.date):
            return born
    return dt.date.min


def postal_code_rule(country_code: str) -> PostalCodeRule | None:
    country = COUNTRIES.get(country_code)
    return country.postal_code if country else None


def postal_code_clean(country_code: str, value: str) -> str:
    """Return the postal code in its country's written form; ``Refused`` if it has not
    the country's shape (or, for a country without a rule here, any postal code's)."""
    code = re.sub(r"\s+", " ", value.strip().upper())
    rule = postal_code_rule(country_code) or _ANY_POSTAL_CODE
    # [0-9], not \d, in every rule: \d also matches Arabic-Indic and full-width digits.
    match = re.fullmatch(rule.pattern, code)
    if match is None:
        country = COUNTRIES.get(country_code)
        if country is None:
            raise Refused("is malformed")
        raise Refused(f"is not a {country.adjective} postal code ({rule.shape})")
    return rule.layout.format(*match.groups())


def holiday_calendar_check(country_code: str, subdivision: str | None) -> str | None:
    """Why ``holidays`` cannot give the country's (or region's) holidays, or None."""
    # Imported here: the settings read this module, and holidays is heavy to import.
    import holidays

    try:
        holidays.country_holidays(country_code, subdiv=subdivision)
    except NotImplementedError:
        if subdivision is None:
            return f"the holidays of {country_code!r} are not known"
        known = holidays.country_holidays(country_code).subdivisions
        return (
            f"{subdivision!r} is not a subdivision of {country_code!r} "
            f"(known: {', '.join(sorted(str(s) for s in known))})"
        )
    return None


@cache
def public_holidays(country_code: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    """The public holidays of a year in the country, or in its region ``subdivision``."""
    import holidays

    return holidays.country_holidays(country_code, subdiv=subdivision, years=year)


def time_zone_check(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone, or None when it is one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not an IANA time zone (such as 'Europe/Helsinki')"
    return None


def time_zone_of(country_code: str, time_zone: str | None = None) -> str:
    """The zone the register keeps its dates in: the given one, or the capital's."""
    if time_zone:
        return time_zone
    country = COUNTRIES.get(country_code)
    return country.time_zone if country else COUNTRIES[DEFAULT_COUNTRY].time_zone
