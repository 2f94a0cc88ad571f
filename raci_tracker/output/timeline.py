"""The timeline picture of a page's home: its revisions on a time axis, marked by severity (silent
edits apart), and how many activities each party is accountable and responsible for over time.
Each text is placed on the day it was published in history (the day of the commit that first
carried it), not at the date the page carries, so a restored or backdated text sits where it came
back. Pure geometry; `templates/_timeline.html.j2` draws it as inline SVG (no script)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from raci_tracker.compare.changelog import RevisionHead, Step, commit_day
from raci_tracker.compare.outline import HELD
from raci_tracker.model import ROLES, TextOutline
from raci_tracker.output.paging import revision_key
from raci_tracker.output.prose import PartyNames

WIDTH, LEFT, RIGHT = 960, 76, 24
LANE_Y, SILENT_Y = 24, 48
CHART_TOP, CHART_HEIGHT = 80, 140
LEGEND_Y = CHART_TOP + CHART_HEIGHT + 40
COUNTED = HELD
TICK_ROOM = 70


@dataclass(frozen=True, slots=True)
class Marker:
    """A text of the page: `severity` is first, major, minor or editorial."""

    x: float
    y: float
    severity: str
    silent: bool
    title: str
    href: str


@dataclass(frozen=True, slots=True)
class Series:
    """How many activities one party holds one letter on, revision after revision."""

    label: str
    party_index: int
    letter: str
    points: str
    last: int


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the axis's end labels stay inside the picture


@dataclass(frozen=True, slots=True)
class Timeline:
    markers: tuple[Marker, ...]
    series: tuple[Series, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    width: int = WIDTH
    left: int = LEFT
    right: int = WIDTH - RIGHT
    chart_top: int = CHART_TOP
    chart_bottom: int = CHART_TOP + CHART_HEIGHT
    lane_y: int = LANE_Y
    silent_y: int = SILENT_Y
    legend_y: int = LEGEND_Y

    @property
    def height(self) -> int:
        return self.legend_y + 22 * ((len(self.series) + 1) // 2) + 8


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


@dataclass(frozen=True, slots=True)
class Mark:
    """One text of the page as the timeline draws it: the day of its commit, its revision's date
    and key, how it differs from the text before, and how many activities each party holds A
    and R on (`held`: party, A, R; `columns`: the parties its columns name)."""

    day: int
    date: str
    key: str
    commit: str
    silent: bool
    severity: str
    held: tuple[tuple[str, int, int], ...]  # party, A, R (the letters of `COUNTED`)
    columns: tuple[str, ...]

    def count(self, party: str, letter: str) -> int:
        """How many activities `party` holds `letter` (one of `COUNTED`) on."""
        for holder, accountable, responsible in self.held:
            if holder == party:
                return accountable if letter == "A" else responsible
        return 0


def mark_of(revision: RevisionHead, step: Step, outline: TextOutline) -> Mark:
    """A text of `revision` as the timeline draws it, from its diff and `outline`."""
    held = tuple((party, *outline.held[party]) for party in outline.held)
    columns = tuple(party for party, _ in outline.parties)
    day = _day(commit_day(step.ref))
    date, key, commit = revision.date, revision_key(revision), step.ref.commit
    return Mark(day, date, key, commit, step.silent, _severity(step), held, columns)


def _severity(step: Step) -> str:
    if step.diff is None:
        return "first"
    summary = step.diff.summary
    return "major" if summary.major else "minor" if summary.minor else "editorial"


def _scale(days: Sequence[int]) -> Callable[[int], float]:
    low, high = min(days), max(days)
    if low == high:
        return lambda _day: (LEFT + WIDTH - RIGHT) / 2
    span = (WIDTH - RIGHT - LEFT) / (high - low)
    return lambda day: round(LEFT + (day - low) * span, 1)


def _placed(marks: Sequence[Mark]) -> list[int]:
    """The day each text is drawn on: every text, silent edits too (the lower row tells them
    apart), on the day its first commit was made; a commit dated before the text it followed
    (a clock-skewed or rebased commit) is drawn on that text's day, so the axis runs one way."""
    latest, days = 0, []
    for mark in marks:
        latest = max(latest, mark.day)
        days.append(latest)
    return days


def _markers(
    marks: Sequence[Mark], days: Sequence[int], x: Callable[[int], float], hrefs: Mapping[str, str]
) -> tuple[Marker, ...]:
    markers = []
    for day, mark in zip(days, marks, strict=True):
        severity = mark.severity
        what = "silent edit" if mark.silent else "revision"
        title = f"{mark.date}: {what}, {severity if severity != 'first' else 'first record'}"
        title += f" (commit {mark.commit[:12]}, committed {date.fromordinal(day)})"
        y = SILENT_Y if mark.silent else LANE_Y
        markers.append(Marker(x(day), y, severity, mark.silent, title, hrefs.get(mark.key, "")))
    return tuple(markers)


def _series(
    marks: Sequence[Mark],
    days: Sequence[int],
    scales: tuple[Callable[[int], float], Callable[[int], float]],
    names: PartyNames,
) -> list[Series]:
    x, y = scales
    parties = list(names.labels)
    placed = list(zip(days, marks, strict=True))
    counts = {
        (party, letter): [(day, mark.count(party, letter)) for day, mark in placed]
        for party in parties
        for letter in COUNTED
    }
    series = []
    for (party, letter), values in counts.items():
        if not any(n for _, n in values):
            continue
        label = f"{names.labels[party]}: {ROLES[letter].holding}"
        points = _steps_line([(x(day), y(n)) for day, n in values])
        series.append(Series(label, parties.index(party), letter, points, values[-1][1]))
    return series


def _y_scale(top: int) -> Callable[[int], float]:
    return lambda n: round(CHART_TOP + CHART_HEIGHT * (1 - n / top), 1)


def _steps_line(points: Sequence[tuple[float, float]]) -> str:
    """A step line through the points, held to the right edge. A point at the height of the one
    before adds no corner, so the line has two points per change, not per text: a long history's
    home would otherwise carry thousands of points on each flat line."""
    coords: list[tuple[float, float]] = []
    for px, py in points:
        if coords and py == coords[-1][1]:
            continue
        if coords:
            coords.append((px, coords[-1][1]))
        coords.append((px, py))
    coords.append((WIDTH - RIGHT, coords[-1][1]))
    return " ".join(f"{px},{py}" for px, py in coords)


def _x_ticks(days: Sequence[int], x: Callable[[int], float]) -> tuple[Tick, ...]:
    """The first and last dates at the ends, and each new year between them with room to spare."""
    low, high = min(days), max(days)
    ends = [Tick(x(low), date.fromordinal(low).isoformat(), "start" if high != low else "middle")]
    if high != low:
        ends.append(Tick(x(high), date.fromordinal(high).isoformat(), "end"))
    years = range(date.fromordinal(low).year + 1, date.fromordinal(high).year + 1)
    ticks = [Tick(x(date(y, 1, 1).toordinal()), str(y)) for y in years]
    spaced = [t for t in ticks if all(abs(t.at - end.at) > TICK_ROOM for end in ends)]
    return tuple(sorted([*ends, *spaced], key=lambda t: t.at))


def _y_ticks(top: int, y: Callable[[int], float]) -> tuple[Tick, ...]:
    return tuple(Tick(y(n), str(n)) for n in sorted({0, top // 2, top}))


def _top_count(marks: Sequence[Mark]) -> Iterator[int]:
    for mark in marks:
        for party in mark.columns:
            for letter in COUNTED:
                yield mark.count(party, letter)


def timeline(marks: Sequence[Mark], hrefs: Mapping[str, str], names: PartyNames) -> Timeline | None:
    """The picture of a page's texts (`marks`, oldest first), if it has any; `hrefs` links each
    revision."""
    if not marks:
        return None
    days = _placed(marks)
    x = _scale(days)
    top = max([1, *_top_count(marks)])
    y = _y_scale(top)
    series = _series(marks, days, (x, y), names)
    markers = _markers(marks, days, x, hrefs)
    return Timeline(markers, tuple(series), _x_ticks(days, x), _y_ticks(top, y))
