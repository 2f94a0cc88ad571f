"""How a diff is ordered and summed up: reading order, severity counts, party tallies, and the
findings a new revision introduced or resolved."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from raci_tracker.compare.matching import MAX_CANDIDATES, PAIRING_BUDGET, Matching
from raci_tracker.model import (
    Change,
    ChangeKind,
    ChangeSeverity,
    DiffSummary,
    Finding,
    FindingDelta,
    PartyTally,
    Snapshot,
    section_key,
)
from raci_tracker.page import rules

_KIND_ORDER = {
    kind: rank
    for rank, kind in enumerate(
        [
            ChangeKind.METADATA_CHANGED,
            ChangeKind.LEGEND_CHANGED,
            ChangeKind.LEGEND_DEFINITION_CHANGED,
            ChangeKind.PARTY_RENAMED,
            ChangeKind.PARTY_ADDED,
            ChangeKind.PARTY_REMOVED,
            ChangeKind.SECTION_REMOVED,
            ChangeKind.SECTION_ADDED,
            ChangeKind.SECTION_RENAMED,
            ChangeKind.ACTIVITY_REMOVED,
            ChangeKind.ACTIVITY_ADDED,
            ChangeKind.ACTIVITY_MOVED,
            ChangeKind.ACTIVITY_REWORDED,
            ChangeKind.ROLE_CHANGED,
        ]
    )
}
_LINE_REFERENCE = re.compile(r"\bline \d+")


_OLD_SIDE = (ChangeKind.SECTION_REMOVED, ChangeKind.ACTIVITY_REMOVED)


def section_order(old: Snapshot, new: Snapshot) -> Callable[[Change], tuple[Any, ...]]:
    """Page metadata first, then by section number, or for sections named by their headings, by
    where the heading sits (new revision first); what left a section before what is in it."""
    places: dict[str, int] = {}
    for snapshot in (new, old):
        for section in snapshot.sections:
            places.setdefault(section.number, len(places) + 1)

    def key(change: Change) -> tuple[Any, ...]:
        section = change.section or change.previous_section or ""
        number = section_key(section)
        place = 0 if number or not section else places.get(section, len(places) + 1)
        return (number, place, *_reading_order(change))

    return key


def _reading_order(change: Change) -> tuple[Any, ...]:
    return (
        0 if change.kind in _OLD_SIDE else 1,
        change.activity or "",
        _KIND_ORDER[change.kind],
        change.party or "",
        change.field or "",
    )


def summarize(changes: Iterable[Change]) -> DiffSummary:
    changes = list(changes)
    severities = Counter(change.severity for change in changes)
    kinds = Counter(change.kind for change in changes)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for change in changes:
        if change.kind is ChangeKind.ROLE_CHANGED and change.party is not None:
            labels[change.party].update(change.labels)
    return DiffSummary(
        major=severities[ChangeSeverity.MAJOR],
        minor=severities[ChangeSeverity.MINOR],
        editorial=severities[ChangeSeverity.EDITORIAL],
        activities_added=kinds[ChangeKind.ACTIVITY_ADDED],
        activities_removed=kinds[ChangeKind.ACTIVITY_REMOVED],
        parties={
            party: tally
            for party, tally in ((p, _tally(c)) for p, c in sorted(labels.items()))
            if tally != PartyTally()
        },
    )


def _tally(labels: Mapping[str, int]) -> PartyTally:
    return PartyTally(
        accountable_gained=labels.get("accountability-gained", 0),
        accountable_lost=labels.get("accountability-lost", 0),
        responsible_gained=labels.get("responsibility-gained", 0),
        responsible_lost=labels.get("responsibility-lost", 0),
    )


def finding_delta(old: Snapshot, new: Snapshot, matching: Matching) -> FindingDelta:
    """Findings the new revision introduced and resolved, following activities across rewording."""
    renamed = {pair.old.id: pair.new.id for pair in matching.pairs}
    return FindingDelta(
        introduced=(
            *_pairing_bounded(matching),
            *_unmatched(new.findings, {}, old.findings, renamed),
        ),
        resolved=_unmatched(old.findings, renamed, new.findings, {}),
    )


def _pairing_bounded(matching: Matching) -> list[Finding]:
    """Said when the pairing's bounds left rows uncompared: their removals may be rewordings."""
    if not matching.uncompared:
        return []
    return [
        rules.finding(
            "pairing-bounded",
            None,
            f"{matching.uncompared} removed activities were not compared with every added one "
            f"(at most {MAX_CANDIDATES} candidates each, {PAIRING_BUDGET:,} comparisons in "
            "all): some may be rewordings, reported as removed and added",
        )
    ]


def _unmatched(
    findings: Sequence[Finding],
    renamed: Mapping[str, str],
    others: Sequence[Finding],
    others_renamed: Mapping[str, str],
) -> tuple[Finding, ...]:
    """`findings` that have no counterpart in `others` (counted, so repeats are kept)."""
    available = Counter(_finding_key(f, others_renamed) for f in others)
    left = []
    for finding in findings:
        key = _finding_key(finding, renamed)
        if available[key] > 0:
            available[key] -= 1
        else:
            left.append(finding)
    return tuple(left)


def _finding_key(finding: Finding, renamed: Mapping[str, str]) -> tuple[str, str]:
    if finding.activity is not None:
        return (finding.rule, renamed.get(finding.activity, finding.activity))
    return (finding.rule, _LINE_REFERENCE.sub("line", finding.message))
