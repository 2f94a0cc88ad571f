"""A text outlined for its page's home (`model.TextOutline`): what the home shows of each text
beside its changes, small enough to keep with each stored diff. A home then reads the page's
first and latest texts only, however long its history (docs/decisions/0014-text-outlines.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from raci_tracker.model import Change, Diff, Snapshot, TextOutline

HELD = "AR"
"""The letters an outline counts, in the order of `TextOutline.held`'s pairs."""


def held(snapshot: Snapshot, party: str, letter: str) -> int:
    """How many activities of the text `party` holds `letter` on."""
    return sum(1 for a in snapshot.activities if letter in a.assignments.get(party, ""))


def outline_of(after: Snapshot, before: Snapshot | None, changes: Iterable[Change]) -> TextOutline:
    """`after` outlined, with the titles of the sections `changes` (from `before`) name and the
    parties `before` has that `after` lacks."""
    named = {n for c in changes for n in (c.section, c.previous_section) if n is not None}
    columns = tuple((p.id, p.label) for p in after.parties)
    holders = dict.fromkeys(
        [*(p for p, _ in columns), *(p for a in after.activities for p in a.assignments)]
    )
    ids = {party for party, _ in columns}
    gone = [] if before is None else [(p.id, p.label) for p in before.parties if p.id not in ids]
    return TextOutline(
        parties=columns,
        held={party: (held(after, party, "A"), held(after, party, "R")) for party in holders},
        activity_ids=tuple(a.id for a in after.activities),
        sections_before=_titles(before, named),
        sections_after=_titles(after, named),
        parties_gone=tuple(gone),
        date_fields=(date_field(before), date_field(after)),
    )


def date_field(snapshot: Snapshot | None) -> str:
    """Where a text took its date from ("updated", "body"...), "" for none."""
    return (snapshot.document.date_field or "") if snapshot is not None else ""


def _titles(snapshot: Snapshot | None, named: set[str]) -> Mapping[str, str]:
    if snapshot is None:
        return {}
    titles = {s.number: s.title for s in snapshot.sections}
    return {number: title for number, title in titles.items() if number in named}


def count(outline: TextOutline, party: str, letter: str) -> int:
    """How many activities `party` holds `letter` (one of `HELD`) on in the outlined text."""
    return outline.held.get(party, (0, 0))[HELD.index(letter)]


def with_outline(diff: Diff, before: Snapshot, after: Snapshot) -> Diff:
    """The diff of `before` and `after`, carrying `after` outlined (to be kept with it)."""
    return replace(diff, outline=outline_of(after, before, diff.changes))
