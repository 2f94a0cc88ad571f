"""Turn a page's versions into dated revisions: pure rules, no I/O.

A version is one commit that touched the page and the text it left. Revisions are a view over
versions, in commit order: consecutive versions published under the same date make one revision,
whose earlier texts are silent edits. A page with no date of its own gets a revision per commit
that changed its text, dated by the commit. A deletion is a revision of its own; the text that
comes back after it is a restore. A date that comes back later (after a deletion or a backdated
commit) starts a revision keyed `<date>.2`, so keys stay unique. Everything here is recomputed
from the versions on every run, which is why an incremental run and a clean run agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from raci_tracker.model import (
    CommitRef,
    DateSource,
    DocumentInfo,
    HistoryNote,
    IndexEntry,
    PageCommit,
    PageVersion,
    Revision,
    RevisionStatus,
    Severity,
    SilentEdit,
    Skipped,
    Snapshot,
    SourceInfo,
)
from raci_tracker.page.rules import finding

DERIVED_RULES = frozenset(
    {
        "date-backwards",
        "page-restored",
        "date-missing",
        "page-moved",
        "page-move-refused",
        "revision-skipped",
    }
)
"""Notes recomputed from the versions and the listing on every run (not carried over)."""
GROUP_RULES = frozenset({"date-backwards", "page-restored", "date-missing"})
"""Notes the grouping itself attaches to a revision."""


def commit_ref(page_commit: PageCommit) -> CommitRef:
    return CommitRef(
        page_commit.commit, page_commit.commit_time, page_commit.path, page_commit.blob
    )


def commit_date(commit_time: int) -> str:
    return datetime.fromtimestamp(commit_time, tz=UTC).date().isoformat()


def deleted_snapshot(ref: CommitRef) -> Snapshot:
    """The page as published after a deletion: nothing."""
    message = f"the page was deleted at {ref.path} by commit {ref.commit[:12]}"
    return Snapshot(
        document=DocumentInfo(title=None, excerpt=None, updated=None, date_source=DateSource.NONE),
        source=SourceInfo(sha256=hashlib.sha256(b"").hexdigest(), path=ref.path, commit=ref.commit),
        legend={},
        parties=(),
        sections=(),
        activities=(),
        findings=(finding("page-deleted", None, message),),
    )


def version_of(ref: CommitRef, snapshot: Snapshot | None, key: str | None) -> PageVersion:
    """The version a commit made: its text's address and own date (None: deleted)."""
    if snapshot is None or ref.blob is None:
        return PageVersion(ref, None, None, DateSource.NONE)
    updated = snapshot.document.updated
    source = snapshot.document.date_source if updated else DateSource.NONE
    return PageVersion(ref, key, updated, source, len(snapshot.activities))


@dataclass(slots=True)
class Group:
    """The versions of one revision, and what the history says about it."""

    key: str
    date: str
    date_source: DateSource
    versions: list[PageVersion]
    notes: list[HistoryNote] = field(default_factory=list)

    @property
    def status(self) -> RevisionStatus:
        deleted = self.versions[-1].deleted
        return RevisionStatus.DELETED if deleted else RevisionStatus.PUBLISHED

    def texts(self) -> list[PageVersion]:
        """The last version of each run of one text (a silent edit is named by the last commit
        that still carried it, as `compare.in_force` expects)."""
        lasts = [self.versions[0]]
        for version in self.versions[1:]:
            if version.object != lasts[-1].object:
                lasts.append(version)
            else:
                lasts[-1] = version
        return lasts

    def entry(self) -> IndexEntry:
        last = self.versions[-1]
        return IndexEntry(
            key=self.key,
            date=self.date,
            date_source=self.date_source,
            status=self.status,
            commit=last.ref.commit,
            path=last.ref.path,
            commits=tuple(v.ref.commit for v in self.versions),
            silent_edit_count=len(self.texts()) - 1,
            activity_count=last.activities,
        )


def revision_date(version: PageVersion) -> tuple[str, DateSource]:
    """The page's own date, or for a deletion or an undated text, its commit's (UTC) date."""
    if version.deleted or version.date is None:
        return commit_date(version.ref.commit_time), DateSource.COMMIT
    return version.date, version.date_source


@dataclass(slots=True)
class _Grouping:
    groups: list[Group] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    latest: str | None = None
    before_deletion: PageVersion | None = None
    previous: PageVersion | None = None
    undated_noted: bool = False

    def add(self, version: PageVersion) -> None:
        day, source = revision_date(version)
        if self._starts_revision(version, day, source):
            self.counts[day] = self.counts.get(day, 0) + 1
            key = day if self.counts[day] == 1 else f"{day}.{self.counts[day]}"
            self.groups.append(Group(key, day, source, [version], self._backwards(version)))
        else:
            self.groups[-1].versions.append(version)
            self.groups[-1].date_source = source  # dated as its latest text says
        self.groups[-1].notes.extend(self._restored(version) + self._undated(version))
        if not version.deleted:
            self.before_deletion = version
            self.latest = max(filter(None, (self.latest, version.date)), default=None)
        self.previous = version

    def _starts_revision(self, version: PageVersion, day: str, source: DateSource) -> bool:
        if not self.groups or version.deleted or self.groups[-1].versions[-1].deleted:
            return True
        current = self.groups[-1]
        if source is DateSource.COMMIT or current.date_source is DateSource.COMMIT:
            # no date of its own: each commit that changes the text is a revision
            return source != current.date_source or version.object != current.versions[-1].object
        return day != current.date

    def _backwards(self, version: PageVersion) -> list[HistoryNote]:
        if version.date is None or self.latest is None or version.date >= self.latest:
            return []
        ref = version.ref
        message = (
            f"{ref.path} at {ref.commit[:12]} is dated {version.date}, "
            f"before {self.latest} of an earlier commit"
        )
        return [HistoryNote("date-backwards", Severity.WARNING, ref.commit, message)]

    def _restored(self, version: PageVersion) -> list[HistoryNote]:
        gone, before = self.previous, self.before_deletion
        if version.deleted or gone is None or not gone.deleted:
            return []
        same = before is not None and before.object == version.object
        message = (
            f"{version.ref.path} was restored by commit {version.ref.commit[:12]} "
            f"({commit_date(version.ref.commit_time)}) after its deletion by commit "
            f"{gone.ref.commit[:12]} ({commit_date(gone.ref.commit_time)}); the text is "
            + ("the same as before the deletion" if same else "not the one deleted")
        )
        return [HistoryNote("page-restored", Severity.WARNING, version.ref.commit, message)]

    def _undated(self, version: PageVersion) -> list[HistoryNote]:
        if version.deleted or version.date is not None or self.undated_noted:
            return []
        self.undated_noted = True
        message = (
            f"{version.ref.path} carries no date of its own (no front-matter date, no in-body "
            "date line); each commit that changes it is a revision dated by the commit"
        )
        return [HistoryNote("date-missing", Severity.WARNING, version.ref.commit, message)]


def group_versions(versions: Iterable[PageVersion]) -> list[Group]:
    """Versions in commit order, grouped into revisions."""
    grouping = _Grouping()
    for version in versions:
        grouping.add(version)
    return grouping.groups


def revision_of(
    group: Group, load: Callable[[PageVersion], Snapshot], notes: Sequence[HistoryNote] = ()
) -> Revision:
    """The revision a group makes, its snapshots read with `load` (a deletion needs none)."""
    last = group.versions[-1]
    commits = {v.ref.commit for v in group.versions}
    return Revision(
        date=group.date,
        date_source=group.date_source,
        status=group.status,
        ref=last.ref,
        snapshot=snapshot_of(last, load),
        commits=tuple(v.ref for v in group.versions),
        silent_edits=tuple(SilentEdit(v.ref, snapshot_of(v, load)) for v in group.texts()[:-1]),
        key=group.key,
        notes=(*group.notes, *(n for n in notes if n.commit in commits)),
    )


def at_version(snapshot: Snapshot, version: PageVersion) -> Snapshot:
    """A stored text as the snapshot of one version: with that version's commit and path."""
    source = replace(snapshot.source, path=version.ref.path, commit=version.ref.commit)
    return replace(snapshot, source=source)


def snapshot_of(version: PageVersion, load: Callable[[PageVersion], Snapshot]) -> Snapshot:
    return deleted_snapshot(version.ref) if version.object is None else load(version)


def derived_notes(groups: Iterable[Group]) -> list[HistoryNote]:
    return [note for group in groups for note in group.notes]


def skipped_note(skipped: Skipped) -> HistoryNote:
    return HistoryNote(
        "revision-skipped",
        Severity.ERROR,
        skipped.commit,
        f"{skipped.path} at {skipped.commit[:12]}: {skipped.reason}",
    )


# --- in force on a date ----------------------------------------------------------------------


def in_force_on(groups: Sequence[Group], day: str) -> tuple[PageVersion, Group] | None:
    """The last version committed on or before `day` (UTC), and the revision it belongs to;
    None before the first version."""
    end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), datetime.min.time(), UTC)
    found = None
    for group in groups:
        for version in group.versions:
            if version.ref.commit_time < end.timestamp():
                found = (version, group)
    return found
