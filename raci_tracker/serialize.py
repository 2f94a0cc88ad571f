"""The snapshot JSON contract: domain types to and from plain JSON, byte-for-byte deterministic.

This is the only place the snapshot's JSON shape is written down in code; the JSON Schema in
`schemas/snapshot.schema.json` states the same contract for other tools.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .model import (
    Activity,
    Change,
    CommitRef,
    DateSource,
    Diff,
    DocumentInfo,
    Finding,
    HistoryNote,
    Party,
    Rename,
    Revision,
    Section,
    Severity,
    SilentEdit,
    Snapshot,
    SourceInfo,
    TableCounts,
    Transfer,
)
from .parse import PARSER_VERSION

if TYPE_CHECKING:  # the stages that produce these import this module
    from .diligence import Consistency, NetChange
    from .pipeline import HistoryListing, RunOutcome

Link = Callable[[CommitRef], str | None]

SCHEMA_VERSION = 1


def dumps(data: Any) -> bytes:
    """Deterministic JSON: sorted keys, 2-space indent, UTF-8 unescaped, trailing newline."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def snapshot_to_dict(snapshot: Snapshot) -> dict[str, Any]:
    doc = snapshot.document
    return {
        "schema_version": SCHEMA_VERSION,
        "parser_version": PARSER_VERSION,
        "document": {
            "title": doc.title,
            "excerpt": doc.excerpt,
            "updated": doc.updated,
            "date_source": doc.date_source.value,
            "body_date": doc.body_date,
            "locale": doc.locale,
            "front_matter": dict(doc.front_matter),
        },
        "source": _without_none(
            {
                "sha256": snapshot.source.sha256,
                "path": snapshot.source.path,
                "commit": snapshot.source.commit,
                "blob": snapshot.source.blob,
            }
        ),
        "legend": dict(snapshot.legend),
        "parties": [{"id": p.id, "label": p.label} for p in snapshot.parties],
        "sections": [
            {"number": s.number, "title": s.title, "line": s.line} for s in snapshot.sections
        ],
        "activities": [
            {
                "id": a.id,
                "section": a.section,
                "text": a.text,
                "line": a.line,
                "assignments": dict(a.assignments),
            }
            for a in snapshot.activities
        ],
        "findings": [finding_to_dict(f) for f in snapshot.findings],
        "tables": {
            "raci": snapshot.tables.raci,
            "legend": snapshot.tables.legend,
            "other": snapshot.tables.other,
        },
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "line": finding.line,
        "activity": finding.activity,
        "message": finding.message,
    }


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def snapshot_to_json(snapshot: Snapshot) -> bytes:
    return dumps(snapshot_to_dict(snapshot))


def snapshot_from_dict(data: Any, *, path: str = "<snapshot>") -> Snapshot:
    """Rebuild a snapshot; anything that is not a version-1 snapshot is an `InputError`."""
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        raise InputError(
            f"is not a raci-tracker snapshot (schema_version {SCHEMA_VERSION})", path=path
        )
    try:
        return _snapshot(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputError(
            f"is not a valid snapshot: {type(error).__name__} {error}", path=path
        ) from None


def _snapshot(data: dict[str, Any]) -> Snapshot:
    doc = data["document"]
    return Snapshot(
        document=DocumentInfo(
            title=doc["title"],
            excerpt=doc["excerpt"],
            updated=doc["updated"],
            date_source=DateSource(doc["date_source"]),
            body_date=doc.get("body_date"),
            locale=doc.get("locale"),
            front_matter=dict(doc.get("front_matter", {})),
        ),
        source=SourceInfo(**data["source"]),
        legend=dict(data["legend"]),
        parties=tuple(Party(id=p["id"], label=p["label"]) for p in data["parties"]),
        sections=tuple(
            Section(number=s["number"], title=s["title"], line=s["line"]) for s in data["sections"]
        ),
        activities=tuple(
            Activity(
                id=a["id"],
                section=a["section"],
                text=a["text"],
                line=a["line"],
                assignments=dict(a["assignments"]),
            )
            for a in data["activities"]
        ),
        findings=tuple(
            Finding(
                rule=f["rule"],
                severity=Severity(f["severity"]),
                line=f["line"],
                message=f["message"],
                activity=f.get("activity"),
            )
            for f in data["findings"]
        ),
        tables=TableCounts(**data.get("tables", {})),
    )


def loads(data: bytes, *, path: str) -> Any:
    """JSON from a file's bytes; anything else is an `InputError` naming the file and line."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("is not valid JSON: not UTF-8 text", path=path) from None
    except json.JSONDecodeError as error:
        raise InputError(f"is not valid JSON: {error.msg}", path=path, line=error.lineno) from None


def load_snapshot(data: bytes, *, path: str) -> Snapshot:
    return snapshot_from_dict(loads(data, path=path), path=path)


def change_to_dict(change: Change) -> dict[str, Any]:
    """A change record; every key is always present (null where it does not apply)."""
    word_diff = change.word_diff
    return {
        "kind": change.kind.value,
        "severity": change.severity.value,
        "section": change.section,
        "activity": change.activity,
        "activity_id": change.activity_id,
        "previous_section": change.previous_section,
        "previous_activity": change.previous_activity,
        "previous_activity_id": change.previous_activity_id,
        "party": change.party,
        "before": change.before,
        "after": change.after,
        "labels": list(change.labels),
        "transfer": _transfer_to_dict(change.transfer),
        "assignments": None if change.assignments is None else dict(change.assignments),
        "word_diff": None
        if word_diff is None
        else [{"op": w.op, "text": w.text} for w in word_diff],
        "field": change.field,
        "title": change.title,
        "previous_title": change.previous_title,
    }


def _transfer_to_dict(transfer: Transfer | None) -> dict[str, str] | None:
    if transfer is None:
        return None
    return {"role": transfer.role, "from": transfer.from_party, "to": transfer.to_party}


def diff_to_dict(diff: Diff) -> dict[str, Any]:
    summary = diff.summary
    return {
        "changes": [change_to_dict(change) for change in diff.changes],
        "summary": {
            "major": summary.major,
            "minor": summary.minor,
            "editorial": summary.editorial,
            "activities_added": summary.activities_added,
            "activities_removed": summary.activities_removed,
            "parties": {
                party: {
                    "accountable_gained": tally.accountable_gained,
                    "accountable_lost": tally.accountable_lost,
                    "responsible_gained": tally.responsible_gained,
                    "responsible_lost": tally.responsible_lost,
                }
                for party, tally in summary.parties.items()
            },
        },
        "findings": {
            "introduced": [finding_to_dict(f) for f in diff.findings.introduced],
            "resolved": [finding_to_dict(f) for f in diff.findings.resolved],
        },
    }


# --- stored revisions --------------------------------------------------------------------------


def iso_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def ref_to_dict(ref: CommitRef) -> dict[str, Any]:
    return {
        "commit": ref.commit,
        "commit_time": iso_time(ref.commit_time),
        "path": ref.path,
        "blob": ref.blob,
    }


def _ref(data: dict[str, Any]) -> CommitRef:
    return CommitRef(data["commit"], _timestamp(data["commit_time"]), data["path"], data["blob"])


def revision_to_dict(revision: Revision) -> dict[str, Any]:
    """The stored form of a revision: its snapshot, plus where and when it came from."""
    data = snapshot_to_dict(revision.snapshot)
    data["revision"] = {
        "date": revision.date,
        "date_source": revision.date_source,
        "status": revision.status,
        **ref_to_dict(revision.ref),
        "commits": [ref_to_dict(ref) for ref in revision.commits],
        "silent_edits": [
            {**ref_to_dict(edit.ref), "snapshot": snapshot_to_dict(edit.snapshot)}
            for edit in revision.silent_edits
        ],
    }
    return data


def revision_from_dict(data: Any, *, path: str) -> Revision:
    snapshot = snapshot_from_dict(
        {k: v for k, v in data.items() if k != "revision"} if isinstance(data, dict) else data,
        path=path,
    )
    try:
        meta = data["revision"]
        return Revision(
            date=meta["date"],
            date_source=meta["date_source"],
            status=meta["status"],
            ref=_ref(meta),
            snapshot=snapshot,
            commits=tuple(_ref(ref) for ref in meta["commits"]),
            silent_edits=tuple(
                SilentEdit(_ref(edit), snapshot_from_dict(edit["snapshot"], path=path))
                for edit in meta["silent_edits"]
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(
            f"is not a stored revision: {type(error).__name__} {error}", path=path
        ) from None


def note_to_dict(note: HistoryNote) -> dict[str, Any]:
    return {
        "rule": note.rule,
        "severity": note.severity.value,
        "commit": note.commit,
        "message": note.message,
    }


def rename_to_dict(rename: Rename) -> dict[str, Any]:
    return {"commit": rename.commit, "from": rename.old_path, "to": rename.new_path}


def history_to_dict(listing: HistoryListing) -> dict[str, Any]:
    """`raci-tracker history --format json`: revisions in date order, renames, findings."""
    return {
        "revisions": [
            {
                "date": r.date,
                "date_source": r.date_source,
                "status": r.status,
                "commit": r.ref.commit,
                "path": r.ref.path,
                "commits": [ref.commit for ref in r.commits],
                "silent_edits": len(r.silent_edits),
                "activities": len(r.snapshot.activities),
            }
            for r in listing.revisions
        ],
        "renames": [rename_to_dict(r) for r in listing.renames],
        "findings": [note_to_dict(n) for n in listing.notes],
    }


# --- diligence views ---------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def revision_ref(revision: Revision) -> dict[str, Any]:
    return {"date": revision.date, "commit": revision.ref.commit, "path": revision.ref.path}


def net_change_to_dict(net: NetChange, link: Link) -> dict[str, Any]:
    """`compare --format json`: the `diff` shape, each change citing its commits."""
    data = diff_to_dict(net.diff)
    data["from_revision"] = revision_ref(net.start)
    data["to_revision"] = revision_ref(net.end)
    for record, cited in zip(data["changes"], net.cited, strict=True):
        record["commits"] = [{**ref_to_dict(ref), "permalink": link(ref)} for ref in cited.commits]
    return data


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


def matrix_to_dict(
    snapshot: Snapshot,
    revision: Revision | None,
    party: str | None,
    held: dict[str, list[Activity]] | None,
    findings: list[Finding],
) -> dict[str, Any]:
    return {
        "document": {
            "title": snapshot.document.title,
            "locale": snapshot.document.locale,
            "updated": snapshot.document.updated,
        },
        "revision": revision_ref(revision) if revision else None,
        "parties": [{"id": p.id, "label": p.label} for p in snapshot.parties],
        "activities": [
            {"id": a.id, "section": a.section, "text": a.text, "assignments": dict(a.assignments)}
            for a in snapshot.activities
        ],
        "party": party,
        "held": None
        if held is None
        else {
            words: [{"id": a.id, "section": a.section, "text": a.text} for a in activities]
            for words, activities in held.items()
        },
        "findings": [finding_to_dict(f) for f in findings],
    }


def matrix_csv(snapshot: Snapshot, party: str | None) -> str:
    parties = [p.id for p in snapshot.parties]
    rows = [
        [a.section, a.text, *(a.assignments.get(p, "") for p in parties)]
        for a in snapshot.activities
        if party is None or a.assignments.get(party)
    ]
    return csv_text(["section", "activity", *parties], rows)


def consistency_to_dict(result: Consistency) -> dict[str, Any]:
    return {
        "locales": list(result.locales),
        "disagreements": [
            {
                "section": d.section,
                "position": d.position,
                "positions": dict(d.positions),
                "assignments": {k: dict(v) for k, v in d.assignments.items()},
                "activities": dict(d.activities),
            }
            for d in result.disagreements
        ],
        "missing": [
            {
                "section": m.section,
                "position": m.position,
                "present": list(m.present),
                "absent": list(m.absent),
                "activities": dict(m.activities),
            }
            for m in result.missing
        ],
        "skew": [{"locale": locale, "updated": updated} for locale, updated in result.skew],
    }


def run_to_dict(outcome: RunOutcome) -> dict[str, Any]:
    """`reports/last-run.json`: what a run took in. No clock time, so the same run gives the
    same bytes."""
    per_page: dict[tuple[str, str], dict[str, int]] = {}
    for text in outcome.new_texts:
        counts = per_page.setdefault(
            (text.page.document, text.page.locale), {"major": 0, "minor": 0, "editorial": 0}
        )
        if text.step.diff is not None:
            for severity in counts:
                counts[severity] += getattr(text.step.diff.summary, severity)
    empty = {"major": 0, "minor": 0, "editorial": 0}
    return {
        "pages": [
            {
                "document": page.document,
                "locale": page.locale,
                "status": page.status,
                "new_revisions": page.changed_dates,
                "new_commits": page.new_commits,
                "skipped": page.skipped,
                "history_rewritten": page.rewritten,
                "changes": per_page.get((page.document, page.locale), empty),
                "error": page.error,
            }
            for page in outcome.summary.pages
        ],
        "totals": {
            **outcome.changes,
            "shifts": outcome.shift_count,
            "new_revisions": sum(len(p.changed_dates) for p in outcome.summary.pages),
            "failed": len(outcome.summary.failed),
        },
        "shifts": [
            {
                "document": text.page.document,
                "locale": text.page.locale,
                "date": text.entry.revision.date,
                "commit": text.step.ref.commit,
                "silent_edit": text.step.silent,
                "changes": [
                    change_to_dict(c)
                    for c in (text.step.diff.changes if text.step.diff else ())
                    if c.severity.value != "editorial"
                ],
            }
            for text in outcome.shifts
        ],
    }
