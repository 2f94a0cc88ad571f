"""The snapshot store on disk: `snapshots/<doc>/<locale>/<YYYY-MM-DD>.json` and `index.json`.

Every write is atomic and skipped when the bytes are already there, so a run with nothing new
changes no file. Nothing here decides what a revision is; it only keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .files import read_input, write_atomic
from .model import HistoryNote, Rename, Revision, Severity
from .serialize import (
    dumps,
    loads,
    note_to_dict,
    rename_to_dict,
    revision_from_dict,
    revision_to_dict,
)

INDEX = "index.json"
INDEX_SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Skipped:
    """A commit whose text could not be read as a page: recorded, never stored as a revision."""

    commit: str
    path: str
    reason: str


@dataclass(slots=True)
class PageIndex:
    """What the store knows of one page and locale: its revisions and how far it has read."""

    document: str
    locale: str
    repository: str
    ref: str | None
    path: str
    parser_version: str
    last_commit: str | None = None
    revisions: list[dict[str, Any]] = field(default_factory=list)
    renames: list[Rename] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[HistoryNote] = field(default_factory=list)

    def known_commits(self) -> set[str]:
        known = {commit for entry in self.revisions for commit in entry["commits"]}
        return known | {skipped.commit for skipped in self.skipped}

    def dates(self) -> list[str]:
        return [entry["date"] for entry in self.revisions]


def revision_entry(revision: Revision) -> dict[str, Any]:
    return {
        "date": revision.date,
        "date_source": revision.date_source,
        "status": revision.status,
        "commit": revision.ref.commit,
        "path": revision.ref.path,
        "commits": [ref.commit for ref in revision.commits],
        "silent_edits": len(revision.silent_edits),
        "activities": len(revision.snapshot.activities),
        "file": f"{revision.date}.json",
    }


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def folder(self, document: str, locale: str) -> Path:
        folder = (self.root / document / locale).resolve()
        if not folder.is_relative_to(self.root) or folder == self.root:
            raise InputError(
                f"document {document!r} / locale {locale!r} would write outside {self.root}"
            )
        return folder

    def revision_path(self, document: str, locale: str, date: str) -> Path:
        return self.folder(document, locale) / f"{date}.json"

    def load_revision(self, document: str, locale: str, date: str) -> Revision | None:
        path = self.revision_path(document, locale, date)
        if not path.exists():
            return None
        return revision_from_dict(_json(path), path=str(path))

    def write_revision(self, document: str, locale: str, revision: Revision) -> bool:
        path = self.revision_path(document, locale, revision.date)
        return write_atomic(path, dumps(revision_to_dict(revision)))

    def revisions(self, document: str, locale: str) -> Iterator[Revision]:
        """The stored revisions of a page in date order, read one at a time."""
        index = self.load_index(document, locale)
        for date in index.dates() if index else ():
            revision = self.load_revision(document, locale, date)
            if revision is not None:
                yield revision

    def load_index(self, document: str, locale: str) -> PageIndex | None:
        path = self.folder(document, locale) / INDEX
        if not path.exists():
            return None
        return _index_from_dict(_json(path), str(path))

    def write_index(self, index: PageIndex) -> bool:
        path = self.folder(index.document, index.locale) / INDEX
        return write_atomic(path, dumps(_index_to_dict(index)))


def _json(path: Path) -> Any:
    return loads(read_input(path), path=str(path))


def _index_to_dict(index: PageIndex) -> dict[str, Any]:
    return {
        "schema_version": INDEX_SCHEMA_VERSION,
        "parser_version": index.parser_version,
        "document": index.document,
        "locale": index.locale,
        "repository": index.repository,
        "ref": index.ref,
        "path": index.path,
        "last_commit": index.last_commit,
        "revisions": index.revisions,
        "renames": [rename_to_dict(r) for r in index.renames],
        "skipped": [
            {"commit": s.commit, "path": s.path, "reason": s.reason} for s in index.skipped
        ],
        "notes": [note_to_dict(n) for n in index.notes],
    }


def _index_from_dict(data: Any, path: str) -> PageIndex:
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
            revisions=list(data["revisions"]),
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
