"""The parser reads only the block structure of a page, and the inline text of what it uses:
every real page in the fixtures parses to the same snapshot as when the golden list of their
digests was written, and every inline text is what markdown-it's full parse gives (the one test
module that uses markdown-it directly, as the reference)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from raci_tracker.codec import snapshot_to_json
from raci_tracker.page.parse import parse_page
from raci_tracker.page.tables import raw_inline_text
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


# --- the inline text the parser reads, against markdown-it's full parse ----------------------

FULL = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
"""markdown-it as configured for pages, with every core rule (inline text parsed everywhere)."""


def full_parse_text(children: Sequence[Token]) -> str:
    parts = [
        child.content if child.type in ("text", "code_inline") else " "
        for child in children
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    ]
    return "".join(parts)


@pytest.mark.parametrize("name", PAGES)
def test_every_inline_text_is_what_a_full_parse_gives(name: str) -> None:
    """Cells, headings, list items and paragraphs of real pages: plain words, bold header cells,
    links, code, escapes and entities all read as markdown-it's full parse reads them."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    env: dict[str, Any] = {}
    inlines = [token for token in FULL.parse(text, env) if token.type == "inline"]

    assert inlines
    for token in inlines:
        assert raw_inline_text(token.content, env) == full_parse_text(token.children or [])


def test_link_references_of_the_page_are_used() -> None:
    """`[text][ref]` in a cell is a link only when the page defines `ref`: read as `text`."""
    env: dict[str, Any] = {}
    FULL.parse("| a |\n| - |\n| [R][r] |\n\n[r]: https://example.invalid\n", env)

    assert raw_inline_text("[R][r]", env) == "R"
    assert raw_inline_text("[R][r]", {}) == "[R][r]"


CELL_TEXT = st.text(
    alphabet=st.sampled_from(list("aZ é1 \t\u00a0\u2003*_`\\[]()!<>&#;:|-~.,'\"\n")),
    max_size=24,
)


@settings(max_examples=600, deadline=None)
@given(CELL_TEXT | st.builds(lambda text: f"**{text}**", CELL_TEXT))
def test_inline_text_of_any_cell_is_what_a_full_parse_gives(content: str) -> None:
    """The shortcuts for plain text and for `**bold**` text agree with markdown-it everywhere."""
    parsed = FULL.parseInline(content, {})[0].children or []

    assert raw_inline_text(content, {}) == full_parse_text(parsed)
