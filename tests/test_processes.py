"""Whether the process a temporary file names may still be writing it."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from raci_tracker import files, processes

HOUR = 3600.0


@pytest.fixture
def zombie() -> Iterator[int]:
    """A process that has ended and that nothing has reaped yet."""
    ended = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while state(ended.pid) != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state(ended.pid) == "Z"
    yield ended.pid
    ended.wait()


@pytest.fixture
def sleeper() -> Iterator[int]:
    running = subprocess.Popen(["sleep", "60"])
    yield running.pid
    running.kill()
    running.wait()


def state(pid: int) -> str:
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return text[text.rfind(")") + 2]


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
