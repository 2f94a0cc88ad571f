"""Generated RACI pages: the parser never raises, and its JSON round-trips."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from raci_tracker.codec import load_snapshot, snapshot_to_json
from raci_tracker.errors import InputError
from raci_tracker.model import ROLE_LETTERS
from raci_tracker.page.parse import parse_page, read_letters

# Any text but NUL, which makes a page binary (tested on its own below).
page_text = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
letters = st.text(alphabet=ROLE_LETTERS, max_size=4)
junk_cell = st.sampled_from(["X", "N/A", "", " ", "-", "R A", "a|b", "**RA**", "<b>I</b>", "\\|"])
cell = st.one_of(letters, junk_cell, st.text(alphabet=page_text, max_size=6))
activity = st.text(alphabet=page_text, max_size=40)
row = st.tuples(activity, st.lists(cell, max_size=4))
section = st.tuples(
    st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=4),
    st.integers(min_value=1, max_value=8),
    st.lists(row, max_size=6),
)


Rows = list[tuple[str, list[str]]]
Sections = list[tuple[list[int], int, Rows]]


def render(sections: Sections, front: str) -> str:
    parts = [f"---\n{front}\n---\n"]
    for numbers, level, rows in sections:
        parts.append(f"{'#' * min(level, 6)} **{'.'.join(map(str, numbers))}. Titre**\n")
        parts.append("| Activité | Client | OVHcloud |\n| --- | --- | --- |")
        parts.extend(f"| {text} | {' | '.join(cells)} |" for text, cells in rows)
        parts.append("")
    return "\n".join(parts)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(section, max_size=5),
    st.sampled_from(["updated: 2023-07-06", "updated: nope", "title: [", "a: &x 1\nb: *x", ""]),
)
def test_generated_pages_parse_and_round_trip(sections: Sections, front: str) -> None:
    snapshot = parse_page(render(sections, front).encode("utf-8"))
    data = snapshot_to_json(snapshot)

    assert snapshot_to_json(load_snapshot(data, path="x.json")) == data
    assert len({a.id for a in snapshot.activities}) == len(snapshot.activities)
    for item in snapshot.activities:
        assert all(read_letters(value) == value for value in item.assignments.values())


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    """Any bytes either parse or raise the one error meant for users (anything else fails)."""
    with contextlib.suppress(InputError):
        parse_page(data)
