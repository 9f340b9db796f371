"""The shipped descriptions the demo's tests run under."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

POLICIES = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(params=["mainioco", "norrsken"])
def description(request: pytest.FixtureRequest, settings: Any) -> str:
    """Each shipped description in turn: a Finnish company and a Swedish one."""
    settings.REKISTERI_POLICY = POLICIES / f"{request.param}.toml"
    return str(request.param)


@pytest.fixture
def norrsken(settings: Any) -> None:
    settings.REKISTERI_POLICY = POLICIES / "norrsken.toml"
