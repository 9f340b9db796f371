"""gunicorn's access log, with control characters in request data escaped.

A path like ``/x%0d%0aFAKE`` is decoded before it is logged; written as it is,
it would start a forged line in the log.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _escape(value: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", value)


class EscapingLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {k: _escape(v) if isinstance(v, str) else v for k, v in atoms.items()}
