"""The history walk: a page's commits, oldest first, folded into dated revisions.

`walk_history` lists a page's revisions without a store; `update_page` brings one page and
locale of the store up to date with its repository, reading only commits it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from raci_tracker.errors import InputError
from raci_tracker.history.dating import backwards_note, commit_ref, dated, deleted_snapshot, merge
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.model import (
    HistoryNote,
    IndexEntry,
    PageCommit,
    PageIndex,
    Rename,
    Revision,
    Severity,
    Skipped,
    Snapshot,
)
from raci_tracker.page.parse import PARSER_VERSION, parse_page


class PageStatus(StrEnum):
    """What one run did to one page and locale."""

    UNCHANGED = "unchanged"
    UPDATED = "updated"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PageTarget:
    """One page in one locale, as configured."""

    document: str
    locale: str
    repository: str
    ref: str | None
    path: str
    aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(slots=True)
class PageUpdate:
    """What one run did to one page and locale."""

    document: str
    locale: str
    status: PageStatus = PageStatus.UNCHANGED
    changed_dates: list[str] = field(default_factory=list)
    files_written: int = 0
    new_commits: list[str] = field(default_factory=list)
    rewritten: bool = False
    skipped: int = 0
    error: str | None = None


@dataclass(slots=True)
class RunSummary:
    pages: list[PageUpdate] = field(default_factory=list)

    @property
    def failed(self) -> list[PageUpdate]:
        return [page for page in self.pages if page.status is PageStatus.FAILED]


class _Revisions(Protocol):
    """Where a walk keeps the revision of each date while it assembles them."""

    def load(self, date: str) -> Revision | None: ...

    def save(self, revision: Revision) -> None: ...


class _InMemory:
    def __init__(self) -> None:
        self.by_date: dict[str, Revision] = {}

    def load(self, date: str) -> Revision | None:
        return self.by_date.get(date)

    def save(self, revision: Revision) -> None:
        self.by_date[revision.date] = revision


class _Stored:
    """Revisions on disk; in a full re-walk, only what this walk wrote is trusted."""

    def __init__(
        self,
        store: SnapshotStore,
        target: PageTarget,
        entries: dict[str, IndexEntry],
        trust_existing: bool,
    ) -> None:
        self.store, self.target, self.entries = store, target, entries
        self.trust_existing = trust_existing
        self.written: set[str] = set()
        self.files_written = 0

    def load(self, date: str) -> Revision | None:
        if not (self.trust_existing or date in self.written):
            return None
        return self.store.load_revision(self.target.document, self.target.locale, date)

    def save(self, revision: Revision) -> None:
        if self.store.write_revision(self.target.document, self.target.locale, revision):
            self.files_written += 1
        self.written.add(revision.date)
        self.entries[revision.date] = IndexEntry.of(revision)


@dataclass(slots=True)
class _Walk:
    """Folds a page's commits, oldest first, into dated revisions, one date in memory at a time."""

    target: PageTarget
    revisions: _Revisions
    latest: str | None = None
    current: Revision | None = None
    notes: list[HistoryNote] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def add(self, page_commit: PageCommit, snapshot: Snapshot) -> None:
        ref = commit_ref(page_commit)
        date, source, notes = dated(snapshot, ref)
        backwards = backwards_note(date, self.latest, ref)
        self.notes.extend([*notes, *([backwards] if backwards else [])])
        self.latest = max(date, self.latest or date)
        if self.current is None or self.current.date != date:
            self.flush()
            self.current = self.revisions.load(date)
        self.current = merge(self.current, date, source, ref, snapshot)
        if date not in self.changed:
            self.changed.append(date)

    def skip(self, page_commit: PageCommit, reason: str) -> None:
        self.skipped.append(Skipped(page_commit.commit, page_commit.path, reason))
        self.notes.append(
            HistoryNote(
                "revision-skipped",
                Severity.ERROR,
                page_commit.commit,
                f"{page_commit.path} at {page_commit.commit[:12]}: {reason}",
            )
        )

    def flush(self) -> None:
        if self.current is not None:
            self.revisions.save(self.current)
            self.current = None


def _snapshots(
    source: GitSource, commits: Sequence[PageCommit], target: PageTarget
) -> Iterable[tuple[PageCommit, Snapshot | InputError]]:
    """Each commit with its parsed text (or why it could not be read), reading each blob once."""
    source.prefetch(c.blob for c in commits if c.blob)
    previous: tuple[str, Snapshot] | None = None
    for page_commit in commits:
        ref = commit_ref(page_commit)
        if page_commit.blob is None:
            yield page_commit, deleted_snapshot(ref)
            continue
        if previous is not None and previous[0] == page_commit.blob:  # a pure rename or revert
            source_info = replace(previous[1].source, commit=ref.commit, path=ref.path)
            yield page_commit, replace(previous[1], source=source_info)
            continue
        try:
            snapshot = parse_page(
                source.read_blob(page_commit.blob),
                path=page_commit.path,
                locale=target.locale,
                aliases=target.aliases,
                commit=page_commit.commit,
                blob=page_commit.blob,
            )
        except InputError as error:
            yield page_commit, error
            continue
        previous = (page_commit.blob, snapshot)
        yield page_commit, snapshot


def _fold(walk: _Walk, source: GitSource, commits: Sequence[PageCommit]) -> None:
    for page_commit, result in _snapshots(source, commits, walk.target):
        if isinstance(result, InputError):
            walk.skip(page_commit, result.detail)
        else:
            walk.add(page_commit, result)
    walk.flush()


def renames(commits: Iterable[PageCommit]) -> list[Rename]:
    return [
        Rename(c.commit, c.previous_path, c.path)
        for c in commits
        if c.status == "R" and c.previous_path
    ]


# --- listing a history without a store ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryListing:
    revisions: list[Revision]
    renames: list[Rename]
    notes: list[HistoryNote]
    skipped: list[Skipped]


def walk_history(source: GitSource, target: PageTarget) -> HistoryListing:
    head = source.resolve(target.ref)
    commits = source.page_commits(head, target.path)
    memory = _InMemory()
    walk = _Walk(target, memory)
    _fold(walk, source, commits)
    ordered = [memory.by_date[date] for date in sorted(memory.by_date)]
    return HistoryListing(ordered, renames(commits), walk.notes, walk.skipped)


# --- keeping the store up to date --------------------------------------------------------------


def update_page(source: GitSource, store: SnapshotStore, target: PageTarget) -> PageUpdate:
    """Take in the page's new commits; with nothing new, read no blob and write no file."""
    head = source.resolve(target.ref)
    index = store.load_index(target.document, target.locale)
    if index is not None and _up_to_date(index, target, head):
        return PageUpdate(target.document, target.locale)
    rewritten = index is not None and _rewritten(source, index, head)
    previous = None if index is None or rewritten or _config_changed(index, target) else index
    commits = source.page_commits(head, target.path)
    known = previous.known_commits() if previous else set()
    new_commits = [c for c in commits if c.commit not in known]
    entries = {e.date: e for e in previous.revisions} if previous else {}
    stored = _Stored(store, target, entries, trust_existing=previous is not None)
    walk = _Walk(target, stored, latest=max(entries, default=None))
    _fold(walk, source, new_commits)
    notes = (previous.notes if previous else []) + walk.notes
    if rewritten:
        notes.append(_rewritten_note(index, target))
    new_index = PageIndex(
        document=target.document,
        locale=target.locale,
        repository=target.repository,
        ref=target.ref,
        path=target.path,
        parser_version=PARSER_VERSION,
        last_commit=head,
        revisions=[entries[date] for date in sorted(entries)],
        renames=renames(commits),
        skipped=(previous.skipped if previous else []) + walk.skipped,
        notes=notes,
    )
    files_written = stored.files_written + int(store.write_index(new_index))
    return PageUpdate(
        target.document,
        target.locale,
        status=PageStatus.UPDATED if files_written else PageStatus.UNCHANGED,
        changed_dates=sorted(walk.changed),
        files_written=files_written,
        new_commits=[c.commit for c in new_commits],
        rewritten=rewritten,
        skipped=len(walk.skipped),
    )


def _rewritten(source: GitSource, index: PageIndex, head: str) -> bool:
    """True when the last processed commit is gone from the history (a force-push upstream)."""
    last = index.last_commit
    return last is not None and not (source.has_commit(last) and source.is_ancestor(last, head))


def _rewritten_note(index: PageIndex | None, target: PageTarget) -> HistoryNote:
    return HistoryNote(
        "history-rewritten",
        Severity.WARNING,
        index.last_commit if index else None,
        f"the last processed commit is no longer in the history of {target.ref or 'HEAD'}; "
        "the page was walked again in full",
    )


def _up_to_date(index: PageIndex, target: PageTarget, head: str) -> bool:
    return index.last_commit == head and not _config_changed(index, target)


def _config_changed(index: PageIndex, target: PageTarget) -> bool:
    return (index.parser_version, index.path, index.ref) != (
        PARSER_VERSION,
        target.path,
        target.ref,
    )
