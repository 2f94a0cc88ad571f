"""The net change between the texts in force at two dates: what moved, one row per activity,
each change citing the commits (silent edits included) where it happened, and what each party
gained or lost, counting activities added and removed while a party held A or R."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from raci_tracker.compare.diff import diff_and_matching, diff_snapshots
from raci_tracker.compare.in_force import Version, commit_day
from raci_tracker.model import (
    ROLES,
    Change,
    ChangeKind,
    ChangeSeverity,
    CommitRef,
    DateSource,
    Diff,
    DocumentInfo,
    PartyTally,
    Snapshot,
    SourceInfo,
    Transfer,
)

GROUPS = {
    ROLES[letter].label(gained): f"{'newly' if gained else 'no longer'} {ROLES[letter].adjective}"
    for gained in (True, False)
    for letter in "AR"
}
"""Change label -> the group a net change is listed under: "newly accountable", ..."""
GROUP_ORDER = tuple(GROUPS.values())
_ROW_KINDS = (ChangeKind.ROLE_CHANGED, ChangeKind.ACTIVITY_ADDED, ChangeKind.ACTIVITY_REMOVED)

NOTHING = Snapshot(
    document=DocumentInfo(None, None, None, DateSource.NONE),
    source=SourceInfo(sha256=""),
    legend={},
    parties=(),
    sections=(),
    activities=(),
    findings=(),
)
"""The page before its first version: no activity at all."""


@dataclass(frozen=True, slots=True)
class Cited:
    """A net change and the commits, between the two dates, where it happened."""

    change: Change
    commits: tuple[CommitRef, ...]


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """One activity whose letters changed: who held what before and after, and what moved."""

    section: str | None
    activity: str | None
    before: Mapping[str, str] | None  # None: the activity did not exist yet
    after: Mapping[str, str] | None  # None: it was removed
    changes: tuple[Cited, ...]
    transfers: tuple[Transfer, ...]
    commits: tuple[CommitRef, ...]
    previous_activity: str | None = None

    @property
    def days(self) -> tuple[str, ...]:
        """The days (UTC) of the commits where it changed."""
        return tuple(dict.fromkeys(commit_day(ref) for ref in self.commits))

    @property
    def severity(self) -> str:
        major = any(c.change.severity is ChangeSeverity.MAJOR for c in self.changes)
        return "major" if major else "minor"

    @property
    def untransferred(self) -> tuple[Change, ...]:
        """Role changes a transfer does not already say (a letter gained from nobody, ...)."""
        moved = {p for t in self.transfers for p in (t.from_party, t.to_party)}
        return tuple(
            c.change
            for c in self.changes
            if c.change.kind is ChangeKind.ROLE_CHANGED and c.change.party not in moved
        )


@dataclass(frozen=True, slots=True)
class Deletion:
    """The page deleted between the two dates, then restored (`restored` None: still deleted at
    the end); the restored text is compared with the text before the deletion."""

    deleted: Version
    restored: Version | None


@dataclass(frozen=True, slots=True)
class NetChange:
    """From the text in force at the start (None: the page did not exist) to the one at the end."""

    start: Version | None
    end: Version
    diff: Diff
    cited: tuple[Cited, ...]
    deletions: tuple[Deletion, ...] = ()

    @property
    def start_snapshot(self) -> Snapshot:
        return self.start.snapshot if self.start else NOTHING

    def by_party(self) -> dict[str, dict[str, list[Cited]]]:
        """party -> "newly accountable" | ... -> changes, activities added and removed included."""
        grouped: dict[str, dict[str, list[Cited]]] = defaultdict(lambda: defaultdict(list))
        for item in self.cited:
            for party, label in party_labels(item.change):
                if label in GROUPS:
                    grouped[party][GROUPS[label]].append(item)
        return {
            party: {name: groups[name] for name in GROUP_ORDER if name in groups}
            for party, groups in sorted(grouped.items())
        }

    def tallies(self) -> dict[str, PartyTally]:
        """What each party gained and lost, A and R, in activities."""
        return {party: tally(groups) for party, groups in self.by_party().items()}

    def rows(self) -> list[ActivityRow]:
        return activity_rows(self)

    @property
    def notices(self) -> list[Change]:
        """Changes that move no letter of an activity but must be read: a letter of the legend
        redefined, a party added or removed."""
        return [c for c in self._others() if c.severity is not ChangeSeverity.EDITORIAL]

    @property
    def wording(self) -> list[Change]:
        """The editorial changes: wording, moves, headings, metadata, renamed parties."""
        return [c for c in self._others() if c.severity is ChangeSeverity.EDITORIAL]

    def _others(self) -> list[Change]:
        return [c for c in self.diff.changes if c.kind not in _ROW_KINDS]


def party_labels(change: Change) -> list[tuple[str, str]]:
    """(party, label) for each letter a change gives or takes; an added or removed activity
    gives or takes every letter its parties held."""
    if change.kind is ChangeKind.ROLE_CHANGED and change.party:
        return [(change.party, label) for label in change.labels]
    if change.kind in (ChangeKind.ACTIVITY_ADDED, ChangeKind.ACTIVITY_REMOVED):
        gained = change.kind is ChangeKind.ACTIVITY_ADDED
        return [
            (party, ROLES[letter].label(gained))
            for party, letters in (change.assignments or {}).items()
            for letter in letters
            if letter in ROLES
        ]
    return []


def tally(groups: Mapping[str, Sequence[Cited]]) -> PartyTally:
    def count(letter: str, gained: bool) -> int:
        return len(groups.get(GROUPS[ROLES[letter].label(gained)], ()))

    return PartyTally(count("A", True), count("A", False), count("R", True), count("R", False))


def sum_tallies(tallies: Sequence[PartyTally]) -> PartyTally:
    return PartyTally(
        sum(t.accountable_gained for t in tallies),
        sum(t.accountable_lost for t in tallies),
        sum(t.responsible_gained for t in tallies),
        sum(t.responsible_lost for t in tallies),
    )


def tallies_by_document(
    pages: Sequence[tuple[str, NetChange]],
) -> dict[str, dict[str, PartyTally]]:
    """document -> party -> its A and R gained and lost, over every locale of the document."""
    collected: dict[str, dict[str, list[PartyTally]]] = {}
    for document, net in pages:
        per_party = collected.setdefault(document, {})
        for party, counted in net.tallies().items():
            per_party.setdefault(party, []).append(counted)
    return {
        document: {party: sum_tallies(found) for party, found in sorted(parties.items())}
        for document, parties in collected.items()
    }


def activity_rows(net: NetChange) -> list[ActivityRow]:
    """One row per activity whose letters changed, in reading order."""
    grouped: dict[tuple[str, str], list[Cited]] = {}
    for item in net.cited:
        change = item.change
        if change.kind in _ROW_KINDS:
            side = "old" if change.kind is ChangeKind.ACTIVITY_REMOVED else "new"
            grouped.setdefault((side, change.activity_id or ""), []).append(item)
    reworded = {
        c.activity_id: c.previous_activity
        for c in net.diff.changes
        if c.kind is ChangeKind.ACTIVITY_REWORDED
    }
    after = {a.id: a.assignments for a in net.end.snapshot.activities}
    return [
        _row(items, after, reworded.get(activity_id)) for (_, activity_id), items in grouped.items()
    ]


def _row(
    items: list[Cited], after: Mapping[str, Mapping[str, str]], previous: str | None
) -> ActivityRow:
    first = items[0].change
    commits = {ref.commit: ref for item in items for ref in item.commits}
    ordered = tuple(sorted(commits.values(), key=lambda ref: ref.commit_time))
    transfers = tuple(dict.fromkeys(i.change.transfer for i in items if i.change.transfer))
    if first.kind is ChangeKind.ACTIVITY_ADDED:
        return ActivityRow(
            first.section, first.activity, None, first.assignments, (*items,), (), ordered
        )
    if first.kind is ChangeKind.ACTIVITY_REMOVED:
        return ActivityRow(
            first.section, first.activity, first.assignments, None, (*items,), (), ordered
        )
    now = dict(after.get(first.activity_id or "", {}))
    before = {**now, **{i.change.party or "": i.change.before or "" for i in items}}
    return ActivityRow(
        first.section, first.activity, before, now, (*items,), transfers, ordered, previous
    )


@dataclass(slots=True)
class _Trace:
    """Follows each activity through consecutive texts and notes the commits that changed it."""

    identity: dict[str, str]
    events: dict[tuple[str, str], list[CommitRef]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def step(self, before: Snapshot, after: Snapshot, ref: CommitRef) -> None:
        diff, matching = diff_and_matching(before, after)
        if matching is None:  # the same page: every activity keeps its id
            return
        identity = {pair.new.id: self.identity[pair.old.id] for pair in matching.pairs}
        for activity in matching.added:
            identity[activity.id] = f"+{ref.commit}/{activity.id}"
            self.events[(identity[activity.id], "added")].append(ref)
        for activity in matching.removed:
            self.events[(self.identity[activity.id], "removed")].append(ref)
        for change in diff.changes:
            if change.kind is ChangeKind.ROLE_CHANGED and change.activity_id and change.party:
                self.events[(identity[change.activity_id], change.party)].append(ref)
        self.identity = identity

    def commits_for(self, change: Change) -> tuple[CommitRef, ...]:
        if change.kind is ChangeKind.ACTIVITY_REMOVED and change.activity_id:
            return tuple(self.events.get((change.activity_id, "removed"), ()))
        key = self.identity.get(change.activity_id or "")
        if key is None:
            return ()
        kind = "added" if change.kind is ChangeKind.ACTIVITY_ADDED else change.party or ""
        return tuple(self.events.get((key, kind), ()))


def net_change(history: Sequence[Version], start: Version | None, end: Version) -> NetChange:
    """What changed from `start` to `end`, net: a flip that flipped back is not there, and an
    activity reworded along the way is still the same activity. `history` is every version in
    commit order; each one between the two is read, silent edits included. A deletion followed by
    a restore is stepped over: the restored text is compared with the text before the deletion,
    so an activity keeps its identity (and its commits) through it."""
    first = 0 if start is None else history.index(start) + 1
    chain = history[first : history.index(end) + 1]
    before = start.snapshot if start else NOTHING
    trace = _Trace({a.id: a.id for a in before.activities})
    origins = set(trace.identity)
    for version in chain:
        if version.deleted and version is not end:
            continue
        trace.step(before, version.snapshot, version.ref)
        before = version.snapshot
    anchors = {origin: now for now, origin in trace.identity.items() if origin in origins}
    start_snapshot = start.snapshot if start else NOTHING
    diff = diff_snapshots(start_snapshot, end.snapshot, anchors)
    cited = tuple(Cited(change, trace.commits_for(change)) for change in diff.changes)
    return NetChange(start, end, diff, cited, deletions(chain))


def deletions(chain: Sequence[Version]) -> tuple[Deletion, ...]:
    """Each deletion in `chain`, with the version that restored the page (None: none did)."""
    found = []
    for index, version in enumerate(chain):
        if version.deleted:
            after = next((v for v in chain[index + 1 :] if not v.deleted), None)
            found.append(Deletion(version, after))
    return tuple(found)
