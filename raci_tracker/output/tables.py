"""CSV for spreadsheets: the compare and matrix views as rows."""

from __future__ import annotations

import csv
import io
from typing import Any

from raci_tracker.compare.diligence import NetChange
from raci_tracker.model import Snapshot
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


def net_change_csv(net: NetChange, link: Link) -> str:
    header = [
        "kind",
        "severity",
        "section",
        "activity",
        "party",
        "before",
        "after",
        "labels",
        "transfer",
        "from_date",
        "to_date",
        "commits",
        "permalinks",
    ]
    rows = []
    for cited in net.cited:
        change = cited.change
        transfer = change.transfer
        rows.append(
            [
                change.kind.value,
                change.severity.value,
                change.section,
                change.activity,
                change.party,
                change.before if change.party else None,
                change.after if change.party else None,
                " ".join(change.labels),
                f"{transfer.role} {transfer.from_party}->{transfer.to_party}" if transfer else "",
                net.start.date,
                net.end.date,
                " ".join(ref.commit for ref in cited.commits),
                " ".join(filter(None, (link(ref) for ref in cited.commits))),
            ]
        )
    return csv_text(header, rows)


def matrix_csv(snapshot: Snapshot, party: str | None) -> str:
    parties = [p.id for p in snapshot.parties]
    rows = [
        [a.section, a.text, *(a.assignments.get(p, "") for p in parties)]
        for a in snapshot.activities
        if party is None or a.assignments.get(party)
    ]
    return csv_text(["section", "activity", *parties], rows)
