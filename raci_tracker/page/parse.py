"""Parse one revision of a RACI page into a `Snapshot`.

`tables` reads the Markdown (it alone imports markdown-it-py), `legend` and `cells` read keys and
cells, `matrix` turns tables into activities, `parties` names the columns. Anything odd becomes a
`Finding`, never an exception; only input that is not text at all (binary, not UTF-8) raises
`InputError`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import partial

from raci_tracker.errors import InputError
from raci_tracker.model import (
    Activity,
    DocumentInfo,
    Finding,
    Snapshot,
    SourceInfo,
)
from raci_tracker.page.bounds import bounded_text, listed
from raci_tracker.page.cells import read_letters
from raci_tracker.page.dates import PageDate, find_body_date, resolve_date
from raci_tracker.page.matrix import MatrixBuilder, Tables, classify
from raci_tracker.page.parties import PartyResolver
from raci_tracker.page.rules import (
    activity_findings,
    duplicate_activity_findings,
    duplicate_section_findings,
    finding,
)
from raci_tracker.page.tables import PageScan, scan_page
from raci_tracker.page.version import PARSER_VERSION
from raci_tracker.text import clean_text

__all__ = ["PARSER_VERSION", "decode_page", "parse_page", "read_letters"]


# --- dates -------------------------------------------------------------------------------------


def _front_matter_line(lines: Sequence[str], key: str, body_start: int) -> int | None:
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for index in range(min(body_start, len(lines))):
        if pattern.match(lines[index]):
            return index + 1
    return None


# --- the page ---------------------------------------------------------------------------------


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
    text, cut = bounded_text(decode_page(data, path))
    lines = text.split("\n")
    scan = scan_page(text)
    tables = classify(scan.tables, scan.bullets, PartyResolver(aliases))
    builder = MatrixBuilder(lines, [party.id for party in tables.parties], tables.legend.cell_key())
    for table, columns in tables.raci:
        builder.add_table(table, columns)
    document, page_date = _document_info(lines, scan, locale)
    findings = [
        *cut,
        *scan.findings,
        *tables.findings,
        *builder.findings,
        *page_date.findings,
        *_unclosed_front_matter(lines, scan),
    ]
    findings.extend(_page_findings(scan, builder.activities, tables))
    return Snapshot(
        document=document,
        source=SourceInfo(
            sha256=hashlib.sha256(data).hexdigest(), path=path, commit=commit, blob=blob
        ),
        legend=tables.legend.entries,
        parties=tuple(tables.parties),
        sections=tuple(scan.sections),
        activities=tuple(builder.activities),
        findings=tuple(listed(findings)),
        tables=tables.counts,
    )


def _document_info(
    lines: list[str], scan: PageScan, locale: str | None
) -> tuple[DocumentInfo, PageDate]:
    """The page's title, excerpt and date, and where the date came from."""
    front = scan.front_matter.data
    body_date = find_body_date(lines[scan.body_start :], first_line=scan.body_start + 1)
    line_of = partial(_front_matter_line, lines, body_start=scan.body_start)
    page_date = resolve_date(front, body_date, line_of)
    document = DocumentInfo(
        title=_text_value(front.get("title")) or scan.first_heading,
        excerpt=_text_value(front.get("excerpt")),
        updated=page_date.iso,
        date_source=page_date.source,
        body_date=body_date.iso if body_date else None,
        locale=locale,
        front_matter=front,
        date_field=page_date.date_field,
    )
    return document, page_date


def _page_findings(scan: PageScan, activities: Sequence[Activity], tables: Tables) -> list[Finding]:
    found = []
    if scan.front_matter.problem:
        problem = scan.front_matter.problem
        found.append(finding("front-matter-invalid", scan.front_matter.problem_line, problem))
    if tables.counts.raci == 0:
        found.append(finding("no-raci-table", None, _no_raci_message(scan, tables)))
    found.extend(
        finding(
            "prose-cells",
            table.line,
            "this table's cells hold sentences, not roles (R, A, C, I): it is not read as a matrix",
        )
        for table in tables.prose_tables
    )
    found.extend(
        finding(
            "roles-as-columns",
            table.line,
            "this table's columns are the roles (Responsible, Accountable, ...) and its cells name "
            "who holds them; raci-tracker reads parties as columns or rows, so it is not read",
        )
        for table in tables.role_column_tables
    )
    labels = {party.id: party.label for party in tables.parties}
    for activity in activities:
        found.extend(activity_findings(activity, labels))
    found.extend(duplicate_activity_findings(activities))
    found.extend(duplicate_section_findings(scan.sections))
    return found


def _no_raci_message(scan: PageScan, tables: Tables) -> str:
    """What the page has instead of a RACI table, so a reader knows where to look."""
    has = []
    if scan.loose_pipe_rows:
        has.append(
            "rows written like a table without a delimiter row (Markdown does not render them)"
        )
    if tables.prose_tables:
        has.append(f"{len(tables.prose_tables)} table(s) whose cells hold sentences, not roles")
    if tables.role_column_tables:
        has.append(f"{len(tables.role_column_tables)} table(s) with the roles as columns")
    other = tables.counts.other - len(tables.prose_tables) - len(tables.role_column_tables)
    if other > 0:
        has.append(f"{other} table(s) without role letters")
    if not has:
        return "the page has no RACI table"
    return "the page has no RACI table; it has " + " and ".join(has)


def _unclosed_front_matter(lines: Sequence[str], scan: PageScan) -> list[Finding]:
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
