"""The snapshot store on disk: `snapshots/<doc>/<locale>/<YYYY-MM-DD>.json` and `index.json`.

Every write is atomic and skipped when the bytes are already there, so a run with nothing new
changes no file. Nothing here decides what a revision is; it only keeps them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from raci_tracker.codec import (
    dumps,
    index_from_dict,
    index_to_dict,
    loads,
    revision_from_dict,
    revision_to_dict,
)
from raci_tracker.errors import InputError
from raci_tracker.files import read_input, write_atomic
from raci_tracker.model import PageIndex, Revision

INDEX = "index.json"


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
        return index_from_dict(_json(path), str(path))

    def write_index(self, index: PageIndex) -> bool:
        path = self.folder(index.document, index.locale) / INDEX
        return write_atomic(path, dumps(index_to_dict(index)))


def _json(path: Path) -> Any:
    return loads(read_input(path), path=str(path))
