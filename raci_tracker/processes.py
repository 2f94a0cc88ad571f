"""Whether the process that wrote a file may still be writing it."""

from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")
_GONE = frozenset("ZXx")
"""The states of a process that has ended: a zombie waits only to be reaped."""
_CLOCK_SLACK = 600.0
"""Seconds by which a process's start may seem later than a file it wrote: `/proc` gives the
start to a second, and a file system on another machine dates files by that machine's clock. A
file taken for a live writer's is only removed later; a live writer's, removed, fails its write."""


def may_still_write(pid: int, written_at: float) -> bool:
    """Whether process `pid` may be the one that wrote a file last modified at `written_at`
    (seconds since the epoch) and still be writing it.

    Not when it is gone, nor when it is a zombie (a killed run's worker, killed with it, stays
    one until something reaps it, and in a container nothing may for a while), nor when it
    started after the file was written: its number was given again to another process.
    """
    if pid == os.getpid():
        return True
    if not (_PROC / "self/stat").is_file():
        return _signalable(pid)
    fields = _stat_fields(pid)
    if fields is None or fields[0] in _GONE:
        return False
    return _started_at(fields) <= written_at + _CLOCK_SLACK


def _signalable(pid: int) -> bool:
    """Without `/proc`: whether a process with that number exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of `/proc/PID/stat` after the command's name, the state first; None when
    there is no such process. The name is in parentheses and may hold any character."""
    try:
        text = (_PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    return text[text.rfind(b")") + 2 :].decode("ascii", "replace").split()


def _started_at(fields: list[str]) -> float:
    """When the process started, in seconds since the epoch: `/proc` counts clock ticks since
    the machine booted (field 22 of `stat`, the 20th after the name)."""
    ticks = int(fields[19])
    return _booted_at() + ticks / os.sysconf("SC_CLK_TCK")


def _booted_at() -> float:
    for line in (_PROC / "stat").read_text(encoding="ascii").splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return 0.0
