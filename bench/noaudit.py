"""The register's WSGI application with the audit trail's writers made no-ops.

For the benchmark's audit-off side only (`gunicorn bench.noaudit:application`):
the difference from `rekisteri.wsgi` is what writing the trail costs. Production
has no way to turn the trail off, and this module gives it none.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rekisteri.settings")

django.setup()

from rekisteri.audit import services  # noqa: E402 - its models need the apps loaded

WRITERS = ("audit_record", "audit_record_many")


def _nothing(**_: Any) -> None:
    """Writes no entry (no caller uses what audit_record returns)."""


def _silence() -> None:
    originals = {name: getattr(services, name) for name in WRITERS}
    # Callers import the writers by name, so each module holds its own reference:
    # load every view (and all they import), then swap every reference, the
    # services module's too, which later imports would take.
    import_module(settings.ROOT_URLCONF)
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", {})
        for name, original in originals.items():
            if namespace.get(name) is original:
                namespace[name] = _nothing
    from rekisteri.register import selectors

    if vars(selectors)["audit_record"] is not _nothing:  # the read this side measures
        raise RuntimeError("bench.noaudit: reading a person still writes the audit trail")


_silence()
application = get_wsgi_application()
