"""`frozen_heap` keeps the cyclic collector off what is alive when a block starts, until the
outermost block ends; `exit_untraced` has the interpreter's exit skip its last collection."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

from raci_tracker.heap import YOUNG_GENERATION, frozen_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def garbage() -> weakref.ref[Node]:
    """A cycle no one refers to, and how to see whether it was freed."""
    return weakref.ref(Node())


def test_what_is_alive_as_a_block_starts_is_left_alone_until_the_outermost_block_ends() -> None:
    with frozen_heap():
        alive = [Node()]
        with frozen_heap():
            frozen = weakref.ref(alive.pop())  # garbage now, but alive as the block started
            made = garbage()
            gc.collect()
            assert frozen() is not None
            assert made() is None  # what a block makes is collected as usual
        gc.collect()
        assert frozen() is not None  # the nested block thawed nothing
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert frozen() is None  # collectable again


def test_a_block_leaves_no_cycle_it_made_for_a_later_one_to_freeze() -> None:
    gc.disable()  # nothing collects but the block
    try:
        with frozen_heap():
            made = garbage()
            assert made() is not None
        assert made() is None
    finally:
        gc.enable()


def test_the_exit_skips_its_last_collection_once_registered_however_often_asked() -> None:
    script = (
        "import atexit, gc, sys\n"
        "from raci_tracker.heap import exit_untraced\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 0, flush=True))\n"
        "exit_untraced(); exit_untraced()\n"
        "print(atexit._ncallbacks(), flush=True)\n"
    )
    # two handlers (the probe and one freeze), and the freeze ran before the probe ran last
    assert printed(script) == ["2", "True"]


def test_a_command_s_process_collects_its_young_objects_less_often() -> None:
    script = (
        "import gc\n"
        "print(gc.get_threshold()[0])\n"
        "import raci_tracker.cli\n"
        "print(gc.get_threshold()[0])\n"
    )
    python_s, command_s = printed(script)
    assert int(python_s) < YOUNG_GENERATION == int(command_s)


def printed(script: str) -> list[str]:
    """What `script` prints, word by word, run by a Python process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return done.stdout.split()
