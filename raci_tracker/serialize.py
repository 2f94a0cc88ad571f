"""The snapshot JSON contract: domain types to and from plain JSON, byte-for-byte deterministic.

This is the only place the snapshot's JSON shape is written down in code; the JSON Schema in
`schemas/snapshot.schema.json` states the same contract for other tools.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import InputError
from .model import (
    Activity,
    Change,
    DateSource,
    Diff,
    DocumentInfo,
    Finding,
    Party,
    Section,
    Severity,
    Snapshot,
    SourceInfo,
    TableCounts,
    Transfer,
)
from .parse import PARSER_VERSION

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


def load_snapshot(data: bytes, *, path: str) -> Snapshot:
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("is not valid JSON: not UTF-8 text", path=path) from None
    except json.JSONDecodeError as error:
        raise InputError(f"is not valid JSON: {error.msg}", path=path, line=error.lineno) from None
    return snapshot_from_dict(parsed, path=path)


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
