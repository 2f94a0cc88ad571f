"""Each activity's own history: every change of its letters, rewording and move, followed through
the page's revisions with the diff's own pairing (`activity_id` and `previous_activity_id`). Only
the first text is read: each later one is followed through its outline (`Step.outline`). A
history keeps its newest `HOME_EVENTS` events and counts the others (`Earlier`). `Follower`
takes the texts one at a time, and `homefold` keeps it between runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from raci_tracker.compare.changelog import Step
from raci_tracker.model import Activity, Change, ChangeKind, CommitRef, Transfer
from raci_tracker.output.prose import SectionNames

FOLLOWED = (
    ChangeKind.ROLE_CHANGED,
    ChangeKind.ACTIVITY_ADDED,
    ChangeKind.ACTIVITY_REWORDED,
    ChangeKind.ACTIVITY_MOVED,
)
"""What an activity's history lists; a removal ends a history no current activity links to."""

HOME_EVENTS = 10
"""The newest events of each activity its page's home lists. The older ones are counted there and
linked to: the changelog shows them, and `raci-tracker history-of` lists an activity's whole
history. A home then stays one screen per activity, however long the page's history."""


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """What one commit changed in one activity, in the revision dated `date`; no change: the
    activity is in the page's first record."""

    date: str
    key: str  # the revision's key in links (`revision_key`)
    ref: CommitRef
    silent: bool
    changes: tuple[Change, ...]
    activity: Activity | None  # as first recorded (an event without changes); else None
    sections: SectionNames | None = None  # the sections of this commit's text and the one before

    @property
    def roles(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind is ChangeKind.ROLE_CHANGED)

    @property
    def transfers(self) -> tuple[Transfer, ...]:
        """The moves of a letter from one party to another among its role changes, each once."""
        return tuple(dict.fromkeys(c.transfer for c in self.roles if c.transfer))

    @property
    def others(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind is not ChangeKind.ROLE_CHANGED)

    @property
    def severity(self) -> str:
        """The highest severity of its letter changes ("" when no letter moved)."""
        found = {c.severity.value for c in self.roles}
        return next((s for s in ("major", "minor") if s in found), "")


@dataclass(frozen=True, slots=True)
class Earlier:
    """An activity's events older than those its home lists: how many, the date of the oldest,
    and the newest of them (where a reader goes on in the changelog)."""

    count: int
    since: str
    newest: ActivityEvent


@dataclass(frozen=True, slots=True)
class ActivityHistory:
    """An activity's history as its home lists it: its newest events, oldest first, and what
    came before them."""

    events: tuple[ActivityEvent, ...]
    earlier: Earlier | None = None


class Events:
    """One history's newest `HOME_EVENTS` events, and the count of those before them."""

    def __init__(
        self, events: Iterable[ActivityEvent] = (), earlier: Earlier | None = None
    ) -> None:
        self.events: list[ActivityEvent] = list(events)
        self.earlier = earlier

    def add(self, event: ActivityEvent) -> None:
        self.events.append(event)
        if len(self.events) > HOME_EVENTS:
            gone = self.events.pop(0)
            before = self.earlier
            self.earlier = Earlier(
                before.count + 1 if before else 1, before.since if before else gone.date, gone
            )

    def history(self) -> ActivityHistory:
        return ActivityHistory(tuple(self.events), self.earlier)


class Follower:
    """Which history each activity of the current text belongs to, step after step, and each
    history's events (`key_of`: activity id -> its history's key in `events`)."""

    def __init__(
        self,
        key_of: dict[str, int] | None = None,
        events: Mapping[int, Events] | None = None,
        next_key: int = 0,
    ) -> None:
        self.key_of: dict[str, int] = key_of or {}
        self.events: dict[int, Events] = defaultdict(Events, events or {})
        self.next_key = next_key

    def add(self, date: str, key: str, step: Step) -> None:
        """One more step of the page, the revision dated `date` and named `key` in links."""
        if step.diff is None:
            self.first(date, key, step)
        else:
            self.follow(date, key, step)

    def histories(self) -> dict[str, ActivityHistory]:
        """Each activity of the latest text -> its history."""
        return {activity_id: self.events[key].history() for activity_id, key in self.key_of.items()}

    def current(self) -> dict[int, Events]:
        """The histories of the latest text's activities: the only ones a later step adds to."""
        return {key: self.events[key] for key in self.key_of.values()}

    def new_key(self) -> int:
        self.next_key += 1
        return self.next_key

    def first(self, date: str, key: str, step: Step) -> None:
        for activity in step.snapshot.activities:
            history = self.key_of[activity.id] = self.new_key()
            event = ActivityEvent(date, key, step.ref, step.silent, (), activity)
            self.events[history].add(event)

    def follow(self, date: str, key: str, step: Step) -> None:
        changes = step.diff.changes if step.diff else ()
        previous = {
            c.activity_id: c.previous_activity_id for c in changes if c.previous_activity_id
        }
        added = {c.activity_id for c in changes if c.kind is ChangeKind.ACTIVITY_ADDED}
        key_of: dict[str, int] = {}
        outline = step.outline
        for activity_id in outline.activity_ids:
            old_id = previous.get(activity_id, activity_id)
            known = old_id in self.key_of and activity_id not in added
            key_of[activity_id] = self.key_of[old_id] if known else self.new_key()
        self.key_of = key_of
        sections = SectionNames(outline.sections_before, outline.sections_after)
        touched: dict[str, list[Change]] = defaultdict(list)
        for change in changes:
            if change.kind in FOLLOWED and change.activity_id in key_of:
                touched[change.activity_id].append(change)
        for activity_id, found in touched.items():
            event = ActivityEvent(date, key, step.ref, step.silent, tuple(found), None, sections)
            self.events[key_of[activity_id]].add(event)


def anchors(activity_ids: Iterable[str]) -> dict[str, str]:
    """Activity id -> the HTML id of its history on its page's home, unique on the page."""
    taken: set[str] = set()
    result = {}
    for activity_id in activity_ids:
        base = "activity-" + "".join(c if c.isalnum() or c in "-_." else "-" for c in activity_id)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        result[activity_id] = name
    return result
