"""CSV for spreadsheets: the compare and matrix views as rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from raci_tracker.compare.net import ActivityRow, NetChange
from raci_tracker.model import Snapshot
from raci_tracker.output.prose import PartyNames, SectionNames, label_words
from raci_tracker.output.views import Link

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    """CSV for spreadsheets; a cell that a spreadsheet would run as a formula is quoted with '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


@dataclass(frozen=True, slots=True)
class CsvPage:
    """One page's net change as `compare --format csv` lists it."""

    document: str
    locale: str
    net: NetChange
    link: Link
    names: PartyNames


COMPARE_HEADER = [
    "document",
    "locale",
    "section",
    "section_title",
    "activity",
    "previous_activity",
    "severity",
    "before",
    "after",
    "moved",
    "from_commit",
    "to_commit",
    "when",
    "commits",
    "permalinks",
]


def net_change_csv(pages: Sequence[CsvPage]) -> str:
    """One row per activity whose letters changed: who held what before and after (every
    party, also for an activity added or removed), what moved, when and in which commits."""
    rows = []
    for page in pages:
        sections = SectionNames.of(page.net.end.snapshot, page.net.start_snapshot)
        rows += [_row(page, row, sections) for row in page.net.rows()]
    return csv_text(COMPARE_HEADER, rows)


def _row(page: CsvPage, row: ActivityRow, sections: SectionNames) -> list[Any]:
    net = page.net
    return [
        page.document,
        page.locale,
        row.section,
        sections.title(row.section, before=row.after is None),
        row.activity,
        row.previous_activity,
        row.severity,
        _held(row.before, page.names),
        _held(row.after, page.names),
        "; ".join(_moved(row, page.names)),
        net.start.ref.commit if net.start else "",
        net.end.ref.commit,
        " ".join(row.days),
        " ".join(ref.commit for ref in row.commits),
        " ".join(filter(None, (page.link(ref) for ref in row.commits))),
    ]


def _held(assignments: Mapping[str, str] | None, names: PartyNames) -> str:
    if assignments is None:
        return "(none: not listed)"
    return "; ".join(f"{names.name(p)}: {letters}" for p, letters in assignments.items() if letters)


def _moved(row: ActivityRow, names: PartyNames) -> list[str]:
    if row.before is None:
        return ["activity added"]
    if row.after is None:
        return ["activity removed"]
    moved = [
        f"{t.role} from {names.name(t.from_party)} to {names.name(t.to_party)}"
        for t in row.transfers
    ]
    return moved + [
        f"{names.name(c.party)}: {', '.join(label_words(x) for x in c.labels)}"
        for c in row.untransferred
    ]


def matrix_csv(snapshot: Snapshot, party: str | None) -> str:
    parties = [p.id for p in snapshot.parties]
    rows = [
        [a.section, a.text, *(a.assignments.get(p, "") for p in parties)]
        for a in snapshot.activities
        if party is None or a.assignments.get(party)
    ]
    return csv_text(["section", "activity", *parties], rows)
