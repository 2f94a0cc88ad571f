"""Timing shared by the benchmarks: interleaved rounds, best of each, so that drift on a noisy
shared machine hits every statement alike and the ratios between them hold."""

from __future__ import annotations

import timeit
from collections.abc import Callable

ROUNDS, NUMBER = 15, 20


def best_ms(*statements: Callable[[], object]) -> list[float]:
    """Best time of each statement, in milliseconds."""
    timers = [timeit.Timer(statement) for statement in statements]
    best = [float("inf")] * len(timers)
    for _ in range(ROUNDS):
        for index, timer in enumerate(timers):
            best[index] = min(best[index], timer.timeit(NUMBER) / NUMBER * 1000)
    return best
