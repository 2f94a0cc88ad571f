"""Test helpers: where the fixtures are, and the corpus of real pages."""

from __future__ import annotations

import json
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
