"""The diligence views rendered: net change (one page or the portfolio), the matrix in force,
one activity's history, and where locales disagree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from raci_tracker.compare.activity_history import Lineage
from raci_tracker.compare.diligence import Consistency, held_by
from raci_tracker.compare.in_force import Version, commit_day
from raci_tracker.compare.net import Deletion, NetChange, tallies_by_document
from raci_tracker.model import (
    CommitRef,
    Finding,
    Revision,
    Snapshot,
)
from raci_tracker.output.pages import grid, matrix_sections
from raci_tracker.output.prose import (
    DATE_SOURCES,
    PartyNames,
    SectionNames,
    summary_sentence,
)
from raci_tracker.output.render import Templates, make_environment


@dataclass(frozen=True, slots=True)
class CompareView:
    """`raci-tracker compare`: the net change, and the dates the user asked about."""

    net: NetChange
    title: str
    locale: str
    start_date: str
    end_date: str
    link: Callable[[CommitRef], str | None]
    document: str | None = None
    first: Version | None = None  # the page's first version, said when `start` is None

    @property
    def names(self) -> PartyNames:
        return PartyNames.of(self.net.end.snapshot, self.net.start_snapshot)

    @property
    def sections(self) -> SectionNames:
        return SectionNames.of(self.net.end.snapshot, self.net.start_snapshot)


def _compare_context(view: CompareView) -> dict[str, Any]:
    names = view.names
    return {
        "view": view,
        "net": view.net,
        "rows": view.net.rows(),
        "grouped": view.net.by_party(),
        "names": names,
        "sections": view.sections,
        "title": view.title,
        "locale": view.locale,
        "start_date": view.start_date,
        "end_date": view.end_date,
        "link": view.link,
        "day": commit_day,
        "date_sources": DATE_SOURCES,
        "summary": summary_sentence(view.net.diff, names, view.net.tallies()),
    }


def render_compare(view: CompareView, output_format: str, env: Templates | None = None) -> str:
    env = env or make_environment()
    context = _compare_context(view)
    return env.get_template(f"compare.{output_format}.j2").render(c=context, **context)


@dataclass(frozen=True, slots=True)
class PortfolioView:
    """`raci-tracker compare` over every configured page, and the pages it could not compare."""

    pages: tuple[CompareView, ...]
    absent: tuple[tuple[str, str, str], ...]  # document, locale, why
    start_date: str
    end_date: str


def render_portfolio(view: PortfolioView, output_format: str, env: Templates | None = None) -> str:
    """A portfolio summary (per document: letters each party lost and gained), then each page."""
    env = env or make_environment()
    documents = tallies_by_document([(page.document or "", page.net) for page in view.pages])
    return env.get_template(f"portfolio.{output_format}.j2").render(
        view=view,
        pages=[_compare_context(page) for page in view.pages],
        documents=documents,
        names=names_by_document(view.pages),
    )


def names_by_document(pages: Sequence[CompareView]) -> dict[str, PartyNames]:
    """document -> how its parties are named: by its own pages' texts, never another document's
    (a provider column is "OVHcloud" on one page, "Rôle Cloud Temple" on another)."""
    snapshots: dict[str, list[Snapshot]] = {}
    for page in pages:
        found = snapshots.setdefault(page.document or "", [])
        found += [page.net.end.snapshot, page.net.start_snapshot]
    return {document: PartyNames.of(*texts) for document, texts in snapshots.items()}


@dataclass(frozen=True, slots=True)
class ActivityHistoryView:
    """`raci-tracker history-of`: the activities found, each with its changes of letters."""

    found: tuple[Lineage, ...]
    title: str
    locale: str
    document: str
    query: str
    link: Callable[[CommitRef], str | None]
    deletions: tuple[Deletion, ...] = ()  # the page deleted, then restored (or not)


def render_activity_history(
    view: ActivityHistoryView, output_format: str, env: Templates | None = None
) -> str:
    env = env or make_environment()
    snapshots = [change.version.snapshot for a in view.found for change in a.changes]
    return env.get_template(f"history-of.{output_format}.j2").render(
        view=view, names=PartyNames.of(*reversed(snapshots)), link=view.link, day=commit_day
    )


@dataclass(frozen=True, slots=True)
class MatrixView:
    """`raci-tracker matrix`: the revision in force, optionally one party's share of it."""

    snapshot: Snapshot
    revision: Revision | None
    party: str | None
    at: str
    findings: Sequence[Finding]
    version: Version | None = None  # the text in force, when read from a history
    page: tuple[str, str] = ("the page", "")  # its document and locale, if the page is deleted

    @property
    def deleted(self) -> bool:
        """No matrix was in force: the page was deleted on or before the date."""
        return self.version is not None and self.version.deleted

    def deleted_note(self) -> str:
        """Why no matrix is shown, plain text: the commit that deleted the page and its day."""
        assert self.version is not None
        return (
            f"no matrix was in force on {self.at}: the page was deleted by commit"
            f" {self.version.ref.commit[:12]}, committed {self.version.committed}"
        )


def render_matrix(view: MatrixView, output_format: str, env: Templates | None = None) -> str:
    env = env or make_environment()
    snapshot = view.snapshot
    if view.deleted:
        return env.get_template(f"matrix_deleted.{output_format}.j2").render(
            view=view, version=view.version, document=view.page[0], locale=view.page[1]
        )
    return env.get_template(f"matrix.{output_format}.j2").render(
        snapshot=snapshot,
        revision=view.revision,
        version=view.version,
        day=commit_day,
        party=view.party,
        at=view.at,
        findings=view.findings,
        held=held_by(snapshot, view.party) if view.party else None,
        sections=matrix_sections(snapshot),
        section_names=SectionNames.of(snapshot),
        names=PartyNames.of(snapshot),
        title=snapshot.document.title or "RACI",
        locale=snapshot.document.locale or "",
    )


GRID_DIFFERENCES = {"same": "", "differs": "letters differ", "missing": "missing in some locales"}
"""What the consistency grid says of a row, by its kind."""


@dataclass(frozen=True, slots=True)
class ConsistencyView:
    """`raci-tracker consistency`: where the locales of one page disagree, its title, and the
    names of its parties."""

    result: Consistency
    title: str
    names: PartyNames = field(default_factory=lambda: PartyNames({}))


def render_consistency(
    result: Consistency,
    output_format: str,
    *,
    title: str,
    env: Templates | None = None,
    names: PartyNames | None = None,
    home: str | None = None,
) -> str:
    """The grid of rows where the locales differ; `home` links the site's index."""
    env = env or make_environment()
    return env.get_template(f"consistency.{output_format}.j2").render(
        result=result,
        title=title,
        rows=grid(result, names or PartyNames({})),
        home=home,
        locale_links=lambda locales, f: [(f"Locale {x}", f"{x}/index.{f}") for x in locales],
        differences=GRID_DIFFERENCES,
    )
