"""Every erasure action a policy may name has its strategy."""

from __future__ import annotations

import pytest

from rekisteri.policy.schema import ErasureAction
from rekisteri.retention import strategies


@pytest.mark.parametrize("action", list(ErasureAction))
def test_every_erasure_action_has_a_strategy(action: ErasureAction) -> None:
    assert callable(strategies.erasure_strategy(action))
