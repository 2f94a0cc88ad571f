"""One activity's history: every version of the page in which its letters changed, followed
through rewordings and moves ("since when is backup ours?")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from raci_tracker.compare.diff import diff_and_matching
from raci_tracker.compare.in_force import Version
from raci_tracker.compare.net import NOTHING
from raci_tracker.model import Activity
from raci_tracker.text import fold


@dataclass(frozen=True, slots=True)
class LetterChange:
    """A version in which the activity's letters changed: who held what before and after
    (None: it was not listed), and its text and section then."""

    version: Version
    before: Mapping[str, str] | None
    after: Mapping[str, str] | None
    activity: str
    section: str


@dataclass(slots=True)
class Lineage:
    """One activity through the versions of a page: its texts, and the changes of its letters."""

    current: Activity
    texts: list[str] = field(default_factory=list)
    changes: list[LetterChange] = field(default_factory=list)
    removed: bool = False

    def see(self, activity: Activity) -> None:
        self.current = activity
        if activity.text not in self.texts:
            self.texts.append(activity.text)

    def matches(self, query: str) -> bool:
        wanted = fold(query)
        return query == self.current.id or any(wanted in fold(text) for text in self.texts)


def lineages(history: Sequence[Version]) -> list[Lineage]:
    """Every activity the page ever listed, in the order it first appeared. A deletion followed
    by a restore is stepped over (the restored text is compared with the text before it), so an
    activity restored with the page is one lineage; a page still deleted removes every one."""
    found: list[Lineage] = []
    current: dict[str, Lineage] = {}
    before = NOTHING
    for version in _without_restored_deletions(history):
        _, matching = diff_and_matching(before, version.snapshot)
        before = version.snapshot
        if matching is None:
            continue
        following: dict[str, Lineage] = {}
        for pair in matching.pairs:
            lineage = following[pair.new.id] = current[pair.old.id]
            lineage.see(pair.new)
            if dict(pair.old.assignments) != dict(pair.new.assignments):
                lineage.changes.append(_change(version, pair.old, pair.new))
        for activity in matching.added:
            lineage = following[activity.id] = Lineage(activity)
            lineage.see(activity)
            lineage.changes.append(_change(version, None, activity))
            found.append(lineage)
        for activity in matching.removed:
            current[activity.id].removed = True
            current[activity.id].changes.append(_change(version, activity, None))
        current = following
    return found


def _without_restored_deletions(history: Sequence[Version]) -> list[Version]:
    last = len(history) - 1
    return [v for i, v in enumerate(history) if i == last or not v.deleted]


def _change(version: Version, old: Activity | None, new: Activity | None) -> LetterChange:
    shown = new or old
    assert shown is not None
    return LetterChange(
        version,
        None if old is None else old.assignments,
        None if new is None else new.assignments,
        shown.text,
        shown.section,
    )


def find_activity(history: Sequence[Version], query: str) -> list[Lineage]:
    """The activities whose id is `query`, or any of whose texts contains it (case and accents
    aside); the ones still listed first."""
    matching = [lineage for lineage in lineages(history) if lineage.matches(query)]
    return sorted(matching, key=lambda lineage: lineage.removed)
