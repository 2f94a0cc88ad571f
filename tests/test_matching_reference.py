"""The bounded pairing gives the same pairs as scoring every old row against every new one, on
every page below the bounds (generated pages with repeats, moves, renumbered and retitled
sections, rewordings). The reference is the all-pairs pairing as it was before the bounds."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from raci_tracker.compare.matching import (
    REWORDED_ANYWHERE,
    REWORDED_SAME_SECTION,
    _same_roles_and_alike,
    match,
    similarity,
)
from raci_tracker.model import Activity, Section
from raci_tracker.text import fold

Pairs = dict[int, int]


def reference_sections(old: Sequence[Section], new: Sequence[Section]) -> Pairs:
    pairs: Pairs = {}
    rules: list[tuple[Callable[[Section, Section], bool], bool]] = [
        (lambda a, b: a.number == b.number and fold(a.title) == fold(b.title), False),
        (lambda a, b: fold(a.title) == fold(b.title), True),
        (lambda a, b: a.number == b.number, False),
    ]
    for same, unique in rules:
        taken = set(pairs.values())
        for i, a in enumerate(old):
            found = [j for j, b in enumerate(new) if j not in taken and same(a, b)]
            if i not in pairs and found and (len(found) == 1 or not unique):
                pairs[i] = found[0]
                taken.add(found[0])
    return pairs


def counterpart(old: Sequence[Section], new: Sequence[Section], pairs: Pairs) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for i, j in sorted(pairs.items()):
        mapping.setdefault(old[i].number, new[j].number)
    return mapping


def left(count: int, taken: set[int]) -> list[int]:
    return [k for k in range(count) if k not in taken]


def pair_equal(
    old: Sequence[Activity], new: Sequence[Activity], pairs: Pairs, mapping: dict[str, str]
) -> None:
    for same_section in (True, False):
        for i in left(len(old), set(pairs)):
            j = next(
                (
                    j
                    for j in left(len(new), set(pairs.values()))
                    if old[i].text == new[j].text
                    and (
                        not same_section
                        or mapping.get(old[i].section, old[i].section) == new[j].section
                    )
                ),
                None,
            )
            if j is not None:
                pairs[i] = j


def pair_by_votes(
    old: Sequence[Activity],
    new: Sequence[Activity],
    pairs: Pairs,
    sections: Pairs,
    old_sections: Sequence[Section],
    new_sections: Sequence[Section],
) -> None:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for i, j in pairs.items():
        votes[old[i].section][new[j].section] += 1
    taken = set(sections.values())
    for i, section in enumerate(old_sections):
        if i not in sections and votes[section.number]:
            number = votes[section.number].most_common(1)[0][0]
            first = next((k for k, s in enumerate(new_sections) if s.number == number), None)
            if first is not None and first not in taken:
                sections[i] = first
                taken.add(first)


def pair_similar(
    old: Sequence[Activity], new: Sequence[Activity], pairs: Pairs, mapping: dict[str, str]
) -> None:
    for threshold, anywhere in ((REWORDED_SAME_SECTION, False), (REWORDED_ANYWHERE, True)):
        scored = [
            (similarity(old[i].text, new[j].text), i, j)
            for i in left(len(old), set(pairs))
            for j in left(len(new), set(pairs.values()))
            if anywhere or mapping.get(old[i].section, old[i].section) == new[j].section
        ]
        for score, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
            if score >= threshold and i not in pairs and j not in set(pairs.values()):
                pairs[i] = j


def pair_by_position(
    old: Sequence[Activity], new: Sequence[Activity], pairs: Pairs, mapping: dict[str, str]
) -> None:
    for i in left(len(old), set(pairs)):
        rows = [k for k, a in enumerate(old) if a.section == old[i].section]
        target = mapping.get(old[i].section, old[i].section)
        new_rows = [k for k, b in enumerate(new) if b.section == target]
        position = rows.index(i)
        if position < len(new_rows):
            j = new_rows[position]
            if j not in pairs.values() and _same_roles_and_alike(old[i], new[j]):
                pairs[i] = j


def reference_match(
    old_sections: Sequence[Section],
    new_sections: Sequence[Section],
    old: Sequence[Activity],
    new: Sequence[Activity],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    sections = reference_sections(old_sections, new_sections)
    pairs: Pairs = {}
    pair_equal(old, new, pairs, counterpart(old_sections, new_sections, sections))
    pair_by_votes(old, new, pairs, sections, old_sections, new_sections)
    mapping = counterpart(old_sections, new_sections, sections)
    pair_similar(old, new, pairs, mapping)
    pair_by_position(old, new, pairs, mapping)
    section_pairs = [(old_sections[i].number, new_sections[j].number) for i, j in sections.items()]
    return sorted((old[i].id, new[j].id) for i, j in pairs.items()), sorted(section_pairs)


WORDS = ["gérer", "les", "sauvegardes", "du", "cluster", "réseau", "accès", "données", "plane"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
numbers = st.sampled_from(["1", "2", "3", "3.1", "4"])
titles = st.sampled_from(["Sauvegardes", "Réseau", "Accès", "Données"])
letters = st.sampled_from(["", "R", "A", "RA", "I"])


@st.composite
def revisions(draw: st.DrawFn) -> tuple[list[Section], list[Activity]]:
    sections = draw(st.lists(st.tuples(numbers, titles), max_size=4))
    rows = draw(st.lists(st.tuples(st.sampled_from(sections or [("1", "")]), texts, letters)))
    activities = [
        Activity(f"a{k}", number, text, k + 1, {"customer": held})
        for k, ((number, _), text, held) in enumerate(rows)
    ]
    return [Section(n, t, k) for k, (n, t) in enumerate(sections)], activities


@settings(max_examples=400, deadline=None)
@given(revisions(), revisions())
def test_the_bounded_pairing_is_the_all_pairs_pairing_below_the_bounds(
    old: tuple[list[Section], list[Activity]], new: tuple[list[Section], list[Activity]]
) -> None:
    found = match(old[0], new[0], old[1], new[1])

    pairs, section_pairs = reference_match(old[0], new[0], old[1], new[1])
    assert sorted((p.old.id, p.new.id) for p in found.pairs) == pairs
    assert sorted((p.old.number, p.new.number) for p in found.section_pairs) == section_pairs
    assert found.uncompared == 0
