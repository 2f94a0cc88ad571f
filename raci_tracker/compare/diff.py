"""Responsibility shifts between two revisions of a page: the only module that imports deepdiff.

`matching` pairs the activities across rewording, moves and renumbering; deepdiff then compares
the paired role assignments (keyed by activity id) and the page's metadata, and its output is
translated here into `Change` records. Severity: `major` for any change of A or R and for added or
removed activities, `minor` for C and I only, `editorial` for wording, moves, sections, legend
and metadata.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

from raci_tracker.compare.matching import ActivityPair, Matching, match
from raci_tracker.compare.renames import find_renames, rename_changes, under_new_names
from raci_tracker.compare.summary import finding_delta, section_order, summarize
from raci_tracker.model import (
    ROLE_LETTERS,
    Change,
    ChangeKind,
    ChangeSeverity,
    Diff,
    FindingDelta,
    Snapshot,
    Transfer,
    WordOp,
)
from raci_tracker.text import fold

DIFF_VERSION = 1
"""Bumped whenever the same two texts would diff to other changes (pairing, classification,
wording): diffs the store keeps from another version are computed again. A test pins the diffs
of the corpus (`tests/test_stored_diffs.py`), so a change that moves them says to bump it."""
ROLE_NAMES = {"R": "responsibility", "A": "accountability", "C": "consulted", "I": "informed"}
_DEEPDIFF_OPTIONS: dict[str, Any] = {"threshold_to_diff_deeper": 0, "view": "tree"}
_WORD = re.compile(r"\w+")
RoleDelta = dict[str, tuple[str, str]]  # party -> (before, after)


def diff_snapshots(old: Snapshot, new: Snapshot, anchors: Mapping[str, str] | None = None) -> Diff:
    """Every change from `old` to `new`, in reading order, with a summary and the lint deltas.

    `anchors` (old activity id -> new id) are pairings known in advance, for a net diff between
    distant revisions whose activities were followed through the revisions in between.
    """
    return diff_and_matching(old, new, anchors)[0]


def diff_and_matching(
    old: Snapshot, new: Snapshot, anchors: Mapping[str, str] | None = None
) -> tuple[Diff, Matching | None]:
    """The diff, and which activity became which (None when the two are the same page)."""
    if _comparable(old) == _comparable(new):
        return Diff(changes=(), summary=summarize(()), findings=FindingDelta((), ())), None
    matching = match(old.sections, new.sections, old.activities, new.activities, anchors)
    renames = find_renames(old, new, matching.pairs)
    if renames:
        old = under_new_names(old, renames)
        matching = match(old.sections, new.sections, old.activities, new.activities, anchors)
    changes = sorted(
        [
            *rename_changes(renames),
            *_metadata_changes(old, new),
            *_section_changes(matching),
            *_activity_changes(matching, [p.id for p in new.parties]),
        ],
        key=section_order(old, new),
    )
    diff = Diff(
        changes=tuple(changes),
        summary=summarize(changes),
        findings=finding_delta(old, new, matching),
    )
    return diff, matching


def _comparable(snapshot: Snapshot) -> tuple[Any, ...]:
    """What the diff looks at; equal for two revisions that differ only in lines or provenance."""
    return (
        _metadata_view(snapshot),
        [(s.number, s.title) for s in snapshot.sections],
        [(a.id, a.section, a.text, dict(a.assignments)) for a in snapshot.activities],
    )


# --- roles -------------------------------------------------------------------------------------


def _role_deltas(pairs: Iterable[ActivityPair]) -> dict[str, RoleDelta]:
    """deepdiff over the paired assignments, keyed by the new activity id."""
    before = {
        p.new.id: dict(p.old.assignments) for p in pairs if p.old.assignments != p.new.assignments
    }
    if not before:
        return {}
    after = {p.new.id: dict(p.new.assignments) for p in pairs if p.new.id in before}
    deltas: dict[str, RoleDelta] = defaultdict(dict)
    for level in _levels(DeepDiff(before, after, **_DEEPDIFF_OPTIONS)):
        activity_id, party = level.path(output_format="list")
        letters = (_letters(level.t1), _letters(level.t2))
        if letters[0] != letters[1]:
            deltas[activity_id][party] = letters
    return deltas


def _levels(tree: Any) -> Iterator[Any]:
    for report in sorted(tree):
        yield from tree[report]


def _letters(value: object) -> str:
    return value if isinstance(value, str) else ""


def role_labels(before: str, after: str) -> tuple[str, ...]:
    """`accountability-lost`, `responsibility-gained`, ... in R, A, C, I order."""
    labels = []
    for letter in ROLE_LETTERS:
        if letter in before and letter not in after:
            labels.append(f"{ROLE_NAMES[letter]}-lost")
        elif letter in after and letter not in before:
            labels.append(f"{ROLE_NAMES[letter]}-gained")
    return tuple(labels)


def transfers(delta: RoleDelta) -> list[Transfer]:
    """Letters that one party lost and exactly one other gained, grouped by the two parties."""
    moved: dict[tuple[str, str], str] = {}
    for letter in ROLE_LETTERS:
        losers = [p for p, (b, a) in delta.items() if letter in b and letter not in a]
        gainers = [p for p, (b, a) in delta.items() if letter in a and letter not in b]
        if len(losers) == 1 and len(gainers) == 1:
            key = (losers[0], gainers[0])
            moved[key] = moved.get(key, "") + letter
    return [Transfer(role, giver, taker) for (giver, taker), role in moved.items()]


def _role_changes(pair: ActivityPair, delta: RoleDelta, party_order: Sequence[str]) -> list[Change]:
    if not delta:
        return []  # most pairs: their letters did not move
    moved = transfers(delta)
    changes = []
    for party in sorted(delta, key=lambda p: party_order.index(p) if p in party_order else 99):
        before, after = delta[party]
        labels = role_labels(before, after)
        major = any(label.startswith(("accountability", "responsibility")) for label in labels)
        changes.append(
            Change(
                kind=ChangeKind.ROLE_CHANGED,
                severity=ChangeSeverity.MAJOR if major else ChangeSeverity.MINOR,
                section=pair.new.section,
                activity=pair.new.text,
                activity_id=pair.new.id,
                party=party,
                before=before,
                after=after,
                labels=labels,
                transfer=next((t for t in moved if party in (t.from_party, t.to_party)), None),
            )
        )
    return changes


# --- activities and sections -------------------------------------------------------------------


def _activity_changes(matching: Matching, party_order: Sequence[str]) -> Iterator[Change]:
    deltas = _role_deltas(matching.pairs)
    for pair in matching.pairs:
        old, new = pair.old, pair.new
        if matching.counterpart.get(old.section, old.section) != new.section:
            yield _paired(ChangeKind.ACTIVITY_MOVED, pair)
        if old.text != new.text:
            yield _paired(
                ChangeKind.ACTIVITY_REWORDED, pair, word_diff=word_diff(old.text, new.text)
            )
        yield from _role_changes(pair, deltas.get(new.id, {}), party_order)
    for kind, activities in (
        (ChangeKind.ACTIVITY_ADDED, matching.added),
        (ChangeKind.ACTIVITY_REMOVED, matching.removed),
    ):
        for activity in activities:
            yield Change(
                kind=kind,
                severity=ChangeSeverity.MAJOR,
                section=activity.section,
                activity=activity.text,
                activity_id=activity.id,
                assignments=dict(activity.assignments),
            )


def _paired(
    kind: ChangeKind, pair: ActivityPair, word_diff: tuple[WordOp, ...] | None = None
) -> Change:
    return Change(
        kind=kind,
        severity=ChangeSeverity.EDITORIAL,
        section=pair.new.section,
        activity=pair.new.text,
        activity_id=pair.new.id,
        previous_section=pair.old.section,
        previous_activity=pair.old.text,
        previous_activity_id=pair.old.id,
        word_diff=word_diff,
    )


def word_diff(before: str, after: str) -> tuple[WordOp, ...]:
    """Word-level edit script from `before` to `after`; a replacement is a delete then an insert."""
    old, new = before.split(), after.split()
    ops: list[WordOp] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(WordOp("equal", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            ops.append(WordOp("delete", " ".join(old[i1:i2])))
        if j2 > j1:
            ops.append(WordOp("insert", " ".join(new[j1:j2])))
    return tuple(ops)


def _section_changes(matching: Matching) -> Iterator[Change]:
    editorial = ChangeSeverity.EDITORIAL
    for section in matching.sections_added:
        yield Change(
            ChangeKind.SECTION_ADDED, editorial, section=section.number, title=section.title
        )
    for section in matching.sections_removed:
        yield Change(
            ChangeKind.SECTION_REMOVED, editorial, section=section.number, title=section.title
        )
    for pair in matching.section_pairs:
        if (pair.old.number, pair.old.title) != (pair.new.number, pair.new.title):
            yield Change(
                ChangeKind.SECTION_RENAMED,
                editorial,
                section=pair.new.number,
                title=pair.new.title,
                previous_section=pair.old.number,
                previous_title=pair.old.title,
            )


# --- metadata, legend and parties --------------------------------------------------------------


def _metadata_view(snapshot: Snapshot) -> dict[str, Any]:
    doc = snapshot.document
    rest = {k: v for k, v in doc.front_matter.items() if k not in ("title", "excerpt", "updated")}
    return {
        "document": {**rest, "title": doc.title, "excerpt": doc.excerpt, "updated": doc.updated},
        "legend": dict(snapshot.legend),
        "parties": {party.id: party.label for party in snapshot.parties},
    }


def _metadata_changes(old: Snapshot, new: Snapshot) -> Iterator[Change]:
    before, after = _metadata_view(old), _metadata_view(new)
    if before == after:
        return
    for level in _levels(DeepDiff(before, after, **_DEEPDIFF_OPTIONS)):
        path = [str(part) for part in level.path(output_format="list")]
        yield _metadata_change(path, _value(level.t1), _value(level.t2))


def _metadata_change(path: list[str], before: Any, after: Any) -> Change:
    area, name = path[0], ".".join(path[1:])
    if area == "parties" and len(path) == 2 and (before is None or after is None):
        kind = ChangeKind.PARTY_REMOVED if after is None else ChangeKind.PARTY_ADDED
        return Change(kind, ChangeSeverity.MAJOR, party=name, before=before, after=after)
    if area == "legend":
        return _legend_change(name, before, after)
    field = name if area == "document" else f"{area}.{name}"
    return Change(
        ChangeKind.METADATA_CHANGED,
        ChangeSeverity.EDITORIAL,
        field=field,
        before=before,
        after=after,
    )


def _legend_change(letter: str, before: Any, after: Any) -> Change:
    """A letter whose definition now says something else ("Accountable for" -> "Approves")
    changes what every cell with that letter means: a reviewer must see it. Case, spacing and
    punctuation alone stay editorial."""
    redefined = before is not None and after is not None and _words(before) != _words(after)
    return Change(
        ChangeKind.LEGEND_DEFINITION_CHANGED if redefined else ChangeKind.LEGEND_CHANGED,
        ChangeSeverity.MINOR if redefined else ChangeSeverity.EDITORIAL,
        # a shift is listed by section and activity: the legend is neither
        section="" if redefined else None,
        activity=f"legend: {letter}" if redefined else None,
        field=letter,
        before=before,
        after=after,
    )


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _value(value: Any) -> Any:
    return None if isinstance(value, NotPresent) else value
