"""Log lines carry ids, never personal data.

A database error's text can quote the row that broke a constraint (an e-mail
address in a unique violation); such errors are logged by type alone. And
whatever else an exception quotes (a mail server's refusal names the
recipient), ``ScrubPersonalData`` takes e-mail addresses, phone numbers and
identity codes out of every record before any handler writes it: the last line
of defence, installed on every handler in the settings' ``LOGGING``. The first
line is at the source: code that logs a failure logs ids and the exception's
class (``failure_summary``), never its text.
"""

from __future__ import annotations

import logging
import re
import traceback

from django.db import DatabaseError

# The local part without quotes and braces, which surround an address in a repr.
_EMAIL = re.compile(r"[\w.!#$%&*+/=?^`~-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers: international (+358 40 123 4567, 00358401234567) and Finnish or
# Swedish national ones (040 123 4567, 08-123 456 78), which start with a zero.
# Ids, dates and times start otherwise, and are left alone.
_PHONE = re.compile(
    r"(?<![\w.+-])(?:(?:\+|00)[1-9][0-9](?:[ -]?\(?[0-9]\)?){5,13}"
    r"|0[1-9][0-9]{0,3}(?:[ -]?[0-9]){5,10})(?![\w-])"
)
# Identity codes: the Finnish henkilötunnus (131052-308T), the Swedish, Danish and
# Norwegian ones (19521013-1234, 521013-1234), and the digit runs of 11 to 13 most
# other EU codes are (PESEL, isikukood, NIR, EGN), the Spanish DNI and NIE, the
# Italian codice fiscale, and account numbers (IBAN).
_IDENTITY_CODE = re.compile(
    r"(?<![\w-])(?:"
    r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]"
    r"|(?:19|20)?[0-9]{6}[-+][0-9]{4}"
    r"|(?:19|20)[0-9]{6}[0-9]{4}"
    r"|[0-9]{11,13}"
    r"|[0-9]{8}[A-Z]|[XYZ][0-9]{7}[A-Z]"
    r"|[A-Z]{6}[0-9]{2}[A-Z][0-9]{2}[A-Z][0-9]{3}[A-Z]"
    r"|[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?"
    r")(?![\w-])"
)


def scrub(text: str) -> str:
    """The text with e-mail addresses, phone numbers and identity codes replaced."""
    text = _EMAIL.sub("[email]", text)
    text = _IDENTITY_CODE.sub("[identity code]", text)
    return _PHONE.sub("[phone]", text)


def failure_summary(error: BaseException) -> str:
    """Where an error happened and its class, without its message (which may quote data)."""
    name = f"{type(error).__name__} (details withheld)"
    frames = "".join(traceback.format_tb(error.__traceback__)).rstrip()
    return f"{name}\n{frames}" if frames else name


class RedactDatabaseErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DatabaseError):
            error = record.exc_info[1]
            record.msg = f"{record.msg} [{type(error).__name__}; details withheld]"
            record.exc_info = None
            record.exc_text = None
        return True


class ScrubPersonalData(logging.Filter):
    """Scrub the message, its arguments, the exception's text and the stack of a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Arguments that do not fit the message: keep neither as given.
            message = f"{record.msg!s} {record.args!r}"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            # The text is kept, scrubbed; the exception object (and the data it
            # holds) goes, so that no handler formats it again from the original.
            record.exc_info = None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True
