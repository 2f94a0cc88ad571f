"""Turn tables into the page's matrix: which tables are RACI matrices (either orientation), their
party columns, and one `Activity` per row, with findings on cells a reader would question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from raci_tracker.model import Activity, Finding, Party, TableCounts
from raci_tracker.page.bounds import MAX_ACTIVITIES, MAX_CELLS, MAX_PARTIES_PER_TABLE, exceeded
from raci_tracker.page.cells import PLAIN, CellKey, is_prose, read_letters
from raci_tracker.page.legend import (
    Legend,
    bullet_entries,
    is_legend,
    legend_entries,
    table_markers,
)
from raci_tracker.page.parties import CUSTOMER, PROVIDER, PartyResolver
from raci_tracker.page.rules import finding
from raci_tracker.page.tables import PATH_SEPARATOR, BulletItem, Row, Table, raw_cells
from raci_tracker.text import INVISIBLE, UniqueIds, fold, slugify, strip_invisible

# A first header cell that says the rows are parties: the matrix is transposed (teams in rows,
# functions in columns, as in Microsoft's Cloud Adoption Framework).
_PARTY_AXIS_WORDS = frozenset(
    {"team", "teams", "role", "roles", "party", "parties", "who", "stakeholder", "stakeholders"}
    | {"equipe", "equipes", "acteur", "acteurs", "team/function", "organization", "group"}
)


@dataclass(slots=True)
class Tables:
    legend: Legend = field(default_factory=Legend)
    raci: list[tuple[Table, list[Party]]] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    counts: TableCounts = field(default_factory=TableCounts)
    prose_tables: list[Table] = field(default_factory=list)
    role_column_tables: list[Table] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _known: set[str] = field(default_factory=set)

    def add_parties(self, columns: Sequence[Party]) -> None:
        """The page's parties: each id once, in the order the tables first name them."""
        for party in columns:
            if party.id not in self._known:
                self._known.add(party.id)
                self.parties.append(party)


def classify(
    tables: Sequence[Table], bullets: Sequence[BulletItem], resolver: PartyResolver
) -> Tables:
    """Sort tables into the legend, RACI matrices (with their columns) and the rest. The legend
    is read first, wherever it sits, since it may define the words and markers of the cells."""
    found = Tables()
    legends = [table for table in tables if is_legend(table)]
    for table in legends:
        found.legend.add(legend_entries(table))
        found.legend.markers |= table_markers(table)
    found.legend.add(bullet_entries(bullets))
    key = found.legend.cell_key()
    other = 0
    legend_ids = {id(table) for table in legends}
    for table in tables:
        if id(table) in legend_ids:
            continue
        if (matrix := _as_matrix(table, resolver, key)) is not None:
            columns = table_parties(_bounded_columns(matrix, found.findings), resolver)
            found.raci.append((matrix, columns))
            found.add_parties(columns)
        else:
            other += 1
            if _roles_as_columns(table, key):
                found.role_column_tables.append(table)
            elif _holds_prose(table):
                found.prose_tables.append(table)
    found.counts = TableCounts(raci=len(found.raci), legend=len(legends), other=other)
    return found


def _as_matrix(table: Table, resolver: PartyResolver, key: CellKey) -> Table | None:
    if len(table.header) < 2:
        return None
    if _is_transposed(table, resolver):
        flipped = transpose(table, key)
        return flipped if _has_roles(flipped, key) else None
    if _has_roles(table, key):
        return table
    known = any(resolver.is_known(label) for label in table.header[1:])
    return table if known and not _holds_prose(table) else None


def _bounded_columns(table: Table, findings: list[Finding]) -> Table:
    """The table with at most `MAX_PARTIES_PER_TABLE` party columns: the cells past them are
    not read (zip stops at the last party), and a finding says so."""
    if len(table.header) - 1 <= MAX_PARTIES_PER_TABLE:
        return table
    consequence = f"only the first {MAX_PARTIES_PER_TABLE} parties of this table are read"
    findings.append(
        exceeded(MAX_PARTIES_PER_TABLE, "party columns in one table", table.line, consequence)
    )
    header = table.header[: MAX_PARTIES_PER_TABLE + 1]
    return Table(line=table.line, section=table.section, header=header, rows=table.rows)


def _has_roles(table: Table, key: CellKey) -> bool:
    cells = [read_letters(cell, key) for row in table.rows for cell in row.cells[1:]]
    letters = sum(1 for cell in cells if cell)
    unreadable = sum(1 for cell in cells if cell is None)
    return letters > 0 and letters >= unreadable


def _is_transposed(table: Table, resolver: PartyResolver) -> bool:
    """Parties in rows: never when a column header names a party; yes when the first header
    says the rows are parties (`Team`), or when most rows, and more than one, name parties (not
    one activity that happens to be called "Client")."""
    if any(map(resolver.is_known, table.header[1:])):
        return False
    if fold(table.header[0]).strip("*_ :") in _PARTY_AXIS_WORDS:
        return True
    row_labels = [row.cells[0] for row in table.rows if row.cells and row.cells[0]]
    known = sum(map(resolver.is_known, row_labels))
    return known >= 2 and 2 * known > len(row_labels)


def transpose(table: Table, key: CellKey = PLAIN) -> Table:
    """Parties in rows, activities in columns -> activities in rows, parties in columns.

    A row holding no role (a spacer, a row of links under the matrix) is not a party."""
    rows = [row for row in table.rows if any(read_letters(c, key) for c in row.cells[1:])]
    header = [table.header[0], *(row.cells[0] for row in rows)]
    flipped = Table(line=table.line, section=table.section, header=header)
    for column, activity in enumerate(table.header[1:], start=1):
        cells = [row.cells[column] if column < len(row.cells) else "" for row in rows]
        flipped.rows.append(Row(line=table.line, cells=[activity, *cells]))
    return flipped


def _roles_as_columns(table: Table, key: CellKey) -> bool:
    """`| Deliverable | Responsible | Accountable | Consulted | Informed |`, cells naming who:
    the roles are the columns. Not read: splitting `PMM/GM` into parties would be a guess."""
    named = [read_letters(label, key) for label in table.header[1:]]
    single = [letters for letters in named if letters and len(letters) == 1]
    return len(set(single)) >= 3 and len(single) == len(named)


def _holds_prose(table: Table) -> bool:
    cells = [cell for row in table.rows for cell in row.cells[1:] if cell]
    return bool(cells) and sum(map(is_prose, cells)) * 2 >= len(cells)


def table_parties(table: Table, resolver: PartyResolver) -> list[Party]:
    ids = UniqueIds()
    parties = []
    for label in table.header[1:]:
        party = resolver.resolve(label)
        parties.append(Party(id=ids.add(party.id), label=party.label))
    return _provider_beside_customer(parties)


def _provider_beside_customer(parties: list[Party]) -> list[Party]:
    """In a two-party table, the party beside the customer is the provider (`Rôle Cloud Temple`,
    `AUCyber (IaaS)`), whatever it calls itself."""
    ids = [party.id for party in parties]
    if len(parties) != 2 or CUSTOMER not in ids or PROVIDER in ids:
        return parties
    return [p if p.id == CUSTOMER else Party(id=PROVIDER, label=p.label) for p in parties]


@dataclass(slots=True)
class MatrixBuilder:
    """Turns RACI tables into activities, with ids unique on the page and cell findings."""

    lines: Sequence[str]
    party_ids: Sequence[str]
    key: CellKey = PLAIN
    activities: list[Activity] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _ids: UniqueIds = field(default_factory=UniqueIds)
    _full: bool = False

    def add_table(self, table: Table, columns: list[Party]) -> None:
        if not table.rows:
            self.findings.append(
                finding("empty-table", table.line, "a RACI table has a header but no rows")
            )
        for row in table.rows:
            if not any(row.cells):
                continue
            if self._is_full(row.line):
                return
            self._add_row(table, columns, row)

    def _is_full(self, line: int) -> bool:
        """Whether one more row would pass `MAX_ACTIVITIES` or `MAX_CELLS`; the first time, a
        finding names the bound and the first row not read."""
        if self._full:
            return True
        rows = len(self.activities) + 1
        if rows > MAX_ACTIVITIES:
            limit, what = MAX_ACTIVITIES, "activities"
        elif rows * max(1, len(self.party_ids)) > MAX_CELLS:
            limit, what = MAX_CELLS, "cells (activities times parties)"
        else:
            return False
        self._full = True
        self.findings.append(exceeded(limit, what, line, "rows from this line on are not read"))
        return True

    def _add_row(self, table: Table, columns: list[Party], row: Row) -> None:
        text = self._text(row)
        activity_id = self._ids.add(f"{_section_key(table.section)}/{slugify(text)}")
        # Every activity names every party of the page, in column order ("" where none).
        assignments = dict.fromkeys(self.party_ids, "")
        for party, cell in zip(columns, row.cells[1:], strict=False):
            letters = read_letters(cell, self.key)
            if letters is None:
                self.findings.append(_unknown_letter(cell, party, row.line, activity_id))
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

    def _text(self, row: Row) -> str:
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
        return text

    def _check_cell_count(self, table: Table, row: Row, activity_id: str) -> None:
        if row.line == table.line:  # a transposed table's rows are its columns
            return
        raw = self.lines[row.line - 1] if 0 < row.line <= len(self.lines) else ""
        stripped = raw.strip()
        most = raw.count("|") + 1 - stripped.startswith("|") - stripped.endswith("|")
        if most <= len(table.header):  # no room for an extra cell: skip the split
            return
        cells = raw_cells(raw)
        if len(cells) > len(table.header):
            dropped = " | ".join(cell.strip() for cell in cells[len(table.header) :])
            message = f"row has {len(cells)} cells for {len(table.header)} columns"
            self.findings.append(
                finding("extra-cells", row.line, f"{message}; ignored: '{dropped}'", activity_id)
            )


def _section_key(section: str) -> str:
    """A section number as it is (`3.1`); a heading path as a slug (`services--backup`)."""
    if not section:
        return "_"
    if section[0].isdigit() and PATH_SEPARATOR not in section:
        return section
    return "--".join(slugify(part) for part in section.split(PATH_SEPARATOR))


def _unknown_letter(cell: str, party: Party, line: int, activity_id: str) -> Finding:
    return finding(
        "unknown-letter",
        line,
        f"cell '{cell}' for {party.label} is not a combination of R, A, C, I",
        activity_id,
    )
