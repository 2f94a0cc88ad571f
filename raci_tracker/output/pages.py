"""What the site's own pages show: a page's home (the matrix in force, its findings, the timeline,
each activity's history), the index grouped by document, and consistency as a grid. Pure data;
`render.py`'s environment and the `home.*`, `index.*` and `consistency.*` templates draw it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from raci_tracker.compare.changelog import PageChangelog, permalink
from raci_tracker.compare.diligence import AlignedRow, Consistency
from raci_tracker.model import Activity, CommitRef, Snapshot
from raci_tracker.output.activity import ActivityEvent, Earlier, anchors
from raci_tracker.output.homefold import HomeFold, fold_home
from raci_tracker.output.paging import revision_hrefs
from raci_tracker.output.prose import PartyNames, section_name
from raci_tracker.output.timeline import Timeline, timeline

# --- a page's home -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatrixSection:
    number: str
    title: str
    activities: tuple[Activity, ...]

    @property
    def heading(self) -> str:
        """ "3.1 Title", or the heading path alone where the section is named by its heading."""
        return section_name(self.number, self.title)


@dataclass(frozen=True, slots=True)
class Home:
    """`<doc>/<locale>/index`: one page and locale as a reader first sees it."""

    page: PageChangelog
    names: PartyNames
    sections: tuple[MatrixSection, ...]
    histories: Mapping[str, tuple[ActivityEvent, ...]]  # each activity's newest events
    earlier: Mapping[str, Earlier]  # what came before them, where there is more
    anchors: Mapping[str, str]
    timeline: Timeline | None
    hrefs: Mapping[str, Mapping[str, str]]  # format -> revision date -> its changelog link
    source: str | None
    other_locales: tuple[str, ...]
    consistency: bool
    failed: str | None

    @property
    def snapshot(self) -> Snapshot | None:
        return self.page.latest.snapshot if self.page.latest else None

    def link(self, ref: CommitRef) -> str | None:
        """The source page as of a commit, where the document has a permalink."""
        return permalink(self.page.permalink, ref, self.page.locale)

    def links(self, f: str) -> list[tuple[str, str]]:
        """The navigation: the index, the changelog, the source, the other locales."""
        links = [("All pages", f"../../index.{f}"), ("Changelog", f"CHANGELOG.{f}")]
        links += [("Source page", self.source)] if self.source else []
        links += [(f"Locale {x}", f"../{x}/index.{f}") for x in self.other_locales]
        links += [("Locales compared", f"../consistency.{f}")] if self.consistency else []
        return links


def matrix_sections(snapshot: Snapshot) -> tuple[MatrixSection, ...]:
    """The activities section by section, in page order, each section with its title."""
    titles = {section.number: section.title for section in snapshot.sections}
    grouped: dict[str, list[Activity]] = {}
    for activity in snapshot.activities:
        grouped.setdefault(activity.section, []).append(activity)
    return tuple(
        MatrixSection(number, titles.get(number, ""), tuple(rows))
        for number, rows in grouped.items()
    )


def home(
    page: PageChangelog,
    locales: Sequence[str],
    consistency: bool,
    failed: str | None,
    fold: HomeFold | None = None,
) -> Home:
    """The page's home; `fold`: its history folded (`fold_home`), if the caller kept one."""
    fold = fold if fold is not None else fold_home(page)
    names = fold.names()
    hrefs = {f: revision_hrefs(page, f) for f in ("html", "md")}
    latest = page.latest
    snapshot = latest.snapshot if latest else None
    histories = fold.follower.histories()
    return Home(
        page=page,
        names=names,
        sections=matrix_sections(snapshot) if snapshot else (),
        histories={activity_id: h.events for activity_id, h in histories.items()},
        earlier={activity_id: h.earlier for activity_id, h in histories.items() if h.earlier},
        anchors=anchors(a.id for a in snapshot.activities) if snapshot else {},
        timeline=timeline(fold.marks, hrefs["html"], names),
        hrefs=hrefs,
        source=permalink(page.permalink, latest.head.ref, page.locale) if latest else None,
        other_locales=tuple(x for x in locales if x != page.locale),
        consistency=consistency,
        failed=failed,
    )


# --- the index ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentGroup:
    """A document on the index: its title, then its locales as rows."""

    id: str
    title: str
    pages: tuple[PageChangelog, ...]
    failed: Mapping[str, str]
    consistency: Consistency | None

    @property
    def agreement(self) -> str:
        """How the locales compare, in words: "locales agree", "2 rows differ, 1 missing"."""
        if self.consistency is None:
            return ""
        differ, missing = len(self.consistency.disagreements), len(self.consistency.missing)
        if not differ and not missing:
            return "the locales agree"
        parts = [f"{differ} {'row differs' if differ == 1 else 'rows differ'}"] if differ else []
        parts += [f"{missing} missing in some locales"] if missing else []
        return "locales disagree: " + ", ".join(parts)


# --- consistency as a grid ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Letters:
    party: str
    letters: str
    differs: bool


@dataclass(frozen=True, slots=True)
class GridCell:
    """One locale's row: its text and letters, or nothing where the locale lacks the row."""

    text: str | None = None
    letters: tuple[Letters, ...] = ()
    missing: bool = False


@dataclass(frozen=True, slots=True)
class GridRow:
    section: str
    position: int
    kind: str  # "same", "differs" (letters) or "missing" (in some locales)
    cells: Mapping[str, GridCell] = field(default_factory=dict)


def _letters(
    row: AlignedRow, locale: str, parties: Sequence[str], names: PartyNames
) -> tuple[Letters, ...]:
    held = [dict(a.assignments) for a in row.activities.values()]
    return tuple(
        Letters(
            names.labels.get(party, party),
            row.activities[locale].assignments.get(party, ""),
            len({values.get(party, "") for values in held}) > 1,
        )
        for party in parties
    )


def _grid_row(row: AlignedRow, locales: Sequence[str], names: PartyNames) -> GridRow:
    parties = list(dict.fromkeys(p for a in row.activities.values() for p in a.assignments))
    cells = {
        locale: GridCell(row.activities[locale].text, _letters(row, locale, parties, names))
        if locale in row.activities
        else GridCell(missing=True)
        for locale in locales
    }
    differs = any(letters.differs for cell in cells.values() for letters in cell.letters)
    kind = "missing" if len(row.activities) < len(locales) else "differs" if differs else "same"
    return GridRow(row.section, row.position, kind, cells)


def grid(result: Consistency, names: PartyNames) -> tuple[GridRow, ...]:
    """Every aligned row, section by section (in the comparison's order), by position."""
    order = {section: n for n, section in enumerate(dict.fromkeys(r.section for r in result.rows))}
    rows = sorted(result.rows, key=lambda r: (order[r.section], r.position))
    return tuple(_grid_row(row, result.locales, names) for row in rows)
