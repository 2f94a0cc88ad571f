"""Every real page in the fixtures parses to the same snapshot as when this file's golden list
was written: a change meant only to make parsing faster must leave each snapshot byte for byte."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from raci_tracker.codec import snapshot_to_json
from raci_tracker.page.parse import parse_page
from tests.helpers import FIXTURES

PAGES = sorted(
    path.relative_to(FIXTURES).as_posix()
    for folder in ("corpus", "external")
    for path in (FIXTURES / folder).rglob("*.md")
)


def test_fixture_pages_parse_to_the_snapshots_they_always_did(
    golden: Callable[[str, bytes], None],
) -> None:
    """The SHA-256 of each page's snapshot JSON, a line per page (a diff names the page)."""
    lines = []
    for name in PAGES:
        snapshot = parse_page((FIXTURES / name).read_bytes(), path=name, locale="en-gb")
        lines.append(f"{hashlib.sha256(snapshot_to_json(snapshot)).hexdigest()}  {name}\n")

    assert len(lines) > 80
    golden("snapshots/fixture-pages.sha256", "".join(lines).encode("utf-8"))
