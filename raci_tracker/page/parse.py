"""Parse one revision of a RACI page into a `Snapshot`: the only module that imports markdown-it-py.

Sections come from their numbers (`3.1.2.`), never from heading levels; RACI tables are
recognised by shape (party columns whose cells are role letters), the R/A/C/I legend is kept,
other tables are counted and ignored. Anything odd becomes a `Finding`, never an exception;
only input that is not text at all (binary, not UTF-8) raises `InputError`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import permutations

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from raci_tracker.errors import InputError
from raci_tracker.model import (
    ROLE_LETTERS,
    Activity,
    DateSource,
    DocumentInfo,
    Finding,
    Party,
    Section,
    Snapshot,
    SourceInfo,
    TableCounts,
)
from raci_tracker.page.dates import BodyDate, find_body_date, iso_date
from raci_tracker.page.frontmatter import FrontMatter, read_front_matter
from raci_tracker.page.parties import PartyResolver
from raci_tracker.page.rules import (
    activity_findings,
    duplicate_activity_findings,
    duplicate_section_findings,
    finding,
)
from raci_tracker.text import INVISIBLE, clean_text, slugify, strip_invisible

PARSER_VERSION = "1"
"""Bumped whenever the same page would parse to a different snapshot."""

_MD = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
_SECTION_HEADING = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?(?:\s+|$)(.*)$")
_LEGEND_ROW = re.compile(r"^([RACI])\s*[:=\-–—]\s*(.+)$")
_CELL_SEPARATORS = re.compile(r"[\s,/+&;]+")
_BLANK_MARKS = frozenset({"", "-", "–", "—"})
_DELIMITER_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.MULTILINE)
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


# --- reading the token stream ------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    line: int
    cells: list[str]


@dataclass(slots=True)
class _Table:
    line: int
    section: str
    header: list[str]
    rows: list[_Row] = field(default_factory=list)


@dataclass(slots=True)
class _PageScan:
    """What the token stream holds, before any interpretation of tables."""

    front_matter: FrontMatter = field(default_factory=FrontMatter)
    body_start: int = 0
    first_heading: str | None = None
    sections: list[Section] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _inline_text(token: Token) -> str:
    children = token.children or ()
    if len(children) == 1 and children[0].type == "text":  # most cells: plain words or letters
        return clean_text(children[0].content)
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return clean_text("".join(parts))


def _scan(tokens: Sequence[Token]) -> _PageScan:
    scan = _PageScan()
    section = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "front_matter" and token.map:
            scan.front_matter = read_front_matter(token.content, first_line=2)
            scan.body_start = token.map[1]
        elif token.type == "heading_open":
            section = _read_heading(scan, tokens[index + 1], _line(token), section)
        elif token.type == "table_open":
            table, index = _read_table(tokens, index, section)
            scan.tables.append(table)
        elif token.type == "paragraph_open" and _DELIMITER_ROW.search(tokens[index + 1].content):
            scan.findings.append(
                finding(
                    "malformed-table",
                    _line(token),
                    "a table here could not be read (its delimiter row does "
                    "not match its header); its rows are not in the matrix",
                )
            )
        index += 1
    return scan


def _read_heading(scan: _PageScan, inline: Token, line: int, current: str) -> str:
    text = _inline_text(inline)
    if scan.first_heading is None:
        scan.first_heading = text
    match = _SECTION_HEADING.match(text)
    if match is None:
        return current
    number, title = match.groups()
    scan.sections.append(Section(number=number, title=strip_invisible(title), line=line))
    return number


def _read_table(tokens: Sequence[Token], start: int, section: str) -> tuple[_Table, int]:
    table = _Table(line=_line(tokens[start]), section=section, header=[])
    row: _Row | None = None
    index = start
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "tr_open":
            row = _Row(line=_line(token), cells=[])
        elif token.type == "inline" and row is not None:
            row.cells.append(_inline_text(token))
        elif token.type == "tr_close" and row is not None:
            if table.header:
                table.rows.append(row)
            else:
                table.header = row.cells
        index += 1
    return table, index


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


# --- interpreting tables -----------------------------------------------------------------------


def _letter_forms() -> dict[str, str]:
    """Every way to write a set of role letters without separators: `IR` -> `RI`, `" "` -> `""`."""
    forms = dict.fromkeys(_BLANK_MARKS, "")
    for size in range(1, len(ROLE_LETTERS) + 1):
        for letters in permutations(ROLE_LETTERS, size):
            forms["".join(letters)] = "".join(x for x in ROLE_LETTERS if x in letters)
    return forms


_LETTER_FORMS = _letter_forms()


def read_letters(cell: str) -> str | None:
    """Role letters in canonical order (`IR` -> `RI`), `""` for a blank cell, None if unreadable."""
    known = _LETTER_FORMS.get(cell)
    if known is not None:
        return known
    compact = _CELL_SEPARATORS.sub("", cell.strip("*_`")).upper()
    if compact in _BLANK_MARKS:
        return ""
    if not set(compact) <= set(ROLE_LETTERS):
        return None
    return "".join(letter for letter in ROLE_LETTERS if letter in compact)


def _is_legend(table: _Table) -> bool:
    cells = [row.cells[0] for row in table.rows if row.cells]
    if len(table.header) == 1:
        return any(_LEGEND_ROW.match(cell) for cell in cells)
    return (
        len(table.header) == 2
        and bool(cells)
        and all(cell.strip("*") in tuple(ROLE_LETTERS) for cell in cells)
    )


def _is_raci(table: _Table, resolver: PartyResolver) -> bool:
    if len(table.header) < 2:
        return False
    if any(resolver.is_known(label) for label in table.header[1:]):
        return True
    cells = [read_letters(cell) for row in table.rows for cell in row.cells[1:]]
    letters = sum(1 for cell in cells if cell)
    unreadable = sum(1 for cell in cells if cell is None)
    return letters > 0 and letters >= unreadable


def _legend_entries(table: _Table) -> dict[str, str]:
    entries: dict[str, str] = {}
    for row in table.rows:
        if len(table.header) == 2 and len(row.cells) == 2:
            letter, meaning = row.cells[0].strip("*"), row.cells[1]
        else:
            match = _LEGEND_ROW.match(row.cells[0]) if row.cells else None
            if match is None:
                continue
            letter, meaning = match.groups()
        entries.setdefault(letter, meaning.strip())
    return entries


def _table_parties(table: _Table, resolver: PartyResolver) -> list[Party]:
    parties: list[Party] = []
    for label in table.header[1:]:
        party = resolver.resolve(label)
        taken = {p.id for p in parties}
        suffix = 2
        while party.id in taken:
            party = Party(id=f"{resolver.resolve(label).id}-{suffix}", label=party.label)
            suffix += 1
        parties.append(party)
    return parties


@dataclass(slots=True)
class _MatrixBuilder:
    """Turns RACI tables into activities, with ids unique on the page and cell findings."""

    lines: Sequence[str]
    party_ids: Sequence[str]
    activities: list[Activity] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    def add_table(self, table: _Table, columns: list[Party]) -> None:
        if not table.rows:
            self.findings.append(
                finding("empty-table", table.line, "a RACI table has a header but no rows")
            )
        for row in table.rows:
            if any(row.cells):
                self._add_row(table, columns, row)

    def _add_row(self, table: _Table, columns: list[Party], row: _Row) -> None:
        text = row.cells[0] if row.cells else ""
        if INVISIBLE.search(text):
            text = strip_invisible(text)
            self.findings.append(
                finding(
                    "invisible-characters",
                    row.line,
                    f"'{text}' contains invisible or text-direction characters; they were removed",
                )
            )
        activity_id = self._unique_id(f"{table.section or '_'}/{slugify(text)}")
        # Every activity names every party of the page, in column order ("" where none).
        assignments = dict.fromkeys(self.party_ids, "")
        for party, cell in zip(columns, row.cells[1:], strict=False):
            letters = read_letters(cell)
            if letters is None:
                self.findings.append(
                    finding(
                        "unknown-letter",
                        row.line,
                        f"cell '{cell}' for {party.label} is not a combination of R, A, C, I",
                        activity_id,
                    )
                )
            assignments[party.id] = letters or ""
        self._check_cell_count(table, row, activity_id)
        self.activities.append(
            Activity(
                id=activity_id,
                section=table.section,
                text=text,
                line=row.line,
                assignments=assignments,
            )
        )

    def _check_cell_count(self, table: _Table, row: _Row, activity_id: str) -> None:
        raw = self.lines[row.line - 1] if 0 < row.line <= len(self.lines) else ""
        stripped = raw.strip()
        most = raw.count("|") + 1 - stripped.startswith("|") - stripped.endswith("|")
        if most <= len(table.header):  # no room for an extra cell: skip the split
            return
        cells = _raw_cells(raw)
        if len(cells) > len(table.header):
            dropped = " | ".join(cell.strip() for cell in cells[len(table.header) :])
            message = f"row has {len(cells)} cells for {len(table.header)} columns"
            self.findings.append(
                finding("extra-cells", row.line, f"{message}; ignored: '{dropped}'", activity_id)
            )

    def _unique_id(self, base: str) -> str:
        candidate, suffix = base, 2
        while candidate in self._ids:
            candidate = f"{base}-{suffix}"
            suffix += 1
        self._ids.add(candidate)
        return candidate


def _raw_cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return _UNESCAPED_PIPE.split(stripped)


# --- dates -------------------------------------------------------------------------------------


def _front_matter_line(lines: Sequence[str], key: str, body_start: int) -> int | None:
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for index in range(min(body_start, len(lines))):
        if pattern.match(lines[index]):
            return index + 1
    return None


def _resolve_date(
    front: Mapping[str, object], body: BodyDate | None, updated_line: int | None
) -> tuple[str | None, DateSource, list[Finding]]:
    findings = []
    raw = front.get("updated")
    updated = iso_date(raw) if isinstance(raw, str) else None
    if raw is not None and updated is None:
        findings.append(
            finding(
                "date-invalid",
                updated_line,
                f"front-matter 'updated' is not a YYYY-MM-DD date: {raw!r}",
            )
        )
    if body is not None and body.placeholder:
        findings.append(
            finding(
                "date-placeholder", body.line, f"the in-body date is a placeholder: '{body.text}'"
            )
        )
    if updated is not None:
        if body is not None and body.iso is not None and body.iso != updated:
            findings.append(
                finding(
                    "date-mismatch",
                    body.line,
                    f"front matter says {updated} but the page body says "
                    f"{body.iso} ('{body.text}')",
                )
            )
        return updated, DateSource.FRONT_MATTER, findings
    if body is not None and body.iso is not None:
        return body.iso, DateSource.BODY, findings
    findings.append(
        finding("date-missing", None, "the page has no 'updated' front matter and no in-body date")
    )
    return None, DateSource.NONE, findings


# --- the page ----------------------------------------------------------------------------------


MAX_PAGE_BYTES = 5 * 1024 * 1024
"""Real RACI pages are about 10 KB; anything this large is not one, and would only cost time."""


def decode_page(data: bytes, path: str) -> str:
    """Page bytes as UTF-8 text with LF line ends (a BOM is dropped); binary input is refused."""
    if len(data) > MAX_PAGE_BYTES:
        size = len(data) / 1024 / 1024
        raise InputError(
            f"is {size:.1f} MiB; pages over {MAX_PAGE_BYTES // 1024 // 1024} MiB are "
            "not RACI pages and are refused",
            path=path,
        )
    if b"\x00" in data[:8192]:
        raise InputError("is a binary file, not a Markdown page", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(f"is not UTF-8 text (byte {error.start})", path=path, line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_page(
    data: bytes | str,
    *,
    path: str = "<page>",
    locale: str | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
    commit: str | None = None,
    blob: str | None = None,
) -> Snapshot:
    """Parse one page revision (bytes, or text). Raises `InputError` only for non-text input."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    text = decode_page(data, path)
    lines = text.split("\n")
    scan = _scan(_MD.parse(text))
    tables = _classify(scan.tables, PartyResolver(aliases))
    builder = _MatrixBuilder(lines, [party.id for party in tables.parties])
    for table, columns in tables.raci:
        builder.add_table(table, columns)
    front = scan.front_matter.data
    body_date = find_body_date(lines[scan.body_start :], first_line=scan.body_start + 1)
    updated_line = _front_matter_line(lines, "updated", scan.body_start)
    updated, date_source, date_findings = _resolve_date(front, body_date, updated_line)
    document = DocumentInfo(
        title=_text_value(front.get("title")) or scan.first_heading,
        excerpt=_text_value(front.get("excerpt")),
        updated=updated,
        date_source=date_source,
        body_date=body_date.iso if body_date else None,
        locale=locale,
        front_matter=front,
    )
    findings = [
        *scan.findings,
        *builder.findings,
        *date_findings,
        *_unclosed_front_matter(lines, scan),
    ]
    findings.extend(_page_findings(scan, builder.activities, tables.counts))
    return Snapshot(
        document=document,
        source=SourceInfo(
            sha256=hashlib.sha256(data).hexdigest(), path=path, commit=commit, blob=blob
        ),
        legend=tables.legend,
        parties=tuple(tables.parties),
        sections=tuple(scan.sections),
        activities=tuple(builder.activities),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        tables=tables.counts,
    )


@dataclass(slots=True)
class _Tables:
    legend: dict[str, str] = field(default_factory=dict)
    raci: list[tuple[_Table, list[Party]]] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    counts: TableCounts = field(default_factory=TableCounts)


def _classify(tables: Sequence[_Table], resolver: PartyResolver) -> _Tables:
    """Sort tables into the legend, RACI matrices (with their columns) and the rest."""
    found = _Tables()
    other = 0
    for table in tables:
        if _is_legend(table):
            for letter, meaning in _legend_entries(table).items():
                found.legend.setdefault(letter, meaning)
        elif _is_raci(table, resolver):
            columns = _table_parties(table, resolver)
            found.raci.append((table, columns))
            known = {party.id for party in found.parties}
            found.parties.extend(party for party in columns if party.id not in known)
        else:
            other += 1
    legends = len(tables) - len(found.raci) - other
    found.counts = TableCounts(raci=len(found.raci), legend=legends, other=other)
    return found


def _page_findings(
    scan: _PageScan, activities: Sequence[Activity], counts: TableCounts
) -> list[Finding]:
    found = []
    if scan.front_matter.problem:
        problem = scan.front_matter.problem
        found.append(finding("front-matter-invalid", scan.front_matter.problem_line, problem))
    if counts.raci == 0:
        found.append(finding("no-raci-table", None, "the page has no RACI table"))
    for activity in activities:
        found.extend(activity_findings(activity))
    found.extend(duplicate_activity_findings(activities))
    found.extend(duplicate_section_findings(scan.sections))
    return found


def _unclosed_front_matter(lines: Sequence[str], scan: _PageScan) -> list[Finding]:
    """A page that opens front matter (`---`) and never closes it: its keys are lost."""
    opened = bool(lines) and lines[0].strip() == "---"
    if not opened or scan.body_start > 0:
        return []
    return [
        finding(
            "front-matter-invalid",
            1,
            "front matter opened with --- is never closed; "
            "its keys (title, updated, ...) are not read",
        )
    ]


def _text_value(value: object) -> str | None:
    return clean_text(value) if isinstance(value, str) and value.strip() else None
