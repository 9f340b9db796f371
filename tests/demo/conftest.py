"""The shipped descriptions the demo's tests run under."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

POLICIES = Path(__file__).resolve().parents[2] / "policies"


# Beispiel Analytik GmbH, the tests' German company, shares no key with the others
# and has no words of its own country: the demo borrows Finnish ones.
BEISPIEL = Path(__file__).resolve().parents[1] / "policy" / "beispiel_gmbh.toml"


@pytest.fixture(params=["mainioco", "norrsken", "beispiel"])
def description(request: pytest.FixtureRequest, settings: Any) -> str:
    """Each shipped description in turn (a Finnish company, a Swedish one), and a German."""
    path = BEISPIEL if request.param == "beispiel" else POLICIES / f"{request.param}.toml"
    settings.REKISTERI_POLICY = path
    return str(request.param)


@pytest.fixture
def norrsken(settings: Any) -> None:
    settings.REKISTERI_POLICY = POLICIES / "norrsken.toml"
