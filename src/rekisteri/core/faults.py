"""Named points where a test may kill the process, to prove what survives a crash there."""

from __future__ import annotations

import os
import signal

from django.conf import settings


def fault_point(name: str) -> None:
    """Die at once (SIGKILL, as a power cut would) when ``REKISTERI_FAULT_POINT`` names this point.

    Off in production whatever the variable says.
    """
    if name == settings.REKISTERI_FAULT_POINT and not settings.PRODUCTION:
        os.kill(os.getpid(), signal.SIGKILL)
