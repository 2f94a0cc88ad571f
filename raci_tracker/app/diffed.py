"""The pages a run's update diffed, kept for its reports (`DiffedPages`)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from raci_tracker.history.store import SnapshotStore
from raci_tracker.recent import Recent

if TYPE_CHECKING:
    from raci_tracker.compare.changelog import Entry

TextIds = dict[str, str]
"""A page's texts by the commit the store names them by -> what names their content for good:
the object's address, or for a deletion the commit and path (its text says them)."""

StoredPage = tuple[tuple["Entry", ...], TextIds]
"""A page's changelog entries, oldest first, and what names each of their texts
(`app.changelogs.stored_page`)."""

DIFFED_KEPT = 16
"""Pages a run keeps as its update diffed them, for its reports (`DiffedPages`)."""


class DiffedPages:
    """The pages a run's update just diffed (`stored_page`), for its reports: they need not be
    built again while the page's index is the one they were built from (its bytes' digest: a
    long history's index weighs a megabyte). Only the last `DIFFED_KEPT` are kept, so memory
    does not grow with the number of pages."""

    def __init__(self, size: int = DIFFED_KEPT) -> None:
        self._pages: Recent[tuple[str, str], tuple[str, StoredPage]] = Recent(size)

    def keep(self, store: SnapshotStore, page: StoredPage, document: str, locale: str) -> None:
        index = _index_digest(store, document, locale)
        if index is not None:
            self._pages.put((document, locale), (index, page))

    def get(self, store: SnapshotStore, document: str, locale: str) -> StoredPage | None:
        """The page as it was diffed, if its index is still the same bytes."""
        kept = self._pages.get((document, locale))
        if kept is None or _index_digest(store, document, locale) != kept[0]:
            return None
        return kept[1]


def _index_digest(store: SnapshotStore, document: str, locale: str) -> str | None:
    index = store.index_bytes(document, locale)
    return hashlib.sha256(index).hexdigest() if index is not None else None
