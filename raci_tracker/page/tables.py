"""Read a page's token stream into headings, sections and raw tables: the only module that imports
markdown-it-py.

Sections come from their numbers (`3.1.2.`) when the page numbers its headings; a page that numbers
none takes each section from its heading text and the path of its parent headings
(`Services › Backup`). Text that looks like a table but is not one to Markdown (no delimiter row,
a broken delimiter row) is noted, so the page can say what it has instead.

Only the block structure is parsed for the whole page; the inline text of a token is parsed when
it is read (a table cell, a heading, a list item), and cell text with no inline markup in it is
taken as it is, which is what markdown-it would make of it. A table is one token holding its
cells, not five tokens per cell: tables are most of a RACI page. Blocks, tables and text are
the same as markdown-it's full parse gives (tests/test_parse_equivalence.py checks them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS, escapedSplit, getLine
from markdown_it.rules_block.table import table as gfm_table
from markdown_it.token import Token
from markdown_it.utils import EnvType
from mdit_py_plugins.front_matter import front_matter_plugin

from raci_tracker.model import Finding, Section
from raci_tracker.page.frontmatter import FrontMatter, read_front_matter
from raci_tracker.page.rules import finding
from raci_tracker.text import clean_text, has_delimiter_row, strip_invisible

_MD = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
_MD.core.ruler.disable(["inline", "text_join"])  # inline text is parsed when read: `inline_text`
_INLINE_MARKUP = re.compile(r"[\n\\`*_\[\]!<&~]")
"""Characters where a commonmark inline rule can start (newline, escape, code, emphasis, link,
image, autolink, entity; `~` and `]` too, to be safe): text without them is one text token."""
_STRONG = re.compile(r"\*\*([^\n\\`*_\[\]!<&~]+)\*\*")
"""`**words**` around text without markup: strong emphasis when the words neither start nor end
with a space, as header cells and numbered headings often are."""
SECTION_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?(?:\s+|$)(.*)$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
PATH_SEPARATOR = " › "
MAX_HEADING_DEPTH = 6


@dataclass(slots=True)
class Row:
    line: int
    cells: list[str]


@dataclass(slots=True)
class Table:
    line: int
    section: str
    header: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class BulletItem:
    line: int
    text: str


@dataclass(slots=True)
class PageScan:
    """What the token stream holds, before any interpretation of tables."""

    front_matter: FrontMatter = field(default_factory=FrontMatter)
    body_start: int = 0
    first_heading: str | None = None
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[BulletItem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    loose_pipe_rows: int = 0


@dataclass(slots=True)
class _Heading:
    level: int
    text: str
    line: int


def parse_blocks(text: str, env: EnvType) -> list[Token]:
    """The page's block tokens, each table one `table` token (see `_table_rule`); `env` gets
    the page's link reference definitions, for the inline text read later."""
    return _MD.parse(text, env)


def scan_page(text: str) -> PageScan:
    env: EnvType = {}
    tokens = parse_blocks(text, env)
    headings = _headings(tokens, env)
    numbered = any(SECTION_NUMBER.match(h.text) for h in headings.values())
    first = next(iter(headings.values()), None)
    scan = PageScan(first_heading=first.text if first else None)
    _Walker(scan, env, numbered, headings, _page_title(list(headings.values()))).walk(tokens)
    return scan


def _page_title(headings: list[_Heading]) -> _Heading | None:
    """The first heading, when no other is at its level or above, and it is a level-1 heading or
    has headings under it (a lone `## Backup` over a table is that table's section)."""
    if not headings or any(h.level <= headings[0].level for h in headings[1:]):
        return None
    return headings[0] if headings[0].level == 1 or len(headings) > 1 else None


def _headings(tokens: Sequence[Token], env: EnvType) -> dict[int, _Heading]:
    """Headings by the index of their opening token: Markdown ones, and HTML ones (`<h3>`) that
    a page writes as a paragraph of their own."""
    found = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1:])
            found[index] = _Heading(level, inline_text(tokens[index + 1], env), line_of(token))
        elif token.type == "paragraph_open" and tokens[index + 1].content.startswith("<h"):
            match = _HTML_HEADING.fullmatch(tokens[index + 1].content.strip())
            if match is not None:
                text = clean_text(_HTML_TAG.sub("", match.group(2)))
                found[index] = _Heading(int(match.group(1)), text, line_of(token))
    return found


@dataclass(slots=True)
class _Walker:
    scan: PageScan
    env: EnvType
    numbered: bool
    headings: dict[int, _Heading]
    title: _Heading | None
    section: str = ""
    _open: list[_Heading] = field(default_factory=list)

    def walk(self, tokens: Sequence[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "front_matter" and token.map:
                self.scan.front_matter = read_front_matter(token.content, first_line=2)
                self.scan.body_start = token.map[1]
            elif index in self.headings:
                self._enter(self.headings[index])
            elif token.type == "table":
                self.scan.tables.append(_read_table(token, self.section, self.env))
            elif token.type == "paragraph_open":
                self._paragraph(tokens[index + 1], line_of(token))
            elif token.type == "list_item_open" and _item_inline(tokens, index):
                text = inline_text(tokens[index + 2], self.env)
                self.scan.bullets.append(BulletItem(line_of(token), text))
            index += 1

    def _enter(self, heading: _Heading) -> None:
        match = SECTION_NUMBER.match(heading.text)
        if self.numbered:
            if match is not None:
                number, title = match.groups()
                self.scan.sections.append(Section(number, strip_invisible(title), heading.line))
                self.section = number
            return
        while self._open and self._open[-1].level >= heading.level:
            self._open.pop()
        self._open.append(heading)
        if heading is self.title:
            return  # the page's title, not a section
        path = [h.text for h in self._open if h is not self.title]
        self.section = PATH_SEPARATOR.join(strip_invisible(t) for t in path)[:300]
        self.scan.sections.append(
            Section(self.section, strip_invisible(heading.text), heading.line)
        )

    def _paragraph(self, inline: Token, line: int) -> None:
        content = inline.content
        if "|" not in content:
            return
        if has_delimiter_row(content):
            self.scan.findings.append(
                finding(
                    "malformed-table",
                    line,
                    "a table here could not be read (its delimiter row does "
                    "not match its header); its rows are not in the matrix",
                )
            )
            return
        rows = sum(1 for text in content.split("\n") if _PIPE_ROW.match(text))
        if rows >= 2:
            self.scan.loose_pipe_rows += rows
            self.scan.findings.append(
                finding(
                    "table-without-delimiter",
                    line,
                    f"{rows} lines here are written like table rows but have no delimiter row "
                    "(| --- |): Markdown does not render them as a table, so they are not read",
                )
            )


def _item_inline(tokens: Sequence[Token], index: int) -> bool:
    return index + 2 < len(tokens) and tokens[index + 2].type == "inline"


def inline_text(token: Token, env: EnvType) -> str:
    """The text a reader sees in an inline token (a heading, a list item): words and code,
    without markup; breaks read as spaces."""
    return cell_text(token.content, env)


def cell_text(content: str, env: EnvType) -> str:
    """`inline_text` of inline Markdown (a table cell)."""
    return _without_breaks(clean_text(raw_inline_text(content, env)))


def raw_inline_text(content: str, env: EnvType) -> str:
    """The text and code of inline Markdown, as markdown-it's full parse of the page gives it
    (`env`: the page's link references); breaks as spaces, markup dropped."""
    if _INLINE_MARKUP.search(content) is None:  # most cells: plain words or letters
        return content
    strong = _STRONG.fullmatch(content)
    if strong is not None and not (content[2].isspace() or content[-3].isspace()):
        return strong.group(1)
    children: list[Token] = []
    _MD.inline.parse(content, _MD, env, children)
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _without_breaks(text: str) -> str:
    """A `<br/>` written in a cell (HTML is not rendered) is a line break a reader does not see
    as words: it reads as a space, so removing one is not a rewording."""
    if "<" not in text:
        return text
    return clean_text(_LINE_BREAK.sub(" ", text))


def _read_table(token: Token, section: str, env: EnvType) -> Table:
    header = [cell_text(cell, env) for cell in token.meta["header"]]
    table = Table(line=line_of(token), section=section, header=header)
    for line, cells in token.meta["rows"]:
        table.rows.append(Row(line=line + 1, cells=[cell_text(cell, env) for cell in cells]))
    return table


def _table_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's GFM table rule, making one `table` token whose meta holds the cells of each
    row (`TableCells`) instead of a dozen tokens per row: the same tables, found by the same rule
    (tests/test_parse_equivalence.py checks them against it)."""
    if not gfm_table(state, start, end, True):
        return False
    if silent:
        return True
    token = state.push("table", "table", 0)
    parent, state.parentType = state.parentType, "table"
    header = [mdTrim(cell) for cell in _split_row(mdTrim(getLine(state, start)))]
    rows, line = _table_rows(state, start + 2, end, len(header))
    state.parentType = parent
    token.map = [start, line]
    token.meta = {"header": header, "rows": rows}
    state.line = line
    return True


def _table_rows(
    state: StateBlock, line: int, end: int, columns: int
) -> tuple[list[tuple[int, list[str]]], int]:
    """The rows under a table's delimiter row, each cut or filled to the header's cells, and
    the line after them, as markdown-it's table rule reads them."""
    terminators = state.md.block.ruler.getRules("blockquote")
    rows: list[tuple[int, list[str]]] = []
    autocompleted = 0
    while line < end and state.sCount[line] >= state.blkIndent:
        raw = getLine(state, line)
        # a block that ends a table starts with its own mark (`>`, `#`, `-`, a fence...), never `|`
        if not raw.startswith("|") and any(rule(state, line, end, True) for rule in terminators):
            break
        text = mdTrim(raw)
        if not text or state.is_code_block(line):
            break
        cells = _split_row(text)
        autocompleted += columns - len(cells)
        if autocompleted > MAX_AUTOCOMPLETED_CELLS:
            break
        rows.append((line, [mdTrim(c) for c in cells[:columns]] + [""] * (columns - len(cells))))
        line += 1
    return rows, line


def _split_row(text: str) -> list[str]:
    cells = escapedSplit(text) if "\\" in text else text.split("|")
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


_MD.block.ruler.at("table", _table_rule, {"alt": ["paragraph", "reference"]})


def line_of(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def raw_cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return _UNESCAPED_PIPE.split(stripped)
