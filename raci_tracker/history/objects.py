"""How the store keeps one snapshot: `objects/<sha256>.json`, compact and addressed by content.

Object format 3 (index schema 3) is the snapshot of `codec.snapshot_to_dict` without what is
derivable or belongs elsewhere:

- where the text was (commit, path) belongs to each version, so the same text at two commits
  or paths is one object;
- an activity's empty assignments are left out (`roles`; the parties' order gives them back),
  and so are its `section` when it is the previous activity's, and its `line` when it is the
  line after the previous activity's;
- the document's `title` and `excerpt` are left out when the front matter carries the same.

Objects are written once and never edited, so they are compact JSON on one line. Objects of
format 2 (the full snapshot) are still read, to migrate a store written by schema 2.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from raci_tracker.codec import snapshot_from_dict, snapshot_to_dict
from raci_tracker.errors import InputError
from raci_tracker.model import CommitRef, Snapshot

OBJECT_FORMAT = 3
_DOCUMENT_FIELDS = ("title", "excerpt")


def object_bytes(snapshot: Snapshot) -> tuple[str, bytes]:
    """A snapshot as the store keeps it, and its address: the SHA-256 of those bytes."""
    text = json.dumps(
        compact(snapshot_to_dict(snapshot)),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    content = (text + "\n").encode("utf-8")
    return hashlib.sha256(content).hexdigest(), content


def object_from_dict(data: Any, ref: CommitRef, *, path: str) -> Snapshot:
    """A stored object (format 3, or a full snapshot of format 2) as the snapshot of one
    version: its commit and path put back."""
    snapshot = snapshot_from_dict(expanded(data, path), path=path)
    source = replace(snapshot.source, path=ref.path, commit=ref.commit)
    return replace(snapshot, source=source)


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's dict without what `expanded` puts back."""
    parties = [p["id"] for p in data["parties"]]
    source = {k: v for k, v in data["source"].items() if k in ("sha256", "blob")}
    return {
        **data,
        "schema_version": OBJECT_FORMAT,
        "document": _compact_document(data["document"]),
        "source": source,
        "activities": _compact_activities(data["activities"], parties),
    }


def expanded(data: Any, path: str) -> Any:
    """A format-3 object's dict as the full snapshot dict; anything else as it is."""
    if not isinstance(data, dict) or data.get("schema_version") != OBJECT_FORMAT:
        return data
    try:
        parties = [p["id"] for p in data["parties"]]
        return {
            **data,
            "schema_version": 2,
            "document": _full_document(data["document"]),
            "activities": _full_activities(data["activities"], parties),
        }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputError(
            f"is not a stored snapshot: {type(error).__name__} {error}", path=path
        ) from None


def _compact_document(document: dict[str, Any]) -> dict[str, Any]:
    front = document.get("front_matter") or {}
    return {
        k: v
        for k, v in document.items()
        if not (k in _DOCUMENT_FIELDS and k in front and front[k] == v)
    }


def _full_document(document: dict[str, Any]) -> dict[str, Any]:
    front = document.get("front_matter") or {}
    return {**{k: front[k] for k in _DOCUMENT_FIELDS if k in front}, **document}


def _compact_activities(activities: list[dict[str, Any]], parties: list[str]) -> list[Any]:
    out: list[dict[str, Any]] = []
    section, line = None, None
    for activity in activities:
        item: dict[str, Any] = {"id": activity["id"], "text": activity["text"]}
        if activity["section"] != section:
            item["section"] = activity["section"]
        if line is None or activity["line"] != line + 1:
            item["line"] = activity["line"]
        assignments = activity["assignments"]
        if list(assignments) == parties:
            item["roles"] = {p: letters for p, letters in assignments.items() if letters}
        else:  # not one key per party in their order: kept as it is
            item["assignments"] = assignments
        section, line = activity["section"], activity["line"]
        out.append(item)
    return out


def _full_activities(activities: list[dict[str, Any]], parties: list[str]) -> list[Any]:
    out: list[dict[str, Any]] = []
    section, line = None, None
    for item in activities:
        section = item.get("section", section)
        line = item["line"] if "line" in item else line + 1  # type: ignore[operator]
        if "roles" in item:
            assignments = {p: item["roles"].get(p, "") for p in parties}
        else:
            assignments = item["assignments"]
        out.append(
            {
                "id": item["id"],
                "section": section,
                "text": item["text"],
                "line": line,
                "assignments": assignments,
            }
        )
    return out
