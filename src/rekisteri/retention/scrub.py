"""Scrubbing identifiers out of free text before it is kept anonymised (notice §6).

The person's own names, e-mail addresses, phone numbers and organisation names
are replaced first, then generic patterns that identify anyone: e-mail
addresses, phone numbers, Finnish personal identity codes, IBANs, IP addresses
and URLs that carry ids.

Finnish inflects names: "Korhonen" appears as "Korhoselle", "Korhosten",
"Korhoseen". Hand-made stem rules miss many such forms, so text kept
anonymised is also read with Voikko, the maintained Finnish morphological
analyser: a word whose base form is one of the person's names or their
street goes, and so does any word Voikko knows as a first name or a surname
(other people named in the text). Without Voikko the patterns alone apply,
and ``rekisteri check`` says so.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Finnish henkilötunnus: DDMMYY, century sign, three digits, check character.
PERSONAL_IDENTITY_CODE = re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b", re.IGNORECASE)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"\b(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{1,4}\b")
URL = re.compile(r"https?://[^\s<>\"']+")
# A URL "with ids": a number of three or more digits, a UUID-like run or a query.
_URL_ID = re.compile(r"\d{3,}|[0-9a-f]{8}-[0-9a-f]{4}|\?", re.IGNORECASE)
# Finnish numbers as people write them: +358 40 123 4567, 040-123 4567, 09 1234 567.
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?|0)\d{1,3}(?:[\s-]?\d){5,9}\b")

PLACEHOLDERS = {
    "name": "[NIMI]",
    "organisation": "[ORGANISAATIO]",
    "email": "[SÄHKÖPOSTI]",
    "phone": "[PUHELIN]",
    "personal_identity_code": "[HETU]",
    "iban": "[IBAN]",
    "ip": "[IP]",
    "url": "[URL]",
    "address": "[OSOITE]",
    "postal_code": "[POSTINUMERO]",
}


@dataclass(frozen=True)
class Identifiers:
    """What identifies one person, to be scrubbed wherever it appears."""

    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    # Whole names ("Matti Virtanen"): in other people's records, a first name alone
    # is someone else's as often as this person's.
    full_names: tuple[str, ...] = ()
    # Postal addresses as (street address, postal code): "Rautatienkatu 5 A 3", "33100".
    addresses: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Rule:
    """One identifier's pattern, and a part of it that any match must contain."""

    source: str
    flags: int
    placeholder: str
    # Lower-cased; digits only for a phone number (matched in the text's digits).
    needle: str
    digits: bool = False


@functools.lru_cache(maxsize=4096)
def _compiled(source: str, flags: int) -> re.Pattern[str]:
    return re.compile(source, flags)


def _name_rule(name: str) -> _Rule:
    """A name and its Finnish inflections: Virtanen, Virtasen, Virtaselle; Matti, Matille."""
    stems = {name}
    if name.lower().endswith("nen") and len(name) > 4:
        stems.add(name[:-3] + "s")
    if len(name) > 3:
        # Consonant gradation shortens a double consonant: Matti -> Mati(lle).
        stems.add(re.sub(r"(.)\1(?=.$)", r"\1", name))
    escaped = "|".join(re.escape(stem) for stem in sorted(stems, key=len, reverse=True))
    # Character by character: every inflection starts with this.
    needle = os.path.commonprefix([stem.lower() for stem in stems])  # noqa: RUF071
    return _Rule(r"\b(?:" + escaped + r")\w*", re.I, PLACEHOLDERS["name"], needle)


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


@functools.lru_cache(maxsize=256)
def _person_rules(who: Identifiers) -> tuple[_Rule, ...]:
    """The person's rules, in the order they apply."""
    found: list[_Rule] = []
    for full_name in sorted(who.full_names, key=len, reverse=True):
        parts = full_name.split()
        spaced = r"\s+".join(re.escape(part) for part in parts)
        found.append(_Rule(spaced, re.I, PLACEHOLDERS["name"], parts[0].lower() if parts else ""))
    for email in who.emails:
        found.append(_Rule(re.escape(email), re.I, PLACEHOLDERS["email"], email.lower()))
    for phone in who.phones:
        # The same number written in any grouping, national or international.
        national = "0" + _digits(phone)[3:] if phone.startswith("+358") else _digits(phone)
        for form in sorted({_digits(phone), national}):
            spaced = r"[\s-]?".join(re.escape(d) for d in form)
            found.append(_Rule(r"\+?" + spaced, 0, PLACEHOLDERS["phone"], form, digits=True))
    for organisation in sorted(who.organisations, key=len, reverse=True):
        if len(organisation) >= 2:
            found.append(
                _Rule(
                    re.escape(organisation),
                    re.I,
                    PLACEHOLDERS["organisation"],
                    organisation.lower(),
                )
            )
    for name in sorted(who.names, key=len, reverse=True):
        if len(name) >= 2:
            found.append(_name_rule(name))
    return tuple(found)


def _latin1(text: str) -> bool:
    return all(ord(c) < 0x100 for c in text)


def scrub_person(text: str, who: Identifiers) -> str:
    """Return ``text`` with this person's identifiers replaced, and nothing else.

    A rule whose needle the text lacks cannot match, so it is neither compiled
    nor run: most texts name no one, and compiling each person's patterns was
    most of the sweep's time. A rule is skipped only where text and needle are
    both Latin-1, in which lower() and the pattern's IGNORECASE agree; beyond
    it they need not ("İ" lowers to two characters, the long s matches "s").
    """
    out = text
    latin = _latin1(text)
    lowered, digits = text.lower(), _digits(text)
    for rule in _person_rules(who):
        haystack = digits if rule.digits else lowered
        if latin and _latin1(rule.needle) and rule.needle not in haystack:
            continue
        out = _compiled(rule.source, rule.flags).sub(rule.placeholder, out)
    return out


# Voikko's word classes for the names of people.
_PERSON_NAME_CLASSES = frozenset({"etunimi", "sukunimi"})
# A word (letters, hyphenated parts), then what may follow a street's name: the
# house number, a staircase letter and a flat number ("5 A 3", "12b", "7-9").
_WORD_AND_HOUSE = re.compile(
    r"([^\W\d_]+(?:-[^\W\d_]+)*)"
    r"(\s+\d+(?:\s*-\s*\d+)?(?:\s*[^\W\d_](?![^\W\d_]))?(?:\s*\d+(?!\d*[.,:/]\d))?)?"
)
_NEXT_CAPITALISED = re.compile(r"[ \t]+[A-ZÅÄÖ]")
_AFTER_NAME = re.compile(
    "(" + re.escape(PLACEHOLDERS["name"]) + r"[ \t]+)([A-ZÅÄÖ][^\W\d_]+(?:-[^\W\d_]+)*)"
)
_voikko_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _voikko() -> Any:
    try:
        import libvoikko

        return libvoikko.Voikko("fi")
    except Exception:  # the package, the library or the Finnish dictionary is missing
        logger.warning("Voikko is not available: inflected names are caught by patterns only")
        return None


def morphology_available() -> bool:
    """Whether Voikko (the Finnish morphological analyser) is installed and loads."""
    return _voikko() is not None


@functools.lru_cache(maxsize=1 << 16)
def _analyses(word: str) -> tuple[tuple[str, str], ...]:
    """Voikko's readings of a word: (base form in lower case, word class) each."""
    voikko = _voikko()
    if voikko is None:
        return ()
    with _voikko_lock:  # one Voikko handle is not safe across threads
        found = voikko.analyze(word)
    return tuple((str(a.get("BASEFORM", "")).lower(), str(a.get("CLASS", ""))) for a in found)


def _bases(word: str) -> set[str]:
    return {base for base, _ in _analyses(word)} | {word.lower()}


def _sentence_starts_at(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t")
    return not before or before[-1] in ".!?…\n"


def _scrub_morphology(text: str, who: Identifiers | None, *, others: bool) -> str:
    """Replace, by base form, the person's names and street, and with ``others`` anyone's name."""
    names = {name.lower() for name in who.names} if who else set()
    streets = set()
    for street_address, postal_code in who.addresses if who else ():
        words = _WORD_AND_HOUSE.match(street_address.strip())
        if words:
            streets |= _bases(words.group(1))
        if postal_code.strip():
            # Before a town's name ("33100 Tampere"): the same digits alone may be a sum.
            text = re.sub(
                rf"(?<!\d){re.escape(postal_code.strip())}(?=\s+[A-ZÅÄÖ])",
                PLACEHOLDERS["postal_code"],
                text,
            )

    def replace(match: re.Match[str]) -> str:
        word, house = match.group(1), match.group(2) or ""
        if not word[0].isupper():
            return match.group(0)  # names and streets are written with a capital
        readings = _analyses(word)
        bases = {base for base, _ in readings} | {word.lower()}
        if streets & bases:
            return PLACEHOLDERS["address"]
        if names & bases:
            return PLACEHOLDERS["name"] + house
        if others and readings:
            classes = {kind for _, kind in readings}
            # "Tuuli puhalsi" opens a sentence with a noun; "Aalto soitti" mid-sentence
            # is a person, and so is "Matti Meikäläinen" anywhere. A word that is only
            # ever a name is one anywhere.
            if classes & _PERSON_NAME_CLASSES and (
                classes <= _PERSON_NAME_CLASSES
                or not _sentence_starts_at(text, match.start())
                or (not house and _NEXT_CAPITALISED.match(text, match.end()) is not None)
            ):
                return PLACEHOLDERS["name"] + house
        return match.group(0)

    out = _WORD_AND_HOUSE.sub(replace, text)
    if others:
        # A surname Voikko does not know, right after a name: "[NIMI] Meikäläisen".
        out = _AFTER_NAME.sub(
            lambda m: m.group(0) if _analyses(m.group(2)) else m.group(1) + PLACEHOLDERS["name"],
            out,
        )
    return out


def scrub(text: str, who: Identifiers | None = None) -> str:
    """Return ``text`` with the person's identifiers and generic identifiers replaced.

    This is for text kept anonymised: the names of other people in it go too.
    """
    if not text:
        return text
    out = scrub_person(text, who) if who is not None else text
    out = _scrub_morphology(out, who, others=True)
    out = EMAIL.sub(PLACEHOLDERS["email"], out)
    out = URL.sub(lambda m: PLACEHOLDERS["url"] if _URL_ID.search(m.group(0)) else m.group(0), out)
    out = PERSONAL_IDENTITY_CODE.sub(PLACEHOLDERS["personal_identity_code"], out)
    out = IBAN.sub(PLACEHOLDERS["iban"], out)
    out = IPV4.sub(PLACEHOLDERS["ip"], out)
    out = IPV6.sub(PLACEHOLDERS["ip"], out)
    return PHONE.sub(PLACEHOLDERS["phone"], out)
