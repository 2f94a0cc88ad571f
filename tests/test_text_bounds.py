"""Linear-time replacements for the quadratic steps of a parse, checked against the originals."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from raci_tracker.text import UniqueIds, has_delimiter_row, is_delimiter_row, terminal_safe

# The page parser's current delimiter-row expression and id counter, kept here as the reference.
REFERENCE_DELIMITER = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def reference_ids(bases: list[str]) -> list[str]:
    taken: set[str] = set()
    made = []
    for base in bases:
        candidate, suffix = base, 2
        while candidate in taken:
            candidate = f"{base}-{suffix}"
            suffix += 1
        taken.add(candidate)
        made.append(candidate)
    return made


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "a-2", "a-3", "b", "a-2-2", "b-2"]), max_size=30))
def test_unique_ids_match_the_counting_up_of_the_parser(bases: list[str]) -> None:
    ids = UniqueIds()
    assert [ids.add(base) for base in bases] == reference_ids(bases)


def test_unique_ids_are_linear_on_20000_repeats() -> None:
    ids = UniqueIds()
    started = time.monotonic()
    made = [ids.add("1/sauvegarder") for _ in range(20_000)]
    assert time.monotonic() - started < 1.0
    assert len(set(made)) == 20_000
    assert made[:3] == ["1/sauvegarder", "1/sauvegarder-2", "1/sauvegarder-3"]


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="|-: a\t\u00a0", max_size=40))
def test_delimiter_rows_are_recognised_like_the_expression(line: str) -> None:
    assert is_delimiter_row(line) == bool(REFERENCE_DELIMITER.search(line))


def test_delimiter_check_is_linear_where_the_expression_backtracks() -> None:
    """`---` then 80,000 spaces and a letter: quadratic for the expression (tens of seconds)."""
    hostile = "| --- |" + " " * 80_000 + "x\n" + "---" + "\t" * 80_000 + "|x"
    started = time.monotonic()
    assert not has_delimiter_row(hostile)
    assert has_delimiter_row(hostile + "\n| --- | :---: |")
    assert time.monotonic() - started < 0.5


def test_terminal_safe_keeps_newlines_and_tabs_and_shows_controls() -> None:
    text = "a\tb\nc\x1b]52;c;eA==\x07d\x9b31m\u202ee\r"
    assert terminal_safe(text) == "a\tb\nc\\u001b]52;c;eA==\\u0007d\\u009b31m\\u202ee\\u000d"
