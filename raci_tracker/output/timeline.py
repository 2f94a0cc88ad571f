"""The timeline picture of a page's home: its revisions on a time axis, marked by severity (silent
edits apart), and how many activities each party is accountable and responsible for over time.
Each text is placed on the day it was published in history (the day of the commit that first
carried it), not at the date the page carries, so a restored or backdated text sits where it came
back. Pure geometry; `templates/_timeline.html.j2` draws it as inline SVG (no script)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from raci_tracker.compare.changelog import PageChangelog, RevisionHead, Step, commit_day
from raci_tracker.compare.outline import HELD, count
from raci_tracker.model import ROLES
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


def _placed(page: PageChangelog) -> Iterator[tuple[int, RevisionHead, Step]]:
    """(day on the axis, revision, step): every text, silent edits too (the lower row tells them
    apart), on the day its first commit was made; a commit dated before the text it followed
    (a clock-skewed or rebased commit) is drawn on that text's day, so the axis runs one way."""
    latest = 0
    for entry in page.entries:
        for step in entry.steps:
            latest = max(latest, _day(commit_day(step.ref)))
            yield latest, entry.head, step


def _markers(
    placed: Sequence[tuple[int, RevisionHead, Step]],
    x: Callable[[int], float],
    hrefs: Mapping[str, str],
) -> tuple[Marker, ...]:
    markers = []
    for day, revision, step in placed:
        severity = _severity(step)
        what = "silent edit" if step.silent else "revision"
        title = f"{revision.date}: {what}, {severity if severity != 'first' else 'first record'}"
        title += f" (commit {step.ref.commit[:12]}, committed {date.fromordinal(day)})"
        y = SILENT_Y if step.silent else LANE_Y
        href = hrefs.get(revision_key(revision), "")
        markers.append(Marker(x(day), y, severity, step.silent, title, href))
    return tuple(markers)


def _series(
    page: PageChangelog, x: Callable[[int], float], y: Callable[[int], float], names: PartyNames
) -> list[Series]:
    outlines = [(day, step.outline) for day, _, step in _placed(page)]
    parties = list(names.labels)
    counts = {
        (party, letter): [(day, count(o, party, letter)) for day, o in outlines]
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
    """A step line through the points, held to the right edge."""
    coords: list[tuple[float, float]] = []
    for px, py in points:
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


def _top_count(page: PageChangelog) -> Iterator[int]:
    for step in (step for entry in page.entries for step in entry.steps):
        outline = step.outline
        for party, _ in outline.parties:
            for letter in COUNTED:
                yield count(outline, party, letter)


def timeline(page: PageChangelog, hrefs: Mapping[str, str], names: PartyNames) -> Timeline | None:
    """The picture of a page with at least one revision; `hrefs` links each revision."""
    placed = list(_placed(page))
    if not placed:
        return None
    days = [day for day, _, _ in placed]
    x = _scale(days)
    top = max([1, *_top_count(page)])
    y = _y_scale(top)
    series = _series(page, x, y, names)
    return Timeline(_markers(placed, x, hrefs), tuple(series), _x_ticks(days, x), _y_ticks(top, y))
