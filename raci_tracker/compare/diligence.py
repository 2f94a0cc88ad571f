"""Diligence views, pure: the net change between two dates with the commits that made it, the
matrix in force at a date, and where the locales of one page disagree."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from raci_tracker.compare.changelog import texts
from raci_tracker.compare.diff import diff_and_matching, diff_snapshots
from raci_tracker.errors import InputError
from raci_tracker.model import (
    ROLES,
    Activity,
    Change,
    ChangeKind,
    CommitRef,
    Diff,
    Revision,
    Snapshot,
    section_key,
)
from raci_tracker.page.parties import CUSTOMER, PROVIDER, party_role

_NUMBER = re.compile(r"\d+(?:\.\d+)*")

# --- the revision in force ---------------------------------------------------------------------


def in_force(revisions: Sequence[Revision], date: str, today: str) -> Revision:
    """The latest revision dated on or before `date`; dates before the first or in the future are
    errors."""
    if date > today:
        raise InputError(f"{date} is in the future (today is {today})")
    earlier = [r for r in revisions if r.date <= date]
    if not earlier:
        first = revisions[0].date if revisions else None
        raise InputError(
            f"no revision is in force on {date}"
            + (f": the first is dated {first}" if first else ": none is stored")
        )
    return earlier[-1]


# --- net change between two dates --------------------------------------------------------------

GROUPS = {
    ROLES[letter].label(gained): f"{'newly' if gained else 'no longer'} {ROLES[letter].adjective}"
    for gained in (True, False)
    for letter in "AR"
}
"""Change label -> the group a net change is listed under: "newly accountable", ..."""
GROUP_ORDER = tuple(GROUPS.values())


@dataclass(frozen=True, slots=True)
class Cited:
    """A net change and the commits, between the two dates, where it happened."""

    change: Change
    commits: tuple[CommitRef, ...]


@dataclass(frozen=True, slots=True)
class NetChange:
    start: Revision
    end: Revision
    diff: Diff
    cited: tuple[Cited, ...]

    def by_party(self) -> dict[str, dict[str, list[Cited]]]:
        """party -> "newly accountable" | ... -> changes; added and removed under party "all"."""
        grouped: dict[str, dict[str, list[Cited]]] = defaultdict(lambda: defaultdict(list))
        for item in self.cited:
            change = item.change
            if change.kind is ChangeKind.ACTIVITY_ADDED:
                grouped["all"]["added activities"].append(item)
            elif change.kind is ChangeKind.ACTIVITY_REMOVED:
                grouped["all"]["removed activities"].append(item)
            elif change.kind is ChangeKind.ROLE_CHANGED and change.party:
                for label in change.labels:
                    if label in GROUPS:
                        grouped[change.party][GROUPS[label]].append(item)
        order = [*GROUP_ORDER, "added activities", "removed activities"]
        return {
            party: {name: groups[name] for name in order if name in groups}
            for party, groups in grouped.items()
        }


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


def net_change(revisions: Sequence[Revision], start: Revision, end: Revision) -> NetChange:
    """What changed from `start` to `end`, net: a flip that flipped back is not there, and an
    activity reworded along the way is still the same activity."""
    chain = [r for r in revisions if start.date < r.date <= end.date]
    trace = _Trace({a.id: a.id for a in start.snapshot.activities})
    before = start.snapshot
    for revision in chain:
        for ref, snapshot in texts(revision):
            trace.step(before, snapshot, ref)
            before = snapshot
    origins = {a.id for a in start.snapshot.activities}
    anchors = {origin: now for now, origin in trace.identity.items() if origin in origins}
    diff = diff_snapshots(start.snapshot, end.snapshot, anchors)
    cited = tuple(Cited(change, trace.commits_for(change)) for change in diff.changes)
    return NetChange(start, end, diff, cited)


# --- the matrix in force -----------------------------------------------------------------------

ROLE_GROUPS = {letter: ROLES[letter].holding for letter in "ARCI"}
"""What a party holding each letter is, in the order the matrix view lists them."""
MATRIX_RULES = ("unassigned", "no-responsible", "no-accountable", "multiple-accountable")


def held_by(snapshot: Snapshot, party: str) -> dict[str, list[Activity]]:
    """What one party holds: "accountable for" -> activities, and so on for R, C, I."""
    return {
        words: [a for a in snapshot.activities if letter in a.assignments.get(party, "")]
        for letter, words in ROLE_GROUPS.items()
    }


# --- locales that disagree ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Disagreement:
    section: str
    position: int
    positions: Mapping[str, int]
    assignments: Mapping[str, Mapping[str, str]]
    activities: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Missing:
    """A row (or, with `position` None, a whole section) present in some locales only."""

    section: str
    position: int | None
    present: tuple[str, ...]
    absent: tuple[str, ...]
    activities: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Consistency:
    locales: tuple[str, ...]
    disagreements: tuple[Disagreement, ...]
    missing: tuple[Missing, ...]
    skew: tuple[tuple[str, str | None], ...]


def consistency(pages: Mapping[str, Snapshot]) -> Consistency:
    """Align locales by section and row position (never by translated text); a row one locale
    inserted is found by aligning the rows' role patterns, not their words.

    Sections align by number, or on pages that name sections by their headings, by their order
    on the page. Parties align by role (customer, provider, the Nth other party), so
    `Rôle Client` and `Kundenrolle`, or two spellings of one team, compare as one party."""
    locales = tuple(pages)
    sections, names = _sections(pages)
    disagreements: list[Disagreement] = []
    missing: list[Missing] = []
    for key in sorted(sections, key=_number_key):
        number = names[key]
        rows = {locale: sections[key].get(locale, []) for locale in locales}
        present = tuple(locale for locale in locales if rows[locale])
        if len(present) < len(locales):
            missing.append(
                Missing(number, None, present, tuple(x for x in locales if x not in present), {})
            )
        if len(present) > 1:
            _compare_rows(number, {x: rows[x] for x in present}, disagreements, missing)
    dates = {locale: pages[locale].document.updated for locale in locales}
    skew = tuple(sorted(dates.items())) if len(set(dates.values())) > 1 else ()
    return Consistency(locales, tuple(disagreements), tuple(missing), skew)


def _sections(
    pages: Mapping[str, Snapshot],
) -> tuple[dict[str, dict[str, list[Activity]]], dict[str, str]]:
    """Rows by section key and locale, each party under its role (named as in the first
    locale); and each key's display name (the number, or the first locale's heading)."""
    sections: dict[str, dict[str, list[Activity]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    reference = _party_roles(next(iter(pages.values()))) if pages else {}
    team_names = {role: party for party, role in reference.items()}
    for locale, snapshot in pages.items():
        keys = _section_keys(snapshot.activities)
        roles = {p: team_names.get(role, role) for p, role in _party_roles(snapshot).items()}
        for activity in snapshot.activities:
            key = keys[activity.section]
            names.setdefault(key, activity.section)
            sections[key][locale].append(_by_role(activity, roles))
    return sections, names


def _section_keys(activities: Sequence[Activity]) -> dict[str, str]:
    """A numbered section keeps its number; a heading-named one is keyed by its order."""
    keys: dict[str, str] = {}
    for activity in activities:
        if activity.section not in keys:
            numbered = not activity.section or _NUMBER.fullmatch(activity.section)
            keys[activity.section] = activity.section if numbered else f"#{len(keys) + 1}"
    return keys


def _party_roles(snapshot: Snapshot) -> dict[str, str]:
    teams = [p.id for p in snapshot.parties if p.id not in (CUSTOMER, PROVIDER)]
    return {party.id: party_role(party.id, teams) for party in snapshot.parties}


def _by_role(activity: Activity, roles: Mapping[str, str]) -> Activity:
    assignments = {roles.get(party, party): held for party, held in activity.assignments.items()}
    return replace(activity, assignments=assignments)


def _number_key(key: str) -> tuple[int, ...]:
    """Numbered sections in number order, then heading-named ones in page order."""
    return (10**6, int(key[1:])) if key.startswith("#") else section_key(key)


def _signature(activity: Activity) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(activity.assignments.items()))


def _compare_rows(
    number: str,
    rows: Mapping[str, list[Activity]],
    disagreements: list[Disagreement],
    missing: list[Missing],
) -> None:
    # the locale with the most rows is the reference, so a row some lack is reported once
    reference = max(rows, key=lambda locale: len(rows[locale]))
    aligned: dict[int, dict[str, int]] = {i: {reference: i} for i in range(len(rows[reference]))}
    for locale in rows:
        if locale == reference:
            continue
        pairs, extra = _align(rows[reference], rows[locale])
        for i, j in pairs:
            aligned[i][locale] = j
        missing.extend(
            Missing(number, j + 1, (locale,), (reference,), {locale: rows[locale][j].text})
            for j in extra
        )
    for ref_index, matches in sorted(aligned.items()):
        if len(matches) < len(rows):
            absent = tuple(x for x in rows if x not in matches)
            present = tuple(x for x in rows if x in matches)
            texts_ = {x: rows[x][matches[x]].text for x in present}
            missing.append(Missing(number, ref_index + 1, present, absent, texts_))
        if len({_signature(rows[x][i]) for x, i in matches.items()}) > 1:
            ordered = [x for x in rows if x in matches]
            disagreements.append(
                Disagreement(
                    number,
                    ref_index + 1,
                    {x: matches[x] + 1 for x in ordered},
                    {x: dict(rows[x][matches[x]].assignments) for x in ordered},
                    {x: rows[x][matches[x]].text for x in ordered},
                )
            )


def _align(
    ref_rows: list[Activity], rows: list[Activity]
) -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs of (reference row, row), and the rows the reference lacks.

    Rows pair by position when their role patterns agree; a row whose pattern appears at another
    position is the same row placed differently; the rows left pair in order and disagree; what
    is left after that is missing on one side. Words are never compared.
    """
    pairs: list[tuple[int, int]] = []
    ref_left: list[int] = []
    left = set(range(len(rows)))
    for i, row in enumerate(ref_rows):
        if i < len(rows) and _signature(row) == _signature(rows[i]):
            pairs.append((i, i))
            left.discard(i)
        else:
            ref_left.append(i)
    for i in list(ref_left):
        same = [j for j in left if _signature(rows[j]) == _signature(ref_rows[i])]
        if same:
            j = min(same, key=lambda j: (abs(j - i), j))
            pairs.append((i, j))
            left.discard(j)
            ref_left.remove(i)
    leftover = sorted(left)
    pairs.extend(zip(ref_left, leftover, strict=False))
    return pairs, leftover[len(ref_left) :]
