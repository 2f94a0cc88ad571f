"""The domain vocabulary of raci-tracker: plain, typed values with no I/O.

Every stage (parse, store, diff, report) takes and returns these types; third-party
output is translated into them at the boundary of the module that owns the library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

ROLE_LETTERS = "RACI"
"""The canonical order of role letters in an assignment ("AR" is written "RA")."""


@dataclass(frozen=True, slots=True)
class Role:
    """The words for one role letter: "accountable", the noun of change labels
    ("accountability-lost"), and what a party holding it is ("accountable for")."""

    letter: str
    adjective: str
    noun: str
    holding: str

    def label(self, gained: bool) -> str:
        return f"{self.noun}-{'gained' if gained else 'lost'}"


ROLES = {
    role.letter: role
    for role in (
        Role("R", "responsible", "responsibility", "responsible for"),
        Role("A", "accountable", "accountability", "accountable for"),
        Role("C", "consulted", "consulted", "consulted on"),
        Role("I", "informed", "informed", "informed of"),
    )
}
"""The role vocabulary, in R, A, C, I order: every table of role words is derived from it."""


def section_key(number: str) -> tuple[int, ...]:
    """Sort key of a section number: "3.10" after "3.9"."""
    return tuple(int(part) for part in number.split(".") if part.isdigit())


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class DateSource(StrEnum):
    """Where a date came from. A snapshot's own date is front-matter, body or none; a revision
    with no date of its own is dated by its commit."""

    FRONT_MATTER = "front-matter"
    BODY = "body"
    NONE = "none"
    COMMIT = "commit"


class RevisionStatus(StrEnum):
    PUBLISHED = "published"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Party:
    """A column of the matrix: `id` is normalised (`customer`, `provider`), `label` as written."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Section:
    number: str
    title: str
    line: int


@dataclass(frozen=True, slots=True)
class Activity:
    """One row of a RACI table: who holds which letters for this activity."""

    id: str
    section: str
    text: str
    line: int
    assignments: Mapping[str, str]

    def holders(self, letter: str) -> list[str]:
        """The parties holding `letter`, in the order of `assignments`."""
        return [party for party, letters in self.assignments.items() if letter in letters]


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a careful reader would raise about a page; never an error that stops parsing."""

    rule: str
    severity: Severity
    line: int | None
    message: str
    activity: str | None = None

    def sort_key(self) -> tuple[int, str, str, str]:
        return (self.line or 0, self.rule, self.activity or "", self.message)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    title: str | None
    excerpt: str | None
    updated: str | None
    date_source: DateSource
    body_date: str | None = None
    locale: str | None = None
    front_matter: Mapping[str, Any] = field(default_factory=dict)
    date_field: str | None = None  # which field gave `updated`: "updated", "ms.date", "body"...


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the parsed text came from; path, commit and blob are known for git revisions."""

    sha256: str
    path: str | None = None
    commit: str | None = None
    blob: str | None = None


@dataclass(frozen=True, slots=True)
class TableCounts:
    raci: int = 0
    legend: int = 0
    other: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One revision of a RACI page, parsed."""

    document: DocumentInfo
    source: SourceInfo
    legend: Mapping[str, str]
    parties: tuple[Party, ...]
    sections: tuple[Section, ...]
    activities: tuple[Activity, ...]
    findings: tuple[Finding, ...]
    tables: TableCounts = field(default_factory=TableCounts)


class ChangeKind(StrEnum):
    ROLE_CHANGED = "role-changed"
    ACTIVITY_ADDED = "activity-added"
    ACTIVITY_REMOVED = "activity-removed"
    ACTIVITY_REWORDED = "activity-reworded"
    ACTIVITY_MOVED = "activity-moved"
    SECTION_ADDED = "section-added"
    SECTION_REMOVED = "section-removed"
    SECTION_RENAMED = "section-renamed"
    PARTY_ADDED = "party-added"
    PARTY_REMOVED = "party-removed"
    PARTY_RENAMED = "party-renamed"
    LEGEND_CHANGED = "legend-changed"
    LEGEND_DEFINITION_CHANGED = "legend-definition-changed"
    METADATA_CHANGED = "metadata-changed"


class ChangeSeverity(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    EDITORIAL = "editorial"


@dataclass(frozen=True, slots=True)
class Transfer:
    """Role letters that left one party and reached another in the same activity."""

    role: str
    from_party: str
    to_party: str


@dataclass(frozen=True, slots=True)
class WordOp:
    op: str  # "equal" | "delete" | "insert"
    text: str


@dataclass(frozen=True, slots=True)
class Change:
    """One change between two revisions of a page; which fields are set depends on `kind`."""

    kind: ChangeKind
    severity: ChangeSeverity
    section: str | None = None
    activity: str | None = None
    activity_id: str | None = None
    previous_section: str | None = None
    previous_activity: str | None = None
    previous_activity_id: str | None = None
    party: str | None = None
    before: Any = None
    after: Any = None
    labels: tuple[str, ...] = ()
    transfer: Transfer | None = None
    assignments: Mapping[str, str] | None = None
    word_diff: tuple[WordOp, ...] | None = None
    field: str | None = None
    title: str | None = None
    previous_title: str | None = None


@dataclass(frozen=True, slots=True)
class PartyTally:
    """How many activities a party gained or lost A and R on."""

    accountable_gained: int = 0
    accountable_lost: int = 0
    responsible_gained: int = 0
    responsible_lost: int = 0


class SeverityCounts(NamedTuple):
    """A diff's changes by severity: what says whether it shifted a role, without the diff."""

    major: int
    minor: int
    editorial: int

    @property
    def has_shifts(self) -> bool:
        return self.major + self.minor > 0


@dataclass(frozen=True, slots=True)
class DiffSummary:
    major: int
    minor: int
    editorial: int
    activities_added: int
    activities_removed: int
    parties: Mapping[str, PartyTally]

    @property
    def counts(self) -> SeverityCounts:
        return SeverityCounts(self.major, self.minor, self.editorial)


@dataclass(frozen=True, slots=True)
class FindingDelta:
    introduced: tuple[Finding, ...]
    resolved: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class TextOutline:
    """What the reports show of a text beside its changes: its parties as its columns name them
    (id, label) and those of the text before that it lacks, how many activities each party holds
    A and R on, its activities' ids in page order, the titles of the sections its diff's changes
    name, in the text before and in this one, and where each of the two took its date from.
    Kept with the diff that leads to the text, so a page's home, its changelog, the feed and a
    run's summary read no other text."""

    parties: tuple[tuple[str, str], ...]
    held: Mapping[str, tuple[int, int]]  # party -> (activities with A, activities with R)
    activity_ids: tuple[str, ...]
    sections_before: Mapping[str, str]
    sections_after: Mapping[str, str]
    parties_gone: tuple[tuple[str, str], ...] = ()
    date_fields: tuple[str, str] = ("", "")  # `Document.date_field` before and here ("": none)


@dataclass(frozen=True, slots=True)
class Diff:
    """Everything that changed from `old` to `new`, as records other stages render or count;
    `outline` is `new` outlined, where the diff was kept with it (not part of what changed)."""

    changes: tuple[Change, ...]
    summary: DiffSummary
    findings: FindingDelta
    outline: TextOutline | None = field(default=None, compare=False)

    @property
    def has_shifts(self) -> bool:
        """True when a role moved (major or minor changes), not only wording or metadata."""
        return self.summary.major + self.summary.minor > 0


@dataclass(frozen=True, slots=True)
class PageCommit:
    """One first-parent commit that touched a tracked page; `blob` is None where it was deleted."""

    commit: str
    commit_time: int
    path: str
    blob: str | None
    status: str  # git's letter: A, M, R, C, D, T
    previous_path: str | None = None
    previous_blob: str | None = None
    mode: str = "100644"  # git's file mode: 120000 is a symlink, 160000 a submodule


@dataclass(frozen=True, slots=True)
class CommitRef:
    """Where a revision's text came from: a commit, the page's path then, and its blob."""

    commit: str
    commit_time: int
    path: str
    blob: str | None  # None: the page was deleted by this commit


@dataclass(frozen=True, slots=True)
class SilentEdit:
    """An earlier text carrying the same date as a later one: changed without bumping the date."""

    ref: CommitRef
    snapshot: Snapshot


@dataclass(frozen=True, slots=True)
class PageVersion:
    """One commit that touched a page and the text it left there: a snapshot stored once by its
    content address (`object`), or None where the commit deleted the page."""

    ref: CommitRef
    object: str | None
    date: str | None  # the page's own date in this text; None when it carries none
    date_source: DateSource
    activities: int = 0

    @property
    def deleted(self) -> bool:
        return self.ref.blob is None


@dataclass(frozen=True, slots=True)
class Revision:
    """A view over consecutive versions published under one date (for a page with no date of its
    own, one commit that changed it): its last text, every commit, and the texts before it.

    `key` is the date, with `.2`, `.3`... when the date comes back after another revision."""

    date: str
    date_source: DateSource
    status: RevisionStatus
    ref: CommitRef
    snapshot: Snapshot
    commits: tuple[CommitRef, ...]
    silent_edits: tuple[SilentEdit, ...] = ()
    key: str = ""
    notes: tuple[HistoryNote, ...] = ()


@dataclass(frozen=True, slots=True)
class Rename:
    commit: str
    old_path: str
    new_path: str


@dataclass(frozen=True, slots=True)
class HistoryNote:
    """Something about a page's history rather than its text: a skipped or backdated commit."""

    rule: str
    severity: Severity
    commit: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A commit whose text could not be read as a page: recorded, never stored as a revision."""

    commit: str
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One revision as the index lists it, without reading a snapshot."""

    key: str
    date: str
    date_source: DateSource
    status: RevisionStatus
    commit: str
    path: str
    commits: tuple[str, ...]
    silent_edit_count: int
    activity_count: int

    @classmethod
    def of(cls, revision: Revision) -> IndexEntry:
        return cls(
            key=revision.key,
            date=revision.date,
            date_source=revision.date_source,
            status=revision.status,
            commit=revision.ref.commit,
            path=revision.ref.path,
            commits=tuple(ref.commit for ref in revision.commits),
            silent_edit_count=len(revision.silent_edits),
            activity_count=len(revision.snapshot.activities),
        )


@dataclass(frozen=True, slots=True)
class IndexHead:
    """How an index's page was read and how far: what tells that nothing is new for it, without
    its versions."""

    path: str
    ref: str | None
    parser_version: str
    last_commit: str | None
    current_path: str | None
    parties: Mapping[str, Sequence[str]]


@dataclass(slots=True)
class PageIndex:
    """What the store knows of one page and locale: its revisions and how far it has read."""

    document: str
    locale: str
    repository: str
    ref: str | None
    path: str
    parser_version: str
    last_commit: str | None = None
    revisions: list[IndexEntry] = field(default_factory=list)
    renames: list[Rename] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[HistoryNote] = field(default_factory=list)
    versions: list[PageVersion] = field(default_factory=list)
    current_path: str | None = None  # where the page lives now, when it moved from `path`
    parties: Mapping[str, Sequence[str]] = field(default_factory=dict)  # the config's names

    def head(self) -> IndexHead:
        return IndexHead(
            self.path,
            self.ref,
            self.parser_version,
            self.last_commit,
            self.current_path,
            self.parties,
        )

    def known_commits(self) -> set[str]:
        known = {version.ref.commit for version in self.versions}
        return known | {skipped.commit for skipped in self.skipped}

    def dates(self) -> list[str]:
        return [entry.date for entry in self.revisions]
