"""What a page's changelog says, revision by revision: pure data for the report templates.

A revision's own changes compare it with the previous revision as first published under its new
date; each later commit that kept the date (a silent edit) gets its own changes, flagged as such.
A page restored after a deletion is compared with the text it had before the deletion, so a text
that comes back unchanged shows no shift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.compare.outline import outline_of
from raci_tracker.model import (
    CommitRef,
    DateSource,
    Diff,
    HistoryNote,
    Revision,
    RevisionStatus,
    SeverityCounts,
    SilentEdit,
    Snapshot,
    TextOutline,
)


class Text:
    """A text of the page: the commit the store names it by, and its snapshot, read the first time
    something asks for it (a report that shows only the newest revisions reads only theirs)."""

    __slots__ = ("_load", "_snapshot", "commit")

    def __init__(self, commit: str, load: Callable[[], Snapshot]) -> None:
        self.commit, self._load = commit, load
        self._snapshot: Snapshot | None = None

    @classmethod
    def of(cls, snapshot: Snapshot) -> Text:
        text = cls(snapshot.source.commit or "", lambda: snapshot)
        text._snapshot = snapshot
        return text

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = self._load()
        return self._snapshot

    def read(self) -> Snapshot:
        """The snapshot, read now if it was not (a damaged object says so here)."""
        return self.snapshot

    def peek(self) -> Snapshot:
        """The snapshot, read if it was not, without keeping it: for a look at every text of a
        long history, one at a time."""
        return self._snapshot if self._snapshot is not None else self._load()

    def forget(self) -> None:
        """Let the snapshot go (read again if asked for): a run need not hold every page's."""
        self._snapshot = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self.snapshot == other.snapshot

    def __hash__(self) -> int:
        return hash(self.commit)


@dataclass(frozen=True, slots=True)
class RevisionHead:
    """A revision without its texts: what dates, names, keys and links it. `text_refs` are the
    commits the store names its texts by, in order (its silent edits', then `ref`)."""

    date: str
    date_source: DateSource
    status: RevisionStatus
    ref: CommitRef
    commits: tuple[CommitRef, ...]
    text_refs: tuple[CommitRef, ...]
    key: str = ""
    notes: tuple[HistoryNote, ...] = ()

    @classmethod
    def of(cls, revision: Revision) -> RevisionHead:
        refs = (*(edit.ref for edit in revision.silent_edits), revision.ref)
        return cls(
            revision.date,
            revision.date_source,
            revision.status,
            revision.ref,
            revision.commits,
            refs,
            revision.key,
            revision.notes,
        )


@dataclass(frozen=True, slots=True)
class DiffToFind:
    """A stored diff, read the first time something asks for it; what it counts by severity is
    known without reading it (kept beside the diffs, ADR 17)."""

    find: Callable[[], Diff]
    counts: SeverityCounts


@dataclass(frozen=True, slots=True, eq=False)
class Step:
    """One text of the page and how it differs from the text before it (None for the first).

    `found` is the diff, or how to find it: a page whose files are current has most of its
    diffs never read (its index row and the feed need only their counts)."""

    ref: CommitRef
    text: Text
    found: Diff | DiffToFind | None
    silent: bool
    previous: Text | None = None  # the text `diff` compares it with
    finder: DiffToFind | None = field(default=None, repr=False)  # how it was found

    @property
    def diff(self) -> Diff | None:
        found = self.found
        if not isinstance(found, DiffToFind):
            return found
        diff = found.find()
        object.__setattr__(self, "found", diff)
        object.__setattr__(self, "finder", found)
        return diff

    def forget_diff(self) -> None:
        """Let its diff go, where it can be found again (once rendered, a long history's
        diffs are not all held)."""
        if self.finder is not None:
            object.__setattr__(self, "found", self.finder)

    @property
    def counts(self) -> SeverityCounts | None:
        """Its diff's changes by severity, read from the diff only where not known without it."""
        found = self.found
        if isinstance(found, DiffToFind):
            return found.counts
        return found.summary.counts if found is not None else None

    @property
    def has_shifts(self) -> bool:
        counts = self.counts
        return counts is not None and counts.has_shifts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Step):
            return NotImplemented
        mine = (self.ref, self.text, self.diff, self.silent, self.previous)
        return mine == (other.ref, other.text, other.diff, other.silent, other.previous)

    def __hash__(self) -> int:
        return hash((self.ref, self.text, self.silent))  # not the diff: found when asked for

    @property
    def snapshot(self) -> Snapshot:
        return self.text.snapshot

    @property
    def before(self) -> Snapshot | None:
        return self.previous.snapshot if self.previous else None

    @property
    def kept_outline(self) -> TextOutline | None:
        """Its text outlined, as kept with its stored diff (None: not kept)."""
        return self.diff.outline if self.diff is not None else None

    @property
    def outline(self) -> TextOutline:
        """Its text outlined: kept with its stored diff, else read from its texts."""
        kept = self.kept_outline
        if kept is not None:
            return kept
        return outline_of(self.snapshot, self.before, self.diff.changes if self.diff else ())


@dataclass(frozen=True, slots=True)
class Entry:
    """A revision in the changelog: the step that brought its date, then its silent edits."""

    head: RevisionHead
    published: Step
    silent_edits: tuple[Step, ...]

    @property
    def revision(self) -> Revision:
        """The revision with its texts (read when first asked for)."""
        head, steps = self.head, self.steps
        edits = zip(head.text_refs[:-1], steps[:-1], strict=True)
        return Revision(
            date=head.date,
            date_source=head.date_source,
            status=head.status,
            ref=head.ref,
            snapshot=steps[-1].snapshot,
            commits=head.commits,
            silent_edits=tuple(SilentEdit(ref, step.snapshot) for ref, step in edits),
            key=head.key,
            notes=head.notes,
        )

    @property
    def snapshot(self) -> Snapshot:
        """The revision's last text, read alone (its silent edits' texts are not)."""
        return self.steps[-1].snapshot

    @property
    def first(self) -> bool:
        return self.published.diff is None

    @property
    def committed(self) -> str:
        """The day (UTC) the revision's first text was committed."""
        return commit_day(self.published.ref)

    @property
    def date_reused(self) -> bool:
        """The page's date came back after another revision (a restore, a backdated text)."""
        return bool(self.head.key) and self.head.key != self.head.date

    @property
    def restored(self) -> bool:
        return any(note.rule == "page-restored" for note in self.head.notes)

    @property
    def day(self) -> str:
        """The day to name the revision by: its date, or the day it was committed when the date
        came back (the date then belongs to an earlier revision)."""
        return self.committed if self.date_reused else self.head.date

    @property
    def steps(self) -> tuple[Step, ...]:
        return (self.published, *self.silent_edits)

    @property
    def has_shifts(self) -> bool:
        return any(step.has_shifts for step in self.steps)

    @property
    def has_major(self) -> bool:
        return any((counts := step.counts) is not None and counts.major for step in self.steps)


@dataclass(frozen=True, slots=True)
class PageChangelog:
    document: str
    locale: str
    title: str | None
    permalink: str | None
    entries: tuple[Entry, ...] = field(default_factory=tuple)  # oldest first

    @property
    def latest(self) -> Entry | None:
        return self.entries[-1] if self.entries else None

    @property
    def last_major(self) -> Entry | None:
        return next((e for e in reversed(self.entries) if e.has_major), None)

    def newest_first(self) -> list[Entry]:
        return list(reversed(self.entries))

    def forget_texts(self) -> None:
        """Let every text read so far go: once a page's files are rendered, a run keeps only
        what it reads again (the newest texts, those the feed lists)."""
        for entry in self.entries:
            for step in entry.steps:
                step.text.forget()


ShiftKey = tuple[str, str, str]
"""A text a run took in: document, locale, commit (`NewText.key`)."""


@dataclass(frozen=True, slots=True)
class NewText:
    """A text of a page this run took in, with how it differs from the text before it."""

    page: PageChangelog
    entry: Entry
    step: Step

    @property
    def has_shifts(self) -> bool:
        return self.step.has_shifts

    @property
    def key(self) -> ShiftKey:
        """Its name among a run's texts: its page, and the commit that first published it."""
        return (self.page.document, self.page.locale, self.step.ref.commit)


def commit_day(ref: CommitRef) -> str:
    """The day (UTC) of a commit."""
    return datetime.fromtimestamp(ref.commit_time, tz=UTC).date().isoformat()


def texts(revision: Revision) -> list[tuple[CommitRef, Snapshot]]:
    """The texts a revision went through, in commit order, each with the commit that FIRST
    published it: a later commit that left the text alone (a pure move) is not its source.

    A stored text is addressed by its blob, so a revision's texts are its runs of commits with
    one blob; the store names each by a commit of its run (today the last one)."""
    page_texts = [e.snapshot for e in revision.silent_edits] + [revision.snapshot]
    return list(zip(_sources(RevisionHead.of(revision)), page_texts, strict=True))


def _sources(head: RevisionHead) -> list[CommitRef]:
    """The commit that first published each of a revision's texts (see `texts`)."""
    firsts = _first_commits(head.commits)
    return firsts if len(firsts) == len(head.text_refs) else list(head.text_refs)


def _first_commits(commits: Sequence[CommitRef]) -> list[CommitRef]:
    """The first commit of each run of commits that left the same blob."""
    return [ref for i, ref in enumerate(commits) if i == 0 or ref.blob != commits[i - 1].blob]


DiffOf = Callable[[Snapshot, Snapshot], Diff]
"""How two texts' diff is found: `diff_snapshots`, or a lookup of diffs kept in the store."""
TextDiffOf = Callable[[Text, Text], Diff | DiffToFind]
"""The same for two texts that may not be read yet: a lookup that reads them only to diff, or
says how to find their stored diff when something asks for it."""
LazyRevision = tuple[RevisionHead, Sequence[Text]]
"""A revision and its texts in order, read when something asks for them."""


def build_entries(
    revisions: Iterable[Revision], diff_of: DiffOf = diff_snapshots
) -> tuple[Entry, ...]:
    """Entries for revisions in date order, each diffed against the text before it."""
    lazy = ((RevisionHead.of(r), [Text.of(s) for _, s in texts(r)]) for r in revisions)
    return build_lazy_entries(lazy, lambda before, after: diff_of(before.snapshot, after.snapshot))


def build_lazy_entries(revisions: Iterable[LazyRevision], diff_of: TextDiffOf) -> tuple[Entry, ...]:
    """`build_entries` for revisions whose texts are read only when something asks for them."""
    entries = []
    previous: Text | None = None
    for head, page_texts in revisions:
        steps = _steps(list(zip(_sources(head), page_texts, strict=True)), previous, diff_of)
        entries.append(Entry(head, steps[0], tuple(steps[1:])))
        if head.status is not RevisionStatus.DELETED:
            # a restored page is compared with the text it had before it was deleted
            previous = page_texts[-1]
    return tuple(entries)


def _steps(
    page_texts: Sequence[tuple[CommitRef, Text]], before: Text | None, diff_of: TextDiffOf
) -> list[Step]:
    steps = []
    for index, (ref, text) in enumerate(page_texts):
        found = None if before is None else diff_of(before, text)
        steps.append(Step(ref, text, found, silent=index > 0, previous=before))
        before = text
    return steps


def permalink(template: str | None, ref: CommitRef, locale: str) -> str | None:
    if template is None:
        return None
    link = template.replace("{commit}", ref.commit).replace("{path}", quote(ref.path, safe="/"))
    return link.replace("{locale}", locale)
