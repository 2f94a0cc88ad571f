"""Shared fixtures: the corpus of real pages and golden files.

Golden files live in `tests/golden/` as plain files; run `pytest --update-golden` to rewrite
them after an intended change, then review the diff.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers import GOLDEN


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden files from the current output"
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, bytes], None]:
    """Compare bytes with `tests/golden/<name>`, or rewrite it under `--update-golden`."""
    update = request.config.getoption("--update-golden")

    def check(name: str, actual: bytes) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual)
        assert path.exists(), f"no golden file {path}; run pytest --update-golden"
        assert actual.decode("utf-8") == path.read_bytes().decode("utf-8")

    return check
