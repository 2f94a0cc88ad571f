"""A first run over many pages, its documents read in parallel (docs/decisions/0018).

Each worker process takes whole documents: it brings the document's pages up to date, diffs
their revisions into the store, and renders the document's own report files, as the run itself
would. The run then renders what spans documents (the index, the feed), and leaves alone each
file a worker rendered, by the same rule that leaves alone a file a run rendered before
(`output.reuse`): its key and bytes are checked, so a file a worker got wrong is rendered again.
Workers are forked (on Linux): they hold the run's lock with it, and die with it, so a killed
run's workers never write beside the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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
from raci_tracker.history.reading import Texts
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageStatus, PageUpdate
from raci_tracker.lazy import LazyModule
from raci_tracker.output.stamp import Rendered, read_rendered
from raci_tracker.output.status import SiteStatus

if TYPE_CHECKING:
    import raci_tracker.app.changelogs as stored
    from raci_tracker.output import site as plan
else:  # the renderers: imported by the workers, and by a run that renders
    stored = LazyModule("raci_tracker.app.changelogs")
    plan = LazyModule("raci_tracker.output.site")

PR_SET_PDEATHSIG = 1
"""Linux's `prctl` option: the signal a process gets when its parent dies."""

PARALLEL_FROM = 8
"""Pages never read before from which a run reads its documents in parallel: fewer are read
sooner than processes start."""


@dataclass(slots=True)
class Prerendered:
    """The report files a run's workers rendered (see `output.stamp.Rendered`), and how many
    files they wrote."""

    files: Rendered = field(default_factory=dict)
    written: int = 0


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
    Linux, when pages of two documents or more were never read, enough of them."""
    if jobs < 2 or len(config.documents) < 2 or sys.platform != "linux":
        return False
    stops = {repo: read_stops(store, repo) for repo in {d.repo for d in config.documents}}
    unread = [t for t in targets(config) if stop_key(t) not in stops[t.repository]]
    return len(unread) >= PARALLEL_FROM and len({t.document for t in unread}) > 1


def read_documents(
    config: Config, jobs: int, render: bool, on_read: Callable[[DocumentRead], None]
) -> dict[str, DocumentRead]:
    """Every document read by `jobs` worker processes (with `render`, its files rendered too),
    each passed to `on_read` as it comes. Should the workers die (killed, out of memory), the
    documents not read are not in the result: the run reads them itself, and meets any error
    that stopped them again, page by page."""
    context = multiprocessing.get_context("fork")
    workers = min(jobs, len(config.documents))
    started = (os.getpid(), config, render)
    pool = ProcessPoolExecutor(workers, context, initializer=_start, initargs=started)
    read: dict[str, DocumentRead] = {}
    try:
        futures = [pool.submit(_read_document, document.id) for document in config.documents]
        _collect(futures, read, on_read)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return read


def _collect(
    futures: list[Future[DocumentRead]],
    read: dict[str, DocumentRead],
    on_read: Callable[[DocumentRead], None],
) -> None:
    try:
        for future in as_completed(futures):
            done = future.result()
            read[done.document] = done
            on_read(done)
    except Exception:  # the run reads the rest itself, and meets the error again
        return


@dataclass(slots=True)
class _Worker:
    """A worker process's own: its opened repositories (each listed once for all the documents
    it reads there), its parsed texts, whether it renders."""

    config: Config
    render: bool
    sources: Sources
    store: SnapshotStore
    texts: Texts


_STARTED: dict[str, _Worker] = {}
"""The worker this process is (`_start`), under "worker"."""


def _start(parent: int, config: Config, render: bool) -> None:
    _die_with(parent)
    _STARTED["worker"] = worker_for(config, render, ExitStack())  # closed as the worker exits


def worker_for(config: Config, render: bool, opened: ExitStack) -> _Worker:
    """A worker's own, its repositories opened into `opened`."""
    sources = Sources(config, opened)
    return _Worker(config, render, sources, SnapshotStore(config.snapshots), Texts())


def _die_with(parent: int) -> None:
    """A worker of a killed run is killed too: left running, it would hold the run's lock, and
    wait for work for ever."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the run died before the line above
        os._exit(1)


def _read_document(document_id: str) -> DocumentRead:
    worker = _STARTED["worker"]
    config = worker.config
    document = config.document(document_id)
    pages = document_targets(config, document_id)
    source = worker.sources.get(document.repo, document.ref)
    stops = read_stops(worker.store, document.repo)
    updates = list(update_document(source, worker.store, pages, stops, worker.texts))
    heads: dict[str, str] = {}
    record_head(source, document, heads)
    own = {stop_key(t): stops[stop_key(t)] for t in pages if stop_key(t) in stops}
    rendered = Prerendered()
    if worker.render:
        with contextlib.suppress(Exception):  # the run renders them, and says what went wrong
            rendered = _rendered(config, document, updates)
    return DocumentRead(document_id, updates, own, heads, rendered)


def _rendered(config: Config, document: DocumentConfig, updates: list[PageUpdate]) -> Prerendered:
    """The document's files rendered and written, as the run would render them; none when a
    page cannot be read (the run says why) or when the run would render them anyway."""
    failures: stored.PageFailures = {}
    with synced_once():  # the diffs the pages get
        pages, ids = stored.load_pages(config, document_targets(config, document.id), failures)
    if failures or not stored.reuses_files(config):
        return Prerendered()
    failed = {(u.document, u.locale): u.error or "failed" for u in updates if _failed(u)}
    reuse = stored.reuse_of(config, ids, read_rendered(config))
    done = Prerendered()

    def write(outputs: Mapping[str, str]) -> None:
        done.written += write_outputs(config.reports, outputs)

    with synced_once():
        delivery, status = plan.Delivery((), write), SiteStatus(failed)
        site = plan.render_document(config, document, pages, status, reuse, delivery)
        write(site.outputs)
    done.files = stored.rendered_record(site, {})
    return done


def _failed(update: PageUpdate) -> bool:
    return update.status is PageStatus.FAILED
