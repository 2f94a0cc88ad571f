"""Whether the process a temporary file names may still be writing it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from raci_tracker import files, processes
from tests import helpers

HOUR = 3600.0


@pytest.fixture
def zombie() -> Iterator[int]:
    with helpers.zombie() as pid:
        yield pid


@pytest.fixture
def sleeper() -> Iterator[int]:
    with helpers.running() as pid:
        yield pid


def temporary_of(folder: Path, pid: int, written_at: float) -> Path:
    path = folder / f".index.json.pid{pid}.abc123{files.TEMPORARY_SUFFIX}"
    path.write_bytes(b'{"half": ')
    os.utime(path, (written_at, written_at))
    return path


def test_a_zombie_writes_no_more_and_its_temporary_file_is_swept(
    tmp_path: Path, zombie: int
) -> None:
    left = temporary_of(tmp_path, zombie, time.time())

    assert not processes.may_still_write(zombie, time.time())
    assert files.remove_stale_temporaries(tmp_path) == 1
    assert not left.exists()


def test_a_running_process_may_write_what_was_written_since_it_started(sleeper: int) -> None:
    assert processes.may_still_write(sleeper, time.time())
    assert processes.may_still_write(os.getpid(), time.time() - HOUR)


def test_a_process_started_after_the_file_was_written_has_a_number_given_again(
    tmp_path: Path, sleeper: int
) -> None:
    (tmp_path / "newer").mkdir()
    left = temporary_of(tmp_path, sleeper, time.time() - HOUR)
    kept = temporary_of(tmp_path / "newer", sleeper, time.time())

    assert not processes.may_still_write(sleeper, time.time() - HOUR)
    assert files.remove_stale_temporaries(tmp_path) == 1
    assert not left.exists() and kept.exists()


def test_without_proc_a_process_is_asked_whether_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleeper: int
) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()
    monkeypatch.setattr(processes, "_PROC", tmp_path / "no-proc")

    assert processes.may_still_write(sleeper, time.time() - HOUR)
    assert not processes.may_still_write(ended.pid, time.time())


def test_a_process_whose_name_looks_like_a_state_is_read_right(tmp_path: Path) -> None:
    """The name in `/proc/PID/stat` is the command's, in parentheses, and may hold any text."""
    named = tmp_path / "sleep) Z 1 ("
    named.symlink_to(shutil.which("sleep") or "/bin/sleep")
    running = subprocess.Popen([str(named), "600"])
    try:
        assert processes.may_still_write(running.pid, time.time())
    finally:
        running.kill()
        running.wait()
