"""Diligence views, pure: what a party holds in the matrix in force, and where the locales of one
page disagree. The text in force is `compare.in_force`; the net change is `compare.net`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from raci_tracker.model import ROLES, Activity, Snapshot, section_key
from raci_tracker.page.parties import CUSTOMER, PROVIDER, party_role

_NUMBER = re.compile(r"\d+(?:\.\d+)*")

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
class AlignedRow:
    """One row as the locales align it: each locale's activity (parties under the first locale's
    ids), none for a locale that lacks it; `position` counts in the locale with the most rows."""

    section: str
    position: int
    activities: Mapping[str, Activity]


@dataclass(frozen=True, slots=True)
class Consistency:
    locales: tuple[str, ...]
    disagreements: tuple[Disagreement, ...]
    missing: tuple[Missing, ...]
    skew: tuple[tuple[str, str | None], ...]
    rows: tuple[AlignedRow, ...] = ()


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
    aligned: list[AlignedRow] = []
    for key in sorted(sections, key=_number_key):
        number = names[key]
        rows = {locale: sections[key].get(locale, []) for locale in locales}
        present = tuple(locale for locale in locales if rows[locale])
        if len(present) < len(locales):
            missing.append(
                Missing(number, None, present, tuple(x for x in locales if x not in present), {})
            )
        if len(present) > 1:
            _compare_rows(number, {x: rows[x] for x in present}, disagreements, missing, aligned)
        elif present:
            only = present[0]
            aligned += [AlignedRow(number, i + 1, {only: a}) for i, a in enumerate(rows[only])]
    dates = {locale: pages[locale].document.updated for locale in locales}
    skew = tuple(sorted(dates.items())) if len(set(dates.values())) > 1 else ()
    return Consistency(locales, tuple(disagreements), tuple(missing), skew, tuple(aligned))


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
    aligned_rows: list[AlignedRow],
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
        for j in extra:
            missing.append(
                Missing(number, j + 1, (locale,), (reference,), {locale: rows[locale][j].text})
            )
            aligned_rows.append(AlignedRow(number, j + 1, {locale: rows[locale][j]}))
    for ref_index, matches in sorted(aligned.items()):
        activities = {x: rows[x][matches[x]] for x in rows if x in matches}
        aligned_rows.append(AlignedRow(number, ref_index + 1, activities))
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
