"""Each command's result in the format the user asked for: one place for the json / csv /
rendered branching, so every command offers its formats the same way."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from raci_tracker.codec import dump_pieces, dumps
from raci_tracker.compare.diligence import held_by
from raci_tracker.errors import InputError
from raci_tracker.history.walk import HistoryOutline
from raci_tracker.model import Diff, Finding, Snapshot
from raci_tracker.output.annotations import github_annotations
from raci_tracker.output.diligence import (
    ActivityHistoryView,
    CompareView,
    ConsistencyView,
    MatrixView,
    PortfolioView,
    render_activity_history,
    render_compare,
    render_consistency,
    render_matrix,
    render_portfolio,
)
from raci_tracker.output.render import render_diff
from raci_tracker.output.tables import CsvPage, matrix_csv, net_change_csv
from raci_tracker.output.views import (
    consistency_to_dict,
    deletion_to_dict,
    diff_to_dict,
    history_to_dict,
    lineage_to_dict,
    lint_to_dict,
    matrix_to_dict,
    net_change_to_dict,
    portfolio_to_dict,
)


def _json(data: object) -> str:
    return dumps(data).decode("utf-8")


def format_diff(diff: Diff, before: Snapshot, after: Snapshot, output_format: str) -> str:
    if output_format == "json":
        return _json(diff_to_dict(diff, before, after))
    return render_diff(diff, before, after, output_format)


def format_compare(view: CompareView, output_format: str) -> str:
    if output_format == "json":
        return _json(_compare_dict(view))
    if output_format == "csv":
        return net_change_csv([_csv_page(view)])
    return render_compare(view, output_format)


def _compare_dict(view: CompareView) -> dict[str, Any]:
    return net_change_to_dict(view.net, view.link, (view.start_date, view.end_date))


def _csv_page(view: CompareView) -> CsvPage:
    return CsvPage(view.document or "", view.locale, view.net, view.link, view.names)


def format_portfolio(view: PortfolioView, output_format: str) -> str:
    """`compare` with no `--doc`: every configured page."""
    if output_format == "json":
        pages = [(p.document or "", p.locale, _compare_dict(p), p.net) for p in view.pages]
        return _json(portfolio_to_dict(pages, view.absent))
    if output_format == "csv":
        return net_change_csv([_csv_page(page) for page in view.pages])
    return render_portfolio(view, output_format)


def format_activity_history(view: ActivityHistoryView, output_format: str) -> str:
    if output_format == "json":
        found = [lineage_to_dict(lineage, view.link) for lineage in view.found]
        gaps = [deletion_to_dict(gap, view.link) for gap in view.deletions]
        page = {"document": view.document, "locale": view.locale}
        return _json({**page, "activities": found, "deletions": gaps})
    return render_activity_history(view, output_format)


def format_matrix(view: MatrixView, output_format: str) -> str:
    if output_format == "json":
        held = held_by(view.snapshot, view.party) if view.party else None
        data = matrix_to_dict(
            view.snapshot, view.revision, view.party, held, list(view.findings), view.version
        )
        return _json({**data, "deleted": view.deleted})
    if output_format == "csv" and view.deleted:
        raise InputError(f"{view.deleted_note()}; there is no table to write as CSV")
    if output_format == "csv":
        return matrix_csv(view.snapshot, view.party)
    return render_matrix(view, output_format)


def format_consistency(view: ConsistencyView, output_format: str) -> str:
    if output_format == "json":
        return _json(consistency_to_dict(view.result))
    return render_consistency(view.result, output_format, title=view.title, names=view.names)


def history_output(listing: HistoryOutline, output_format: str) -> Iterator[str]:
    """`raci-tracker history`, in pieces to write one after the other (a long history's JSON
    is written as it is encoded)."""
    if output_format == "json":
        return dump_pieces(history_to_dict(listing))
    return iter(["".join(f"{line}\n" for line in history_lines(listing))])


def history_lines(listing: HistoryOutline) -> list[str]:
    """`raci-tracker history`: a line per revision, rename and note."""
    lines = []
    for r in listing.revisions:
        edits = f", {r.silent_edit_count} silent edit(s)" if r.silent_edit_count else ""
        state = "deleted" if r.status == "deleted" else f"{r.activity_count} activities"
        lines.append(
            f"{r.key or r.date}  {r.date_source:<12}  {r.commit[:12]}  {state}  "
            f"({len(r.commits)} commit(s){edits})  {r.path}"
        )
    for rename in listing.renames:
        lines.append(f"renamed at {rename.commit[:12]}: {rename.old_path} -> {rename.new_path}")
    lines.extend(f"{note.severity.value} [{note.rule}] {note.message}" for note in listing.notes)
    return lines


def lint_line(path: str, item: Finding) -> str:
    where = f"{path}:{item.line}" if item.line else path
    return f"{where}: {item.severity.value} [{item.rule}] {item.message}"


def format_lint(results: Sequence[tuple[str, Snapshot]], output_format: str) -> str:
    """`raci-tracker lint`: a line per finding, or `{"files": [...]}`."""
    if output_format == "json":
        return _json({"files": [lint_to_dict(path, snapshot) for path, snapshot in results]})
    if output_format == "github":
        return github_annotations(results)
    return "".join(
        f"{lint_line(path, item)}\n" for path, snapshot in results for item in snapshot.findings
    )
