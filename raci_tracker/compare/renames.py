"""Parties renamed between two revisions: a column that kept its place and its letters.

A provider renames itself (`AUCloud (IaaS)` -> `AUCyber (IaaS)`), or a team column is renamed
(`Business` -> `Customer Business`). Read naively, every letter of the old column "moves" to the
new one: dozens of invented transfers. An old party that is gone and a new one that appeared pair
when they sit at the same position among the parties and carry the same letters on most of the
paired rows (`SAME_LETTERS_SHARE`); the old revision is then read under the new id, so only real
letter changes remain. No configuration is needed: only positions and letters are compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from raci_tracker.compare.matching import ActivityPair
from raci_tracker.model import Change, ChangeKind, ChangeSeverity, Party, Snapshot

SAME_LETTERS_SHARE = 2 / 3
"""Of the paired rows where either column holds a letter, the share that must hold the same ones."""


@dataclass(frozen=True, slots=True)
class PartyRename:
    old: Party
    new: Party


def find_renames(old: Snapshot, new: Snapshot, pairs: Sequence[ActivityPair]) -> list[PartyRename]:
    """Old parties that became new ones: same position, a new label, the same letters."""
    old_ids = {party.id for party in old.parties}
    new_ids = {party.id for party in new.parties}
    renames = []
    for position, party in enumerate(old.parties):
        if position >= len(new.parties):
            break
        successor = new.parties[position]
        if party.id == successor.id:
            if party.label != successor.label:
                renames.append(PartyRename(party, successor))
            continue
        if party.id in new_ids or successor.id in old_ids:
            continue
        if _same_letters(party.id, successor.id, pairs):
            renames.append(PartyRename(party, successor))
    return renames


def _same_letters(old_id: str, new_id: str, pairs: Iterable[ActivityPair]) -> bool:
    held = same = 0
    for pair in pairs:
        before = pair.old.assignments.get(old_id, "")
        after = pair.new.assignments.get(new_id, "")
        if before or after:
            held += 1
            same += before == after
    return same > 0 and same >= SAME_LETTERS_SHARE * held


def under_new_names(old: Snapshot, renames: Sequence[PartyRename]) -> Snapshot:
    """The old revision with each renamed party under its new id and label."""
    ids = {rename.old.id: rename.new.id for rename in renames}
    if not renames:
        return old
    parties = {rename.old.id: rename.new for rename in renames}
    activities = tuple(
        replace(a, assignments={ids.get(p, p): x for p, x in a.assignments.items()})
        for a in old.activities
    )
    return replace(
        old,
        parties=tuple(parties.get(p.id, p) for p in old.parties),
        activities=activities,
    )


def rename_changes(renames: Iterable[PartyRename]) -> list[Change]:
    return [
        Change(
            ChangeKind.PARTY_RENAMED,
            ChangeSeverity.EDITORIAL,
            party=rename.new.id,
            before=rename.old.label,
            after=rename.new.label,
        )
        for rename in renames
    ]
