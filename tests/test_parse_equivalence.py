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
from raci_tracker.page.tables import parse_blocks, raw_inline_text
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


# --- tables: one token per table, the same tables as markdown-it's own table rule -------------

Block = tuple[str, tuple[int, ...], str]


def stock_blocks(text: str) -> list[Block]:
    """The block tokens of markdown-it's full parse, each table's tokens folded into one: its
    lines, and its cells' text (header first) by line."""
    blocks: list[Block] = []
    table: list[Token] | None = None
    for token in FULL.parse(text, {}):
        if token.type == "table_open":
            table = [token]
        elif table is not None:
            table.append(token)
            if token.type == "table_close":
                blocks.append(_folded(table))
                table = None
        else:
            blocks.append((token.type, tuple(token.map or ()), token.content))
    return blocks


def _folded(tokens: list[Token]) -> Block:
    cells = [(t.map or [0])[0] for t in tokens if t.type == "tr_open"]
    rows = {line: [t.content for t in tokens if t.type == "inline" and t.map and t.map[0] == line]
            for line in cells}  # fmt: skip
    return ("table", tuple(tokens[0].map or ()), repr(sorted(rows.items())))


def our_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    for token in parse_blocks(text, {}):
        if token.type == "table":
            header = (token.map or [0])[0]
            rows = [(header, token.meta["header"]), *token.meta["rows"]]
            blocks.append(("table", tuple(token.map or ()), repr(sorted(rows))))
        else:
            blocks.append((token.type, tuple(token.map or ()), token.content))
    return blocks


@pytest.mark.parametrize("name", PAGES)
def test_the_tables_of_real_pages_are_markdown_its_tables(name: str) -> None:
    """Every block of every real page, tables included, is where markdown-it's table rule and
    the rest of its block rules put it."""
    text = (FIXTURES / name).read_text(encoding="utf-8")

    assert our_blocks(text) == stock_blocks(text)


LINES = st.sampled_from(
    [
        "| a | b |", "|---|---|", "| :-- | --: |", "a | b", "--- | ---", "| a \\| b | c |",
        "| **A** | `c|d` |", "| x |", "|", "||", "| a | b | c | d |", "  | indented | row |",
        "    | code | row |", "\t| tab |", "", "> | quoted | row |", "# Heading", "## 2. Two",
        "- item | with pipe", "* | star |", "1. | one |", "```", "~~~", "<div>", "</div>",
        "***", "___", "-", "text | more", "| R | A |\\", "[r]: https://example.invalid",
        "| [R][r] | &amp; |", "|-|-|-|", "| :-: |", "| a |  |", "| é | \u00a0 |",
    ]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(LINES, max_size=14))
def test_any_lines_make_the_same_blocks_as_markdown_its_table_rule(lines: list[str]) -> None:
    """Tables ended by quotes, lists, headings, fences, HTML, blank or indented lines; rows
    short or long; escaped pipes; tables in quotes and lists: the same blocks everywhere."""
    text = "\n".join(lines)

    assert our_blocks(text) == stock_blocks(text)
