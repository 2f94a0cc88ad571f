"""The cyclic garbage collector kept off what a long stage only reads (`frozen_heap`), off
everything at the interpreter's exit (`exit_untraced`), and run less often in a command's
process (`collect_less_often`)."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager

_DEPTH = [0]
_AT_EXIT: list[bool] = []

YOUNG_GENERATION = 10_000
"""Allocations between two collections of the youngest generation, in a command's process
(Python's default: 700)."""


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave everything alive now out of the cyclic garbage collector's passes until the block
    ends (a nested block freezes what is alive when it starts, and the outermost block thaws
    everything).

    A run's stages allocate many short-lived objects beside large ones made before them (the
    modules, a page's index and changelog entries), which stay alive throughout. Python's
    automatic full collections would trace all of those again and again, for nothing: on a long
    history one costs as much as rendering a page. Frozen, they are not traced. What the block
    makes is collected as usual, and once more as it ends (tracing only what it made), so that
    it leaves no cycles behind (deepdiff's trees are made of them) for a later block to freeze
    and keep. What was frozen is collectable again once the outermost block ends."""
    _DEPTH[0] += 1
    gc.freeze()
    try:
        yield
    finally:
        gc.collect()
        _DEPTH[0] -= 1
        if _DEPTH[0] == 0:
            gc.unfreeze()


def exit_untraced() -> None:
    """Have the interpreter's exit skip its last collection over every object still alive: a
    run ends holding the modules it imported and what it read, and tracing them all once more
    (for the cycles among them, which the exit frees anyway) cost a page commit's run a tenth
    of its time. Registered once, so it runs after every exit handler registered later."""
    if not _AT_EXIT:
        atexit.register(gc.freeze)
        _AT_EXIT.append(True)


def collect_less_often() -> None:
    """Collect the youngest generation every `YOUNG_GENERATION` allocations. A command imports
    its modules and builds what it keeps (a page's index, its changelog) in millions of
    allocations that stay alive: every 700 of them, the collector traced the newest again for
    nothing, a twentieth of a page commit's run. Cycles are still collected, a few thousand
    objects later, and at each `frozen_heap` block's end."""
    gc.set_threshold(YOUNG_GENERATION, *gc.get_threshold()[1:])
