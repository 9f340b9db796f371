"""Bulk import of people from CSV or JSON Lines, validated row by row.

Every row passes the same rules as a person registered over the API
(``person_clean``); a rejected row is reported with its line number and reason
and never stops the others, unless the import is atomic. Rows are written in
set-based batches: ``bulk_create`` on SQLite, ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record_many
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.bulk import insert_rows, next_ids
from rekisteri.core.errors import InvalidInput, RekisteriError
from rekisteri.register.models import EmailAddress, Person, PhoneNumber, PostalAddress
from rekisteri.register.services import (
    AddressIn,
    PersonIn,
    person_clean,
    person_fields_written,
    source_from_subject,
    source_require,
)

COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "country",
    "personal_identity_code",
    "birth_year",
    "gender",
    "job_title",
)
REQUIRED = ("first_name", "last_name")
MAX_FILE_BYTES = 512 * 1024 * 1024
FORGOTTEN = (
    "this person asked to be forgotten (suppression list); import them by hand if they came back"
)
# Whether an identifier ("email" or "phone", cleaned as the register stores it)
# belonged to a person who was forgotten. The retention app answers it; the
# register is below retention and takes the answer as a callback.
Suppressed = Callable[[str, str], bool]


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    written: bool = False


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, row) from a .csv or .jsonl file; a bad file is refused whole."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".jsonl"}:
        raise InvalidInput("the file must be .csv or .jsonl", data={"file": path.name})
    try:
        size = path.stat().st_size
    except OSError:
        raise InvalidInput(f"cannot read {path.name}", data={"file": path.name}) from None
    if size > MAX_FILE_BYTES:
        raise InvalidInput(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if suffix == ".csv":
                yield from _csv_rows(handle)
            else:
                yield from _jsonl_rows(handle)
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text", data={"file": path.name}) from None
    except csv.Error as exc:
        # strict quoting: an unterminated quote would otherwise swallow the rows after it.
        raise InvalidInput(
            f"{path.name} is not well-formed CSV ({exc})", data={"file": path.name}
        ) from None
    except OSError:
        raise InvalidInput(f"cannot read {path.name}", data={"file": path.name}) from None


def _csv_rows(handle: io.TextIOBase) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(handle, strict=True)
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        # The unknown names are not repeated: a file without a header has data there.
        raise InvalidInput(
            "the first line must be a header of known, distinct columns "
            f"({len(unknown)} unknown, {len(header) - len(set(header))} repeated"
            + (f", lacking {', '.join(missing)}" if missing else "")
            + f"); the columns are {', '.join(COLUMNS)}"
        )
    for row in reader:
        if None in row:
            yield reader.line_num, {"__error__": "has more fields than the header"}
        else:
            yield reader.line_num, row


def _jsonl_rows(handle: io.TextIOBase) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            # Also a number too long to convert, or nesting too deep to follow.
            yield number, {"__error__": "is not valid JSON"}
            continue
        if not isinstance(row, dict):
            yield number, {"__error__": "is not a JSON object"}
            continue
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            # Keys are named only when they look like column names, never data.
            named = [k for k in unknown if re.fullmatch(r"[a-z_]{1,40}", k)]
            yield (
                number,
                {
                    "__error__": f"has unknown keys {named}"
                    if len(named) == len(unknown)
                    else f"has {len(unknown)} unknown keys"
                },
            )
            continue
        yield number, row


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidInput(f"{key}: must be text")
    return str(value).strip()


def row_person(row: dict[str, Any]) -> PersonIn:
    """Turn one file row into a cleaned person, or raise with the reason."""
    if "__error__" in row:
        raise InvalidInput(str(row["__error__"]))
    year_text = _text(row, "birth_year")
    if year_text and not re.fullmatch(r"[0-9]{4}", year_text):
        raise InvalidInput("birth_year: must be a year")
    street, postal, city = (_text(row, k) for k in ("street_address", "postal_code", "city"))
    address = None
    if street or postal or city:
        address = AddressIn(street, postal, city, _text(row, "country") or None)
    return person_clean(
        PersonIn(
            first_name=_text(row, "first_name"),
            last_name=_text(row, "last_name"),
            email=_text(row, "email") or None,
            phone=_text(row, "phone") or None,
            address=address,
            personal_identity_code=_text(row, "personal_identity_code") or None,
            birth_year=int(year_text) if year_text else None,
            gender=_text(row, "gender"),
            job_title=_text(row, "job_title"),
        )
    )


def people_import(
    *,
    actor: Actor,
    path: Path,
    source: str,
    atomic: bool = False,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    suppressed: Suppressed | None = None,
) -> ImportReport:
    """Import the valid rows of ``path``; with ``atomic``, none unless all are valid.

    With ``suppressed``, a row whose e-mail address or phone number belonged to a
    forgotten person is rejected: an old list must not bring back someone who
    asked to be erased (GDPR Art. 17).
    """
    source_require(source)
    report = ImportReport()
    valid: list[tuple[int, PersonIn]] = []
    seen_emails: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for line, row in read_rows(path):
        report.read += 1
        if progress:
            progress(1)
        try:
            person = row_person(row)
            # What this row holds decides which categories must list the source.
            source_require(source, person_fields_written(person))
        except RekisteriError as exc:
            report.rejected.append(RejectedRow(line, exc.message))
            continue
        if suppressed is not None and _forgotten(person, suppressed):
            report.rejected.append(RejectedRow(line, FORGOTTEN))
            continue
        email_key = person.email.lower() if person.email else None
        if email_key and email_key in seen_emails:
            report.rejected.append(
                RejectedRow(line, f"email: duplicate of line {seen_emails[email_key]}")
            )
            continue
        code = person.personal_identity_code
        if code and code in seen_codes:
            report.rejected.append(
                RejectedRow(line, f"personal_identity_code: duplicate of line {seen_codes[code]}")
            )
            continue
        if email_key:
            seen_emails[email_key] = line
        if code:
            seen_codes[code] = line
        valid.append((line, person))

    valid = _drop_already_registered(valid, report)
    report.rejected.sort(key=lambda rejected: rejected.line)
    if atomic and report.rejected:
        return report
    people = [person for _, person in valid]

    def write(batch: Sequence[PersonIn]) -> None:
        ids = _write_batch(batch, source=source)
        audit_record_many(
            actor=actor,
            event=AuditEvent.PEOPLE_IMPORTED,
            person_ids=ids,
            data={"source": source},
        )
        report.imported += len(ids)

    if atomic:
        with transaction.atomic():
            for start in range(0, len(people), batch_size):
                write(people[start : start + batch_size])
    else:
        for start in range(0, len(valid), batch_size):
            batch = valid[start : start + batch_size]
            try:
                with transaction.atomic():
                    write([person for _, person in batch])
            except IntegrityError:
                # Someone registered one of these people while the import ran: check
                # the batch against the register again, once, and write the rest.
                kept = _drop_already_registered(batch, report)
                with transaction.atomic():
                    write([person for _, person in kept])
    report.rejected.sort(key=lambda rejected: rejected.line)
    report.written = report.imported > 0
    return report


def _forgotten(person: PersonIn, suppressed: Suppressed) -> bool:
    """Ask about the identifiers in their stored form, so that the salted hashes match."""
    return bool(
        (person.email and suppressed("email", person.email))
        or (person.phone and suppressed("phone", person.phone))
    )


def _drop_already_registered(
    valid: list[tuple[int, PersonIn]], report: ImportReport
) -> list[tuple[int, PersonIn]]:
    """Deduplicate against the register: an e-mail or identity code it already holds."""
    taken_emails: set[str] = set()
    taken_codes: set[str] = set()
    emails = [p.email.lower() for _, p in valid if p.email]
    codes = [p.personal_identity_code for _, p in valid if p.personal_identity_code]
    for start in range(0, len(emails), 5000):
        taken_emails.update(
            EmailAddress.objects.annotate(key=Lower("address"))
            .filter(key__in=emails[start : start + 5000])
            .values_list("key", flat=True)
        )
    for start in range(0, len(codes), 5000):
        taken_codes.update(
            code
            for code in Person.objects.filter(
                personal_identity_code__in=codes[start : start + 5000]
            ).values_list("personal_identity_code", flat=True)
            if code
        )
    kept = []
    for line, person in valid:
        if person.email and person.email.lower() in taken_emails:
            report.rejected.append(RejectedRow(line, "email: already registered"))
        elif person.personal_identity_code in taken_codes:
            report.rejected.append(RejectedRow(line, "personal_identity_code: already registered"))
        else:
            kept.append((line, person))
    return kept


def _write_batch(people: Sequence[PersonIn], *, source: str) -> list[int]:
    """Write a batch set-based, in the caller's transaction, ids drawn up front."""
    now = clock.now()
    ids = next_ids(Person, len(people))
    pairs = list(zip(ids, people, strict=True))
    insert_rows(
        Person,
        (
            "id",
            "pseudonym",
            "stored_at",
            "source",
            "first_name",
            "last_name",
            "personal_identity_code",
            "birth_year",
            "gender",
            "job_title",
        ),
        (
            (
                pid,
                uuid.uuid4(),
                now,
                source,
                p.first_name,
                p.last_name,
                p.personal_identity_code,
                p.birth_year,
                p.gender,
                p.job_title,
            )
            for pid, p in pairs
        ),
    )
    provenance = ("person_id", "stored_at", "source")
    # Verified when the person gave the address themself (as person_register decides).
    verified_at = now if source_from_subject(source) else None
    insert_rows(
        EmailAddress,
        (*provenance, "address", "verified_at"),
        ((pid, now, source, p.email, verified_at) for pid, p in pairs if p.email),
    )
    insert_rows(
        PhoneNumber,
        (*provenance, "number"),
        ((pid, now, source, p.phone) for pid, p in pairs if p.phone),
    )
    insert_rows(
        PostalAddress,
        (*provenance, "street_address", "postal_code", "city", "country"),
        (
            (
                pid,
                now,
                source,
                p.address.street_address,
                p.address.postal_code,
                p.address.city,
                p.address.country,
            )
            for pid, p in pairs
            if p.address
        ),
    )
    return ids
