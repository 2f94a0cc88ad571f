"""Every persisted format: snapshots, stored revisions and the store's index, to and from plain
JSON, byte-for-byte deterministic.

This is the only place these shapes are written down in code; the JSON Schema in
`schemas/snapshot.schema.json` states the snapshot's contract for other tools. The JSON each
command prints is a view, in `output/views.py`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
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
    IndexHead,
    PageIndex,
    PageVersion,
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
from raci_tracker.page.version import PARSER_VERSION
from raci_tracker.text import joined_in_pieces

SCHEMA_VERSION = 2
READABLE_SCHEMA_VERSIONS = (1, 2)
"""PageVersion 2 renamed `finding.activity` to `activity_id` and added `document.date_field`."""


_INDENT = "  "
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, indent=_INDENT, allow_nan=False)


def dumps(data: Any) -> bytes:
    """Deterministic JSON: sorted keys, 2-space indent, UTF-8 unescaped, trailing newline."""
    return "".join(dump_pieces(data)).encode("utf-8")  # joined from pieces: a long index's
    # thousands of small fragments are never listed all at once


def dump_pieces(data: Any, size: int = 1 << 12) -> Iterator[str]:
    """The text `dumps` makes, in pieces of `size` of the encoder's fragments (a key, a value, a
    bracket), written as it is encoded: a long listing is never held whole."""
    return joined_in_pieces(_ENCODER.iterencode(data), size, end="\n")


def dump_listing(data: dict[str, Any], key: str, items: Iterable[Any]) -> Iterator[str]:
    """The text `dumps` makes of `data` with `items` listed under its top-level `key`, in
    pieces: each item encoded alone as it comes, so a long listing's items are never all held.
    The rest is encoded with an empty list there, found at the top level's indent (a JSON text
    holds no raw newline but between its values)."""
    empty = f"\n{_INDENT}{json.dumps(key, ensure_ascii=False)}: []"
    head, tail = "".join(dump_pieces({**data, key: []})).split(empty, 1)
    yield head
    listed = False
    for item in items:
        yield (",\n" if listed else empty[:-2] + "[\n") + _INDENT * 2 + _nested(item, 2)
        listed = True
    yield (f"\n{_INDENT}]" if listed else empty) + tail


def _nested(item: Any, depth: int) -> str:
    """An item's JSON as a value `depth` levels in."""
    return "".join(dump_pieces(item)).rstrip("\n").replace("\n", "\n" + _INDENT * depth)


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
            "date_field": doc.date_field,
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
        "activities": [activity_to_dict(a) for a in snapshot.activities],
        "findings": [finding_to_dict(f) for f in snapshot.findings],
        "tables": {
            "raci": snapshot.tables.raci,
            "legend": snapshot.tables.legend,
            "other": snapshot.tables.other,
        },
    }


def activity_to_dict(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "section": activity.section,
        "text": activity.text,
        "line": activity.line,
        "assignments": dict(activity.assignments),
    }


def activity_from_dict(data: dict[str, Any]) -> Activity:
    return Activity(
        id=data["id"],
        section=data["section"],
        text=data["text"],
        line=data["line"],
        assignments=dict(data["assignments"]),
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "line": finding.line,
        "activity_id": finding.activity,
        "message": finding.message,
    }


def finding_from_dict(data: dict[str, Any]) -> Finding:
    return Finding(
        rule=data["rule"],
        severity=Severity(data["severity"]),
        line=data["line"],
        message=data["message"],
        activity=data.get("activity_id", data.get("activity")),
    )


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def snapshot_to_json(snapshot: Snapshot) -> bytes:
    return dumps(snapshot_to_dict(snapshot))


def snapshot_from_dict(data: Any, *, path: str = "<snapshot>") -> Snapshot:
    """Rebuild a snapshot (schema version 1 or 2); anything else is an `InputError`."""
    if not isinstance(data, dict) or data.get("schema_version") not in READABLE_SCHEMA_VERSIONS:
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
            date_field=doc.get("date_field", _v1_date_field(doc)),
        ),
        source=SourceInfo(**data["source"]),
        legend=dict(data["legend"]),
        parties=tuple(Party(id=p["id"], label=p["label"]) for p in data["parties"]),
        sections=tuple(
            Section(number=s["number"], title=s["title"], line=s["line"]) for s in data["sections"]
        ),
        activities=tuple(activity_from_dict(a) for a in data["activities"]),
        findings=tuple(finding_from_dict(f) for f in data["findings"]),
        tables=TableCounts(**data.get("tables", {})),
    )


def current_snapshot_data(data: Any) -> Any:
    """A version-1 snapshot's JSON in the shape of version 2 (anything else as it is), so that one
    schema checks both: `activity` becomes `activity_id`, and `date_field` is what version 1 read.
    """
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        return data
    upgraded = {**data, "schema_version": SCHEMA_VERSION}
    document = data.get("document")
    if isinstance(document, dict) and "date_source" in document:
        upgraded["document"] = {"date_field": _v1_date_field(document), **document}
    findings = data.get("findings")
    if isinstance(findings, list):
        upgraded["findings"] = [
            {("activity_id" if k == "activity" else k): v for k, v in f.items()}
            if isinstance(f, dict)
            else f
            for f in findings
        ]
    return upgraded


def _v1_date_field(doc: dict[str, Any]) -> str | None:
    """PageVersion 1 read only `updated` and the in-body date."""
    return {"front-matter": "updated", "body": "body"}.get(doc["date_source"])


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


_ISO_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")


def iso_time(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp(text: str) -> int:
    """`iso_time` read back, and nothing else: a time written otherwise (lowercase, unpadded,
    hour 24) is refused. Not `strptime`, which took a twentieth of a run reading many indexes."""
    match = _ISO_TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"time {text!r} is not written YYYY-MM-DDTHH:MM:SSZ")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp())


def ref_to_dict(ref: CommitRef) -> dict[str, Any]:
    return {
        "commit": ref.commit,
        "commit_time": iso_time(ref.commit_time),
        "path": ref.path,
        "blob": ref.blob,
    }


def ref_from_dict(data: dict[str, Any]) -> CommitRef:
    path = _shared(data["path"])
    return CommitRef(data["commit"], _timestamp(data["commit_time"]), path, data["blob"])


def _shared(value: Any) -> Any:
    """One string for the many equal ones a long index repeats (its paths and dates): JSON gives
    each its own copy, and a run holds every page's index."""
    return sys.intern(value) if type(value) is str else value


def legacy_revision_from_dict(data: Any, *, path: str) -> Revision:
    """A version-1 stored revision (`<date>.json`), read once to migrate a store."""
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
            ref=ref_from_dict(meta),
            snapshot=snapshot,
            commits=tuple(ref_from_dict(ref) for ref in meta["commits"]),
            silent_edits=tuple(
                SilentEdit(ref_from_dict(edit), snapshot_from_dict(edit["snapshot"], path=path))
                for edit in meta["silent_edits"]
            ),
            key=meta["date"],
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


def _note(data: dict[str, Any]) -> HistoryNote:
    return HistoryNote(data["rule"], Severity(data["severity"]), data["commit"], data["message"])


def rename_to_dict(rename: Rename) -> dict[str, Any]:
    return {"commit": rename.commit, "from": rename.old_path, "to": rename.new_path}


# --- the store's index ------------------------------------------------------------------------

INDEX_SCHEMA_VERSION = 3
"""Version 3 keeps compact objects (`history/objects.py`); version 2 kept full snapshots as
objects; both list every version (a commit and the object it left) and derive the revisions.
Version 1 listed dated revisions kept in `<date>.json` files. Older indexes are migrated in
place."""


def index_to_dict(index: PageIndex) -> dict[str, Any]:
    return {
        "schema_version": INDEX_SCHEMA_VERSION,
        "parser_version": index.parser_version,
        "document": index.document,
        "locale": index.locale,
        "repository": index.repository,
        "ref": index.ref,
        "path": index.path,
        "current_path": index.current_path,
        "last_commit": index.last_commit,
        "versions": [version_to_dict(v) for v in index.versions],
        "revisions": [_entry_to_dict(entry) for entry in index.revisions],
        "renames": [rename_to_dict(r) for r in index.renames],
        "skipped": [
            {"commit": s.commit, "path": s.path, "reason": s.reason} for s in index.skipped
        ],
        "notes": [note_to_dict(n) for n in index.notes],
        # the parties' names the texts were read with; absent (as before the key) when none
        **({"parties": {k: list(v) for k, v in index.parties.items()}} if index.parties else {}),
    }


def index_schema_version(data: Any, path: str) -> int:
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in (1, 2, INDEX_SCHEMA_VERSION):
        raise InputError(f"is not a raci-tracker index (schema_version {version!r})", path=path)
    return int(version)


def index_head_from_dict(data: Any, path: str) -> IndexHead | None:
    """The head of an index of the current schema, its versions left undecoded; None for an
    older index, which is read whole to be migrated."""
    if index_schema_version(data, path) != INDEX_SCHEMA_VERSION:
        return None
    try:
        return IndexHead(
            path=data["path"],
            ref=data["ref"],
            parser_version=data["parser_version"],
            last_commit=data["last_commit"],
            current_path=data["current_path"],
            parties=_parties(data),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _not_an_index(error, path) from None


def _parties(data: dict[str, Any]) -> dict[str, list[str]]:
    return {str(k): [str(n) for n in v] for k, v in data.get("parties", {}).items()}


def _not_an_index(error: Exception, path: str) -> InputError:
    return InputError(f"is not a raci-tracker index: {type(error).__name__} {error}", path=path)


def index_from_dict(data: Any, path: str) -> PageIndex:
    """An index of schema 2 or 3; a version-1 index has no versions and is read for its
    migration."""
    try:
        legacy = index_schema_version(data, path) == 1
        return PageIndex(
            document=data["document"],
            locale=data["locale"],
            repository=data["repository"],
            ref=data["ref"],
            path=data["path"],
            parser_version=data["parser_version"],
            last_commit=data["last_commit"],
            revisions=[] if legacy else [_entry_from_dict(e) for e in data["revisions"]],
            renames=[Rename(r["commit"], r["from"], r["to"]) for r in data["renames"]],
            skipped=[Skipped(s["commit"], s["path"], s["reason"]) for s in data["skipped"]],
            notes=[_note(n) for n in data["notes"]],
            versions=[] if legacy else [version_from_dict(v) for v in data["versions"]],
            current_path=None if legacy else data["current_path"],
            parties=_parties(data),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _not_an_index(error, path) from None


def version_to_dict(version: PageVersion) -> dict[str, Any]:
    return {
        **ref_to_dict(version.ref),
        "object": version.object,
        "date": version.date,
        "date_source": version.date_source.value,
        "activities": version.activities,
    }


def version_from_dict(data: dict[str, Any]) -> PageVersion:
    return PageVersion(
        ref=ref_from_dict(data),
        object=data["object"],
        date=_shared(data["date"]),
        date_source=DateSource(data["date_source"]),
        activities=data["activities"],
    )


def _entry_to_dict(entry: IndexEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "date": entry.date,
        "date_source": entry.date_source.value,
        "status": entry.status.value,
        "commit": entry.commit,
        "path": entry.path,
        "commits": list(entry.commits),
        "silent_edits": entry.silent_edit_count,
        "activities": entry.activity_count,
    }


def _entry_from_dict(data: dict[str, Any]) -> IndexEntry:
    return IndexEntry(
        key=data["key"],
        date=data["date"],
        date_source=DateSource(data["date_source"]),
        status=RevisionStatus(data["status"]),
        commit=data["commit"],
        path=data["path"],
        commits=tuple(data["commits"]),
        silent_edit_count=data["silent_edits"],
        activity_count=data["activities"],
    )


# --- where each page stopped, per repository ----------------------------------------------------

STOPS_SCHEMA_VERSION = 1


def stops_to_dict(repository: str, stops: dict[str, str]) -> dict[str, Any]:
    """`snapshots/.repos/<repository>.json`: the head each page of a repository was last
    brought up to, by `<document>/<locale>`."""
    return {"schema_version": STOPS_SCHEMA_VERSION, "repository": repository, "pages": stops}


def stops_from_dict(data: Any, path: str) -> dict[str, str]:
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, dict) or data.get("schema_version") != STOPS_SCHEMA_VERSION:
        raise InputError("is not a raci-tracker repository state (schema_version 1)", path=path)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in pages.items()):
        raise InputError("is not a raci-tracker repository state: a head is not text", path=path)
    return dict(pages)
