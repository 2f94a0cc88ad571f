"""The history walk: a page's commits, oldest first, read into versions and viewed as revisions.

`walk_history` lists a page's revisions without a store (`outline_history`: without holding their
snapshots); `update_page` brings one page and locale of the store up to date with its repository,
reading only commits it has not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

from raci_tracker.errors import InputError
from raci_tracker.history.commits import Listing, listing, listing_since
from raci_tracker.history.dating import (
    DERIVED_RULES,
    Group,
    at_version,
    derived_notes,
    group_versions,
    revision_of,
    skipped_note,
)
from raci_tracker.history.reading import Reader, Texts
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.model import (
    HistoryNote,
    IndexEntry,
    IndexHead,
    PageCommit,
    PageIndex,
    PageVersion,
    Rename,
    Revision,
    Severity,
    Skipped,
    Snapshot,
)
from raci_tracker.page.version import PARSER_VERSION


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
    changed_dates: list[str] = field(default_factory=list)  # keys of revisions taken in
    files_written: int = 0
    new_commits: list[str] = field(default_factory=list)
    rewritten: bool = False
    skipped: int = 0
    error: str | None = None
    moved_to: str | None = None  # where the page lives now, when not at its configured path
    head: str | None = None  # the commit the page is now up to date with


@dataclass(slots=True)
class RunSummary:
    pages: list[PageUpdate] = field(default_factory=list)

    @property
    def failed(self) -> list[PageUpdate]:
        return [page for page in self.pages if page.status is PageStatus.FAILED]


def history_notes(
    kept: Sequence[HistoryNote],
    skipped: Sequence[Skipped],
    moved: Sequence[HistoryNote],
    groups: list[Group],
) -> list[HistoryNote]:
    """Notes carried over from earlier runs, then everything the history itself says: the
    commits skipped, where the page moved (`Move.note`), and what its dates say."""
    said = [skipped_note(s) for s in skipped] + list(moved)
    return [*kept, *said, *derived_notes(groups)]


# --- listing a history without a store ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryListing:
    revisions: list[Revision]
    renames: list[Rename]
    notes: list[HistoryNote]
    skipped: list[Skipped]
    versions: list[PageVersion] = field(default_factory=list)


def walk_history(source: GitSource, target: PageTarget) -> HistoryListing:
    head = source.resolve(target.ref)
    listed = listing(source, head, target.path)
    texts: dict[str, Snapshot] = {}
    reader = Reader(source, target.locale, target.aliases, lambda k, _, s: texts.update({k: s}))
    read = reader.read(listed.commits)
    groups = group_versions(read.versions)

    def load(version: PageVersion) -> Snapshot:
        return at_version(texts[version.object or ""], version)

    revisions = [revision_of(group, load, listed.moved) for group in groups]
    notes = history_notes([], read.skipped, listed.moved, groups)
    return HistoryListing(revisions, listed.renames, notes, read.skipped, read.versions)


@dataclass(frozen=True, slots=True)
class HistoryOutline:
    """A page's history as `raci-tracker history` lists it: each revision's entry (dates,
    commits, counts), not its snapshots, so memory follows the page's size, not its history."""

    revisions: list[IndexEntry]
    renames: list[Rename]
    notes: list[HistoryNote]
    versions: list[PageVersion]


def outline_history(source: GitSource, target: PageTarget) -> HistoryOutline:
    """What `walk_history` lists, each text parsed and let go once its version is known."""
    head = source.resolve(target.ref)
    listed = listing(source, head, target.path)
    read = Reader(source, target.locale, target.aliases, lambda *_: None).read(listed.commits)
    groups = group_versions(read.versions)
    notes = history_notes([], read.skipped, listed.moved, groups)
    return HistoryOutline([g.entry() for g in groups], listed.renames, notes, read.versions)


# --- keeping the store up to date --------------------------------------------------------------


def update_page(
    source: GitSource,
    store: SnapshotStore,
    target: PageTarget,
    stopped: str | None = None,
    texts: Texts | None = None,
) -> PageUpdate:
    """Take in the page's new commits; with nothing new, read no blob, decode no more of its
    index than its head (the versions of a long history take longer) and write no file.

    `stopped` is the head the page was last brought up to (by default its index's last commit):
    when no commit since then touched the page's path, nothing else is read. `texts`, shared
    by the pages of a run, spares parsing a text another page already parsed."""
    head = source.resolve(target.ref)
    last_read = store.load_index_head(target.document, target.locale)
    if last_read is not None and _nothing_new(source, last_read, target, head, stopped):
        moved_to = last_read.current_path
        return PageUpdate(target.document, target.locale, moved_to=moved_to, head=head)
    index = store.load_index(target.document, target.locale)
    rewritten = index is not None and _rewritten(source, index, head)
    previous = (
        None if index is None or rewritten or _config_changed(index.head(), target) else index
    )
    listed = listing_since(source, head, target.path, previous)
    commits = listed.commits
    known = _known(previous, commits)
    new_commits = [c for c in commits if c.commit not in known]
    written: list[str] = []
    keep = _keeper(store, target, written)
    read = Reader(source, target.locale, target.aliases, keep, texts).read(new_commits)
    versions, skipped = _merged(commits, previous, read.versions, read.skipped)
    groups = group_versions(versions)
    kept = _kept_notes(previous) + ([_rewritten_note(index, target)] if rewritten else [])
    new_index = _page_index(target, listed, versions, skipped)
    new_index.revisions = [group.entry() for group in groups]
    new_index.notes = history_notes(kept, skipped, listed.moved, groups)
    _refuse_emptier(index, new_index, target)
    files_written = len(_added(index, versions, written)) + int(store.write_index(new_index))
    if not rewritten:
        files_written += store.prune_objects(target.document, target.locale, versions)
    unseen = _unseen(index, versions, new_commits, rewritten)
    new = _new_texts(versions, {c.commit for c in unseen})
    return PageUpdate(
        target.document,
        target.locale,
        status=PageStatus.UPDATED if files_written else PageStatus.UNCHANGED,
        changed_dates=[g.key for g in groups if any(v.ref.commit in new for v in g.versions)],
        files_written=files_written,
        new_commits=[c.commit for c in unseen],
        rewritten=rewritten,
        skipped=len(read.skipped),
        moved_to=new_index.current_path,
        head=head,
    )


def _added(
    index: PageIndex | None, versions: Sequence[PageVersion], written: list[str]
) -> set[str]:
    """The objects this run adds to the page's store: those it wrote, and those its index names
    now and did not before, though their files were there (left by a run killed before its
    index was written, which never counted them)."""
    before = {v.object for v in index.versions} if index is not None else set()
    named = {v.object for v in versions if v.object is not None and v.object not in before}
    return named | set(written)


def _keeper(
    store: SnapshotStore, target: PageTarget, written: list[str]
) -> Callable[[str, bytes, Snapshot], None]:
    """Keeps each text read in the store; `written` gets the addresses of the new objects."""

    def keep(key: str, content: bytes, snapshot: Snapshot) -> None:
        if store.write_object(target.document, target.locale, key, content):
            written.append(key)
        store.remember(target.document, target.locale, key, snapshot)

    return keep


def _unseen(
    index: PageIndex | None,
    versions: Sequence[PageVersion],
    new_commits: Sequence[PageCommit],
    rewritten: bool,
) -> list[PageCommit]:
    """The new commits the user has not seen: not taken in before, nor, after a rewrite,
    bringing a text the old history had in the same place."""
    taken = _taken_in(index) | (_same_texts(index, versions) if rewritten else set())
    return [c for c in new_commits if c.commit not in taken]


def _page_index(
    target: PageTarget, listed: Listing, versions: list[PageVersion], skipped: list[Skipped]
) -> PageIndex:
    commits = listed.commits
    return PageIndex(
        document=target.document,
        locale=target.locale,
        repository=target.repository,
        ref=target.ref,
        path=target.path,
        parser_version=PARSER_VERSION,
        last_commit=commits[-1].commit,  # not the head: a quiet upstream commit changes no index
        renames=listed.renames,
        skipped=skipped,
        versions=versions,
        current_path=None if commits[-1].path == target.path else commits[-1].path,
        parties=_names(target.aliases),
    )


def _refuse_emptier(old: PageIndex | None, new: PageIndex, target: PageTarget) -> None:
    """A history with no readable text left never replaces one that had some."""
    if old is None or any(v.object for v in new.versions):
        return
    kept = sum(1 for v in old.versions if v.object)
    if kept:
        raise InputError(
            f"no commit of {target.path!r} has a readable page any more; the {kept} stored "
            "version(s) are kept (check the path and ref)"
        )


def _new_texts(versions: Sequence[PageVersion], unseen: set[str]) -> set[str]:
    """The unseen commits that changed the page's text: a pure move or a commit that left the
    blob as it was brings in a version, but no new revision."""
    changed, before = set(), None
    for version in versions:
        if version.ref.commit in unseen and version.ref.blob != before:
            changed.add(version.ref.commit)
        before = version.ref.blob
    return changed


def _taken_in(index: PageIndex | None) -> set[str]:
    """Commits an earlier run already took in: read again after a config or parser change, they
    are not new to the user, so they are neither new revisions nor alerts."""
    if index is None:
        return set()
    return {v.ref.commit for v in index.versions} | {s.commit for s in index.skipped}


def _same_texts(old: PageIndex | None, versions: Sequence[PageVersion]) -> set[str]:
    """After a rewritten history, the commits that brought the texts the old history had, in
    the same order (the longest run of texts both share): the same texts under new commit ids
    (a reworded message, a rebase) are not new to the user, so they are neither new revisions
    nor alerts."""
    if old is None:
        return set()
    before, after = [v.ref.blob for v in old.versions], [v.ref.blob for v in versions]
    blocks = SequenceMatcher(None, before, after, autojunk=False).get_matching_blocks()
    return {
        versions[i].ref.commit for block in blocks for i in range(block.b, block.b + block.size)
    }


def _known(previous: PageIndex | None, commits: Sequence[PageCommit]) -> set[str]:
    """Commits the index already holds as listed now, at the same path (a move found since, or
    one no longer followed, is read again)."""
    if previous is None:
        return set()
    stored = {v.ref.commit: (v.ref.path, v.ref.blob) for v in previous.versions}
    skipped = {(s.commit, s.path) for s in previous.skipped}
    return {
        c.commit
        for c in commits
        if (c.commit, c.path) in skipped or stored.get(c.commit) == (c.path, c.blob)
    }


def _merged(
    commits: Sequence[PageCommit],
    previous: PageIndex | None,
    versions: Sequence[PageVersion],
    skipped: Sequence[Skipped],
) -> tuple[list[PageVersion], list[Skipped]]:
    """Stored and new versions (and skipped commits) in the order of the listing."""
    by_commit: dict[str, PageVersion | Skipped] = {}
    if previous is not None:
        by_commit |= {v.ref.commit: v for v in previous.versions}
        by_commit |= {s.commit: s for s in previous.skipped}
    by_commit |= {v.ref.commit: v for v in versions} | {s.commit: s for s in skipped}
    ordered = [by_commit[c.commit] for c in commits if c.commit in by_commit]
    return (
        [item for item in ordered if isinstance(item, PageVersion)],
        [item for item in ordered if isinstance(item, Skipped)],
    )


def _kept_notes(previous: PageIndex | None) -> list[HistoryNote]:
    return [n for n in previous.notes if n.rule not in DERIVED_RULES] if previous else []


def _rewritten(source: GitSource, index: PageIndex, head: str) -> bool:
    """True when the last processed commit left the published (first-parent) history: a
    force-push, or a "foxtrot" merge that made the old tip a side branch."""
    last = index.last_commit
    if last is None:
        return False
    return not (source.has_commit(last) and source.is_first_parent_ancestor(last, head))


def _rewritten_note(index: PageIndex | None, target: PageTarget) -> HistoryNote:
    return HistoryNote(
        "history-rewritten",
        Severity.WARNING,
        index.last_commit if index else None,
        f"the last processed commit is no longer in the first-parent history of "
        f"{target.ref or 'HEAD'}; the page was walked again in full",
    )


def _nothing_new(
    source: GitSource, index: IndexHead, target: PageTarget, head: str, stopped: str | None
) -> bool:
    """True when the page is as it was at `stopped` (or its index's last commit), and no
    first-parent commit since touched its path (configured or current)."""
    since = stopped or index.last_commit
    if since is None or _config_changed(index, target):
        return False
    if since == head:
        return True
    if not (source.has_commit(since) and source.is_first_parent_ancestor(since, head)):
        return False
    paths = {target.path, index.current_path or target.path}
    return not _touched(paths, source.paths_changed(since, head))


def _touched(paths: set[str], changed: frozenset[str]) -> bool:
    """A changed path is one of `paths`, or in one: a page whose path became a folder fails
    again on each run that changes what is in it, as long as it is one."""
    inside = tuple(f"{path}/" for path in paths)
    return bool(paths & changed) or any(name.startswith(inside) for name in changed)


def _config_changed(index: IndexHead, target: PageTarget) -> bool:
    """The page was read with another parser, path, ref or parties' names: read it again."""
    return (index.parser_version, index.path, index.ref, _names(index.parties)) != (
        PARSER_VERSION,
        target.path,
        target.ref,
        _names(target.aliases),
    )


def _names(parties: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {party: list(names) for party, names in parties.items()}
