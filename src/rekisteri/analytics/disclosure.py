"""Statistical disclosure control: counts that cannot be differenced down to one person.

Two defences, applied to every count of people the analysis purposes see:

* **Threshold**: a count below the policy's ``min_cell_size`` is suppressed.
* **Cell-key perturbation** (the method of statistical offices' table
  builders): each released count is moved by a small amount, -2 to +2, drawn
  from a keyed hash of exactly which people the cell counts. The same people
  always give the same figure, so asking again reveals nothing; two cells that
  differ by one person get independent perturbations, so subtracting one
  segment from another does not tell whether that person is in it.

The key is the register's secret: knowing the members' ids does not give the
perturbation away.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from rekisteri.policy.selectors import policy_get


def min_cell_size() -> int:
    anonymisation = policy_get().anonymisation
    return anonymisation.min_cell_size if anonymisation is not None else 5


def _perturbation(count: int, key_sum: int) -> int:
    spread = settings.REKISTERI_ANALYTICS_NOISE
    if spread == 0:
        return 0
    message = f"{count}:{key_sum}".encode()
    digest = hmac.new(settings.REKISTERI_ANALYTICS_KEY.encode(), message, hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") % (2 * spread + 1) - spread


def released(count: int, key_sum: int) -> int | None:
    """The count to show for a cell of ``count`` people whose ids sum to ``key_sum``.

    None means suppressed. Zero stays zero: an empty cell has no one to protect.
    """
    if count == 0:
        return 0
    shown = max(0, count + _perturbation(count, key_sum))
    if count < min_cell_size() or shown < min_cell_size():
        return None
    return shown
