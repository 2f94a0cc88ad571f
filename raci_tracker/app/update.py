"""Bringing each configured page's store up to date with git, a document at a time: the run's
first stage, whether the run reads its documents one after the other or in parallel."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING

from raci_tracker.app.diffed import DiffedPages
from raci_tracker.config import Config, DocumentConfig
from raci_tracker.errors import InputError, OutputError, failure_message
from raci_tracker.heap import frozen_heap
from raci_tracker.history.reading import Texts
from raci_tracker.history.repositories import check_repository
from raci_tracker.history.source import GitSource, open_source
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageStatus, PageTarget, PageUpdate, update_page
from raci_tracker.lazy import LazyModule

if TYPE_CHECKING:
    import raci_tracker.app.changelogs as stored
else:  # deepdiff and the renderers: imported once a page has new revisions
    stored = LazyModule("raci_tracker.app.changelogs")


def targets(config: Config) -> list[PageTarget]:
    return [
        PageTarget(
            document.id,
            locale,
            document.repo,
            document.ref,
            document.page_path(locale),
            document.parties,
        )
        for document in config.documents
        for locale in document.locales
    ]


def document_targets(config: Config, document: str) -> list[PageTarget]:
    return [target for target in targets(config) if target.document == document]


def stop_key(target: PageTarget) -> str:
    """A page's name in its repository's record of where each page stopped."""
    return f"{target.document}/{target.locale}"


class Sources:
    """Each repository (and ref) opened once in a run, and shared by the documents in it: it is
    cloned or fetched once, and its pages are listed from one pass over its history."""

    def __init__(self, config: Config, opened: ExitStack) -> None:
        self._config, self._opened = config, opened
        self._sources: dict[tuple[str, str | None], GitSource | str] = {}

    def get(self, repository: str, ref: str | None) -> GitSource | str:
        key = (repository, ref)
        if key not in self._sources:
            source = _open(self._config, repository, ref)
            self._sources[key] = (
                self._opened.enter_context(source) if isinstance(source, GitSource) else source
            )
        return self._sources[key]


def update_document(
    source: GitSource | str,
    store: SnapshotStore,
    pages: Sequence[PageTarget],
    stops: dict[str, str],
    texts: Texts,
    diffed: DiffedPages | None = None,
) -> Iterable[PageUpdate]:
    """Update each locale of a document from its opened repository (or fail them all with why it
    cannot be opened), and note in `stops` where each page is now up to date (the caller keeps
    that record: see `SnapshotStore.write_stops`). The pages diffed are kept in `diffed`.

    Whatever goes wrong with one page, even an unforeseen error, fails that page alone, in one line.
    """
    if isinstance(source, str):
        first, *others = pages
        yield _failed(first, source)
        yield from (_failed(t, f"see {first.document} {first.locale}") for t in others)
        return
    diffs: list[stored.SharedDiffs] = []  # made for the first page with new revisions
    with store.batched():  # the pages' objects made durable together, then their indexes
        for update in _update_pages(source, store, pages, stops, texts):
            if update.new_commits:
                diffs = diffs or [stored.shared_diffs()]
                _diff(store, update, diffs[0], diffed or DiffedPages(0))
            yield update


def _diff(
    store: SnapshotStore, update: PageUpdate, diffs: stored.SharedDiffs, diffed: DiffedPages
) -> None:
    """Diff the page's new revisions and keep the diffs, while the texts just parsed are at
    hand (`SnapshotStore.remember`): the reports then read them, instead of reading and decoding
    every text again. The page's entries go to `diffed`, for the reports. A page whose diffs
    cannot be made here fails in its reports, which say why."""
    with contextlib.suppress(Exception), frozen_heap():  # diffs leave cycles (deepdiff's trees)
        page = stored.stored_page(store, update.document, update.locale, diffs, hold=False)
        diffed.keep(store, page, update.document, update.locale)


def _update_pages(
    source: GitSource,
    store: SnapshotStore,
    pages: Sequence[PageTarget],
    stops: dict[str, str],
    texts: Texts,
) -> Iterable[PageUpdate]:
    for target in pages:
        key = stop_key(target)
        try:
            update: PageUpdate | None = update_page(source, store, target, stops.get(key), texts)
        except OutputError:
            raise  # an unwritable store stops the run: every page would fail the same way
        except MemoryError:
            update = None  # nothing can be allocated until the error's frames are freed
        except Exception as error:
            update = _failed(target, error)
        if update is not None and update.head is not None:
            stops[key] = update.head
        # yielded outside the handler, once the error's traceback (and everything its frames
        # hold) is freed
        yield update or _failed(target, "out of memory")


def read_stops(store: SnapshotStore, repository: str) -> dict[str, str]:
    """Where each page of the repository stopped; an unreadable record is read again from
    each page's index (it is only a shortcut)."""
    try:
        return store.load_stops(repository)
    except InputError:
        return {}


def _open(config: Config, repository: str, ref: str | None) -> GitSource | str:
    """The opened repository, or why it cannot be opened (in one line)."""
    try:
        return open_source(check_repository(repository, base=config.base), config.cache, ref)
    except Exception as error:
        return failure_message(error)


def _failed(target: PageTarget, error: BaseException | str) -> PageUpdate:
    return PageUpdate(
        target.document, target.locale, status=PageStatus.FAILED, error=failure_message(error)
    )


def record_head(source: GitSource | str, document: DocumentConfig, heads: dict[str, str]) -> None:
    """The upstream head, for the heartbeat; a ref that does not resolve fails its pages anyway."""
    if not isinstance(source, GitSource):
        return
    try:
        head = source.resolve(document.ref)
    except InputError:
        return
    heads[f"{without_credentials(document.repo)}#{document.ref or 'HEAD'}"] = head


def without_credentials(url: str) -> str:
    """A repository URL fit for a committed file: no `user:token@`."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url, flags=re.IGNORECASE)
