"""A first run over many pages, its documents read in parallel (docs/decisions/0018).

Worker processes take a document's pages a few at a time: they bring them up to date and diff
their revisions into the store. Once a document's every page is in, a worker renders its own
report files, and its shifts as the run's summary shows them, as the run itself would. The run
then renders what spans documents (the index, the feed), and leaves alone each file a worker
rendered, by the same rule that leaves alone a file a run rendered before (`output.reuse`): its
key and bytes are checked, so a file a worker got wrong is rendered again. Workers are forked
(on Linux): they hold the run's lock with it, and die with it, so a killed run's workers never
write beside the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from raci_tracker.app.diffed import DiffedPages
from raci_tracker.app.update import (
    Sources,
    document_targets,
    read_stops,
    record_head,
    stop_key,
    targets,
    update_document,
)
from raci_tracker.config import Config, DocumentConfig
from raci_tracker.files import synced_once, write_outputs
from raci_tracker.heap import frozen_heap
from raci_tracker.history.reading import Texts
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageStatus, PageUpdate
from raci_tracker.lazy import LazyModule
from raci_tracker.output.lastrun import ShiftsShown
from raci_tracker.output.stamp import Rendered, read_rendered
from raci_tracker.output.status import SiteStatus

if TYPE_CHECKING:
    import multiprocessing
    from concurrent import futures

    import raci_tracker.app.changelogs as stored
    from raci_tracker.output import site as plan
else:  # the renderers: imported by the workers, and by a run that renders; the processes, by
    # a run that reads in parallel
    multiprocessing = LazyModule("multiprocessing")
    futures = LazyModule("concurrent.futures")
    stored = LazyModule("raci_tracker.app.changelogs")
    plan = LazyModule("raci_tracker.output.site")

PR_SET_PDEATHSIG = 1
"""Linux's `prctl` option: the signal a process gets when its parent dies."""

PARALLEL_FROM = 8
"""Pages never read before from which a run reads its documents in parallel: fewer are read
sooner than processes start."""

PART_PAGES = 5
"""Pages of a document a worker reads at a time: a document's pages are shared out in parts, so
the workers end together; its files are rendered once all its parts are in."""


@dataclass(slots=True)
class Prerendered:
    """The report files a run's workers rendered (see `output.stamp.Rendered`), how many files
    they wrote, and how they showed the run's shifts."""

    files: Rendered = field(default_factory=dict)
    written: int = 0
    shown: ShiftsShown = field(default_factory=ShiftsShown)

    def take(self, other: Prerendered) -> None:
        self.files.update(other.files)
        self.written += other.written
        self.shown.take(other.shown)


@dataclass(frozen=True, slots=True)
class PartRead:
    """What a worker did for some pages of a document: their updates, where each stopped, and
    its repository's head."""

    document: str
    pages: list[PageUpdate]
    stops: dict[str, str]
    heads: dict[str, str]


@dataclass(frozen=True, slots=True)
class DocumentRead:
    """What a worker did for one document: its pages' updates, where each stopped, its
    repository's head, and the report files it rendered."""

    document: str
    pages: list[PageUpdate]
    stops: dict[str, str]
    heads: dict[str, str]
    rendered: Prerendered


def usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worth_it(config: Config, store: SnapshotStore, jobs: int) -> bool:
    """Whether to read the documents in parallel: with more than one process to run them, on
    Linux, when enough pages were never read."""
    if jobs < 2 or sys.platform != "linux":
        return False
    stops = {repo: read_stops(store, repo) for repo in {d.repo for d in config.documents}}
    unread = [t for t in targets(config) if stop_key(t) not in stops[t.repository]]
    return len(unread) >= PARALLEL_FROM


def read_documents(
    config: Config, jobs: int, render: bool, on_read: Callable[[DocumentRead], None]
) -> dict[str, DocumentRead]:
    """Every document read by `jobs` worker processes (with `render`, its files rendered too),
    each passed to `on_read` as it comes. Should the workers die (killed, out of memory), the
    documents not read are not in the result: the run reads them itself, and meets any error
    that stopped them again, page by page."""
    context = multiprocessing.get_context("fork")
    schedule = _Schedule(config, render, on_read)
    workers = min(jobs, schedule.parts)
    started = (os.getpid(), config, render)
    pool = futures.ProcessPoolExecutor(workers, context, initializer=_start, initargs=started)
    try:
        schedule.run(pool, workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return schedule.read


def parts_of(document: DocumentConfig) -> list[tuple[str, ...]]:
    """The locales of a document, `PART_PAGES` at a time."""
    locales = document.locales
    return [tuple(locales[i : i + PART_PAGES]) for i in range(0, len(locales), PART_PAGES)]


_Task = tuple[str, int | None]
"""A document's part to read (its number), or the document to render (None)."""


def _in_turn(parts: Mapping[str, list[tuple[str, ...]]]) -> list[_Task]:
    """Every document's first part, then every second part, and so on."""
    longest = max(map(len, parts.values()), default=0)
    return [(d, number) for number in range(longest) for d in parts if number < len(parts[d])]


class _Schedule:
    """Each document's parts to read, then, with `render`, the document to render once its
    parts are in, ahead of the parts left to read. Every document's first part comes first, then
    every second part, and so on: the last parts, then the last documents to render, are those
    of different documents, side by side. A task is handed out only when a worker is free."""

    def __init__(
        self, config: Config, render: bool, on_read: Callable[[DocumentRead], None]
    ) -> None:
        self._render, self._on_read = render, on_read
        self._locales = {d.id: parts_of(d) for d in config.documents}
        self._done: dict[str, dict[int, PartRead]] = {d.id: {} for d in config.documents}
        self._todo: deque[_Task] = deque(_in_turn(self._locales))
        self.parts = len(self._todo)
        self.read: dict[str, DocumentRead] = {}

    def run(self, pool: futures.ProcessPoolExecutor, at_once: int) -> None:
        running: dict[futures.Future[PartRead | Prerendered], _Task] = {}
        try:
            while self._todo or running:
                while self._todo and len(running) < at_once:
                    task = self._todo.popleft()
                    running[self._submit(pool, task)] = task
                finished, _ = futures.wait(running, return_when=futures.FIRST_COMPLETED)
                for future in finished:
                    self._took(running.pop(future), future.result())
        except Exception:  # the run reads the rest itself, and meets the error again
            return

    def _submit(
        self, pool: futures.ProcessPoolExecutor, task: _Task
    ) -> futures.Future[PartRead | Prerendered]:
        document, number = task
        if number is None:
            return pool.submit(_render, document, self._updates(document))
        return pool.submit(_read_part, document, self._locales[document][number])

    def _took(self, task: _Task, result: PartRead | Prerendered) -> None:
        document, number = task
        if isinstance(result, PartRead) and number is not None:
            self._took_part(document, number, result)
        elif isinstance(result, Prerendered):
            self._finish(document, result)

    def _took_part(self, document: str, number: int, part: PartRead) -> None:
        self._done[document][number] = part
        if len(self._done[document]) < len(self._locales[document]):
            return
        if self._render:
            self._todo.appendleft((document, None))
        else:
            self._finish(document, Prerendered())

    def _updates(self, document: str) -> list[PageUpdate]:
        parts = self._done[document]
        return [page for number in sorted(parts) for page in parts[number].pages]

    def _finish(self, document: str, rendered: Prerendered) -> None:
        stops: dict[str, str] = {}
        heads: dict[str, str] = {}
        for part in self._done[document].values():
            stops.update(part.stops)
            heads.update(part.heads)
        done = DocumentRead(document, self._updates(document), stops, heads, rendered)
        self.read[document] = done
        self._on_read(done)


@dataclass(slots=True)
class _Worker:
    """A worker process's own: its opened repositories (each listed once for all the documents
    it reads there), its parsed texts and the pages it diffed, whether it renders."""

    config: Config
    render: bool
    sources: Sources
    store: SnapshotStore
    texts: Texts
    diffed: DiffedPages


_STARTED: dict[str, _Worker] = {}
"""The worker this process is (`_start`), under "worker"."""


def _start(parent: int, config: Config, render: bool) -> None:
    _die_with(parent)
    _STARTED["worker"] = worker_for(config, render, ExitStack())  # closed as the worker exits


def worker_for(config: Config, render: bool, opened: ExitStack) -> _Worker:
    """A worker's own, its repositories opened into `opened`."""
    sources = Sources(config, opened)
    store = SnapshotStore(config.snapshots)
    return _Worker(config, render, sources, store, Texts(), DiffedPages())


def _die_with(parent: int) -> None:
    """A worker of a killed run is killed too: left running, it would hold the run's lock, and
    wait for work for ever."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the run died before the line above
        os._exit(1)


def _read_part(document_id: str, locales: tuple[str, ...]) -> PartRead:
    """Some locales of a document brought up to date, in a worker."""
    worker = _STARTED["worker"]
    document = worker.config.document(document_id)
    pages = document_targets(worker.config, document_id)
    source = worker.sources.get(document.repo, document.ref)
    stops = read_stops(worker.store, document.repo)
    if isinstance(source, GitSource):
        pages = [target for target in pages if target.locale in locales]
    # else each page fails as in a run that reads the document whole
    updates = update_document(source, worker.store, pages, stops, worker.texts, worker.diffed)
    taken = [update for update in updates if update.locale in locales]
    heads: dict[str, str] = {}
    record_head(source, document, heads)
    own = {stop_key(t): stops[stop_key(t)] for t in pages if stop_key(t) in stops}
    return PartRead(document_id, taken, own, heads)


def _render(document_id: str, updates: list[PageUpdate]) -> Prerendered:
    """A document's files rendered in a worker once its every page is up to date; none when
    they cannot be (the run renders them, and says what went wrong)."""
    worker = _STARTED["worker"]
    with contextlib.suppress(Exception):
        document = worker.config.document(document_id)
        return _rendered(worker.config, document, updates, worker.diffed)
    return Prerendered()


@frozen_heap()  # the cyclic collector traces what the render makes, not what it reads
def _rendered(
    config: Config,
    document: DocumentConfig,
    updates: list[PageUpdate],
    diffed: DiffedPages,
) -> Prerendered:
    """The document's files rendered and written, as the run would render them, and its new
    texts' sections of the run's summary; none when a page cannot be read (the run says why)
    or when the run would render them anyway. The pages this worker `diffed` are not built
    again."""
    failures: stored.PageFailures = {}
    targets = document_targets(config, document.id)
    with synced_once():  # the diffs the pages get
        pages, ids = stored.load_pages(config, targets, failures, diffed)
    if failures or not stored.reuses_files(config):
        return Prerendered()
    failed = {(u.document, u.locale): u.error or "failed" for u in updates if _failed(u)}
    reuse = stored.reuse_of(config, ids, read_rendered(config))
    done = Prerendered()

    def write(outputs: Mapping[str, str | Iterable[str]]) -> None:
        done.written += write_outputs(config.reports, outputs)

    with synced_once():
        shows = stored.shown_as_rendered(updates, done.shown)  # while the diffs are at hand
        delivery, status = plan.Delivery(shows, write), SiteStatus(failed)
        site = plan.render_document(config, document, pages, status, reuse, delivery)
        write(site.outputs)
    done.files = stored.rendered_record(site, {})
    return done


def _failed(update: PageUpdate) -> bool:
    return update.status is PageStatus.FAILED
