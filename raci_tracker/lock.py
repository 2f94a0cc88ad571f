"""One run at a time: an OS lock (`flock`) on each output folder a run writes.

The kernel releases a `flock` when its holder exits, even on SIGKILL, so a killed run never leaves
a lock behind. A second run waits for the first (up to a bound), then gives up with a clear message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from raci_tracker.errors import InputError

DEFAULT_WAIT = 600.0
_POLL = 0.1


class LockBusy(InputError):
    """Another process holds the lock and did not let go in time."""


def _try_lock(handle: int) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def hold(
    lock_file: Path, wait: float = DEFAULT_WAIT, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (created if needed), waiting up to `wait` seconds.

    A folder is locked itself, so no lock file appears among published outputs.
    """
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        if lock_file.is_dir():
            handle = os.open(lock_file, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        else:
            handle = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        message = f"cannot create the lock file: {error.strerror}"
        raise InputError(message, path=str(lock_file)) from None
    try:
        _acquire(handle, lock_file, wait, on_wait)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _acquire(
    handle: int, lock_file: Path, wait: float, on_wait: Callable[[str], None] | None
) -> None:
    if _try_lock(handle):
        return
    if on_wait is not None:
        on_wait(f"waiting up to {wait:g} s for another run holding the lock on {lock_file}")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(_POLL)
        if _try_lock(handle):
            return
    raise LockBusy(
        f"another run holds the lock on {lock_file} (waited {wait:g} s); try again later"
    )


@contextlib.contextmanager
def hold_folders(
    folders: Iterable[Path],
    wait: float = DEFAULT_WAIT,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Lock each folder (created if needed) in one fixed order: two runs never deadlock."""
    with contextlib.ExitStack() as stack:
        for folder in sorted({f.resolve() for f in folders}):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise InputError(f"cannot create: {error.strerror}", path=str(folder)) from None
            stack.enter_context(hold(folder, wait, on_wait))
        yield
