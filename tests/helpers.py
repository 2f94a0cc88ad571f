"""Test helpers: where the fixtures are, the corpus of real pages, and processes."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from raci_tracker.cli import main

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
CORPUS = FIXTURES / "corpus"
GOLDEN = TESTS / "golden"


def corpus_entries() -> list[dict[str, str]]:
    lines = (CORPUS / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def corpus_page(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def run_cli(*args: str) -> int:
    """Run `raci-tracker ARGS` in this process; its exit code."""
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return int(done.value.code or 0)


@contextlib.contextmanager
def running() -> Iterator[int]:
    """The number of a process that runs until the block ends."""
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        yield sleeper.pid
    finally:
        sleeper.kill()
        sleeper.wait()


@contextlib.contextmanager
def zombie() -> Iterator[int]:
    """The number of a process that has ended and that nothing has reaped yet, as a killed
    run's worker is until its new parent reaps it."""
    ended = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 10
        while process_state(ended.pid) != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process_state(ended.pid) == "Z"
        yield ended.pid
    finally:
        ended.wait()


def process_state(pid: int) -> str:
    """The state letter `/proc/PID/stat` gives, after the command's name in parentheses."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return text[text.rfind(")") + 2]


def alive(pid: int) -> bool:
    """Whether process `pid` exists and has not ended (a zombie has)."""
    try:
        return process_state(pid) not in "ZX"
    except FileNotFoundError:
        return False
