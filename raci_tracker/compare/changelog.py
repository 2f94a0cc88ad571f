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
from raci_tracker.model import CommitRef, Diff, Revision, RevisionStatus, Snapshot


@dataclass(frozen=True, slots=True)
class Step:
    """One text of the page and how it differs from the text before it (None for the first)."""

    ref: CommitRef
    snapshot: Snapshot
    diff: Diff | None
    silent: bool
    before: Snapshot | None = None  # the text `diff` compares it with


@dataclass(frozen=True, slots=True)
class Entry:
    """A revision in the changelog: the step that brought its date, then its silent edits."""

    revision: Revision
    published: Step
    silent_edits: tuple[Step, ...]

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
        return bool(self.revision.key) and self.revision.key != self.revision.date

    @property
    def restored(self) -> bool:
        return any(note.rule == "page-restored" for note in self.revision.notes)

    @property
    def day(self) -> str:
        """The day to name the revision by: its date, or the day it was committed when the date
        came back (the date then belongs to an earlier revision)."""
        return self.committed if self.date_reused else self.revision.date

    @property
    def steps(self) -> tuple[Step, ...]:
        return (self.published, *self.silent_edits)

    @property
    def has_shifts(self) -> bool:
        return any(step.diff is not None and step.diff.has_shifts for step in self.steps)

    @property
    def has_major(self) -> bool:
        return any(step.diff is not None and step.diff.summary.major for step in self.steps)


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


@dataclass(frozen=True, slots=True)
class NewText:
    """A text of a page this run took in, with how it differs from the text before it."""

    page: PageChangelog
    entry: Entry
    step: Step

    @property
    def has_shifts(self) -> bool:
        return self.step.diff is not None and self.step.diff.has_shifts


def commit_day(ref: CommitRef) -> str:
    """The day (UTC) of a commit."""
    return datetime.fromtimestamp(ref.commit_time, tz=UTC).date().isoformat()


def texts(revision: Revision) -> list[tuple[CommitRef, Snapshot]]:
    """The texts a revision went through, in commit order, each with the commit that FIRST
    published it: a later commit that left the text alone (a pure move) is not its source.

    A stored text is addressed by its blob, so a revision's texts are its runs of commits with
    one blob; the store names each by a commit of its run (today the last one)."""
    page_texts = [e.snapshot for e in revision.silent_edits] + [revision.snapshot]
    firsts = _first_commits(revision.commits)
    if len(firsts) != len(page_texts):  # not one run per text: keep the store's own names
        firsts = [e.ref for e in revision.silent_edits] + [revision.ref]
    return list(zip(firsts, page_texts, strict=True))


def _first_commits(commits: Sequence[CommitRef]) -> list[CommitRef]:
    """The first commit of each run of commits that left the same blob."""
    return [ref for i, ref in enumerate(commits) if i == 0 or ref.blob != commits[i - 1].blob]


DiffOf = Callable[[Snapshot, Snapshot], Diff]
"""How two texts' diff is found: `diff_snapshots`, or a lookup of diffs kept in the store."""


def build_entries(
    revisions: Iterable[Revision], diff_of: DiffOf = diff_snapshots
) -> tuple[Entry, ...]:
    """Entries for revisions in date order, each diffed against the text before it."""
    entries = []
    previous: Snapshot | None = None
    for revision in revisions:
        steps = _steps(texts(revision), previous, diff_of)
        entries.append(Entry(revision, steps[0], tuple(steps[1:])))
        if revision.status is not RevisionStatus.DELETED:
            # a restored page is compared with the text it had before it was deleted
            previous = revision.snapshot
    return tuple(entries)


def _steps(
    page_texts: Sequence[tuple[CommitRef, Snapshot]], before: Snapshot | None, diff_of: DiffOf
) -> list[Step]:
    steps = []
    for index, (ref, snapshot) in enumerate(page_texts):
        diff = None if before is None else diff_of(before, snapshot)
        steps.append(Step(ref, snapshot, diff, silent=index > 0, before=before))
        before = snapshot
    return steps


def permalink(template: str | None, ref: CommitRef, locale: str) -> str | None:
    if template is None:
        return None
    link = template.replace("{commit}", ref.commit).replace("{path}", quote(ref.path, safe="/"))
    return link.replace("{locale}", locale)
