"""Log lines carry ids, never personal data.

A database error's text can quote the row that broke a constraint (an e-mail
address in a unique violation); such errors are logged by type alone.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError


class RedactDatabaseErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DatabaseError):
            error = record.exc_info[1]
            record.msg = f"{record.msg} [{type(error).__name__}; details withheld]"
            record.exc_info = None
            record.exc_text = None
        return True
