"""Every persisted format: snapshots, stored revisions and the store's index, to and from plain
JSON, byte-for-byte deterministic.

This is the only place these shapes are written down in code; the JSON Schema in
`schemas/snapshot.schema.json` states the snapshot's contract for other tools. The JSON each
command prints is a view, in `output/views.py`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from raci_tracker.errors import InputError
from raci_tracker.model import (
    Activity,
    CommitRef,
    DateSource,
    DocumentInfo,
    Finding,
    HistoryNote,
    IndexEntry,
    PageIndex,
    Party,
    Rename,
    Revision,
    RevisionStatus,
    Section,
    Severity,
    SilentEdit,
    Skipped,
    Snapshot,
    SourceInfo,
    TableCounts,
)
from raci_tracker.page.parse import PARSER_VERSION

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
            date_source=DateSource(meta["date_source"]),
            status=RevisionStatus(meta["status"]),
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


# --- the store's index ------------------------------------------------------------------------

INDEX_SCHEMA_VERSION = 1


def index_to_dict(index: PageIndex) -> dict[str, Any]:
    return {
        "schema_version": INDEX_SCHEMA_VERSION,
        "parser_version": index.parser_version,
        "document": index.document,
        "locale": index.locale,
        "repository": index.repository,
        "ref": index.ref,
        "path": index.path,
        "last_commit": index.last_commit,
        "revisions": [_entry_to_dict(entry) for entry in index.revisions],
        "renames": [rename_to_dict(r) for r in index.renames],
        "skipped": [
            {"commit": s.commit, "path": s.path, "reason": s.reason} for s in index.skipped
        ],
        "notes": [note_to_dict(n) for n in index.notes],
    }


def index_from_dict(data: Any, path: str) -> PageIndex:
    try:
        if data["schema_version"] != INDEX_SCHEMA_VERSION:
            raise ValueError(f"schema_version {data['schema_version']}")
        return PageIndex(
            document=data["document"],
            locale=data["locale"],
            repository=data["repository"],
            ref=data["ref"],
            path=data["path"],
            parser_version=data["parser_version"],
            last_commit=data["last_commit"],
            revisions=[_entry_from_dict(entry) for entry in data["revisions"]],
            renames=[Rename(r["commit"], r["from"], r["to"]) for r in data["renames"]],
            skipped=[Skipped(s["commit"], s["path"], s["reason"]) for s in data["skipped"]],
            notes=[
                HistoryNote(n["rule"], Severity(n["severity"]), n["commit"], n["message"])
                for n in data["notes"]
            ],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(
            f"is not a raci-tracker index: {type(error).__name__} {error}", path=path
        ) from None


def _entry_to_dict(entry: IndexEntry) -> dict[str, Any]:
    return {
        "date": entry.date,
        "date_source": entry.date_source.value,
        "status": entry.status.value,
        "commit": entry.commit,
        "path": entry.path,
        "commits": list(entry.commits),
        "silent_edits": entry.silent_edit_count,
        "activities": entry.activity_count,
        "file": entry.file,
    }


def _entry_from_dict(data: dict[str, Any]) -> IndexEntry:
    return IndexEntry(
        date=data["date"],
        date_source=DateSource(data["date_source"]),
        status=RevisionStatus(data["status"]),
        commit=data["commit"],
        path=data["path"],
        commits=tuple(data["commits"]),
        silent_edit_count=data["silent_edits"],
        activity_count=data["activities"],
        file=data["file"],
    )
