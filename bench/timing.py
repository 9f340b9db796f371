"""Timing helpers and the shape of a result; no Django here (it is set up after)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any


@dataclass
class Measure:
    name: str
    unit: str
    ours: float
    baseline: float
    target: str
    # A rate (requests or people per second): the ratio is then baseline over ours,
    # so that above 1 always means slower than the baseline.
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.baseline / self.ours if self.ours else float("nan")
        return self.ours / self.baseline if self.baseline else float("nan")


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def latency(
    name: str, ours: Callable[[int], Any], plain: Callable[[int], Any], ids: list[int], target: str
) -> list[Measure]:
    half = len(ids) // 2
    # Different people for each side (forgetting changes what it touches), taking
    # turns, so that drift in a shared machine's load falls on both sides alike.
    mine: list[float] = []
    theirs: list[float] = []
    for own, other in zip(ids[:half], ids[half : 2 * half], strict=True):
        mine.append(_timed(partial(ours, own)) * 1000)
        theirs.append(_timed(partial(plain, other)) * 1000)
    return [
        Measure(f"{name} p50", "ms", _p(mine, 50), _p(theirs, 50), target),
        Measure(f"{name} p99", "ms", _p(mine, 99), _p(theirs, 99), target),
    ]
