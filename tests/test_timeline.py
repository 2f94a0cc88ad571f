"""The timeline's geometry (`output/timeline.py`), apart from the page that draws it."""

from __future__ import annotations

from datetime import date

from raci_tracker.output.prose import PartyNames
from raci_tracker.output.timeline import Mark, timeline

DAY = date(2024, 1, 1).toordinal()


def mark(day: int, accountable: int) -> Mark:
    """A text on `day` where the customer holds A on `accountable` activities and R on one."""
    held = (("customer", accountable, 1),)
    when = date.fromordinal(DAY + day).isoformat()
    return Mark(DAY + day, when, when, f"{day:040d}", False, "major", held, ("customer",))


def test_a_count_line_turns_where_the_count_changes_and_nowhere_else() -> None:
    marks = [mark(day, a) for day, a in [(0, 2), (10, 2), (20, 2), (30, 1), (40, 1), (50, 2)]]
    drawn = timeline(marks, {}, PartyNames({"customer": "Customer"}))
    assert drawn is not None
    lines = {series.letter: series.points.split() for series in drawn.series}
    xs = [marker.x for marker in drawn.markers]

    # A: flat, down at the fourth text, up at the last, then held to the right edge
    accountable = [point.split(",") for point in lines["A"]]
    assert [float(x) for x, _ in accountable] == [xs[0], xs[3], xs[3], xs[5], xs[5], 936]
    assert len({y for _, y in accountable}) == 2
    assert [y for _, y in accountable][::2] == [y for _, y in accountable][1::2]  # steps
    # R never moves: from the first text to the right edge
    assert [float(point.split(",")[0]) for point in lines["R"]] == [xs[0], 936]
