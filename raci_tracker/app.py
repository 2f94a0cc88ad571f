"""The use cases: what the command line and the Python API do, stage by stage.

`run` updates every configured page from git; `write_reports` renders every report from the
store; `run_and_report` and `record_run` are the scheduled job. The diligence use cases (`compare`,
`matrix`, `consistency`) and `history` read revisions from the store or straight from git.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from raci_tracker.codec import dumps
from raci_tracker.compare.changelog import NewText, PageChangelog, build_entries, permalink
from raci_tracker.compare.diligence import MATRIX_RULES, NetChange, in_force, net_change
from raci_tracker.compare.diligence import consistency as check_consistency
from raci_tracker.config import DEFAULT_CACHE, Config, load_config
from raci_tracker.errors import InputError, UsageError
from raci_tracker.files import guess_locale, remove_stale_temporaries, write_outputs
from raci_tracker.history.source import check_repository, open_source
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import (
    HistoryListing,
    PageStatus,
    PageTarget,
    PageUpdate,
    RunSummary,
    update_page,
    walk_history,
)
from raci_tracker.model import CommitRef, Revision, Snapshot
from raci_tracker.output.lastrun import RunOutcome
from raci_tracker.output.render import (
    CompareView,
    ConsistencyView,
    MatrixView,
    make_environment,
    render_run_summary,
)
from raci_tracker.output.site import render_reports
from raci_tracker.output.views import run_to_dict
from raci_tracker.page.dates import iso_date


def targets(config: Config) -> list[PageTarget]:
    return [
        PageTarget(
            document.id,
            locale,
            document.repo,
            document.ref,
            document.page_path(locale),
            document.parties,
        )
        for document in config.documents
        for locale in document.locales
    ]


def run(config: Config, on_page: Callable[[PageUpdate], None] | None = None) -> RunSummary:
    """Update every configured page and locale; one failing page does not stop the others."""
    summary = RunSummary()
    for root in (config.snapshots, config.reports):
        remove_stale_temporaries(root)
    store = SnapshotStore(config.snapshots)
    for document in config.documents:
        pages = [t for t in targets(config) if t.document == document.id]
        for page in _update_document(config, store, document.repo, document.ref, pages):
            summary.pages.append(page)
            if on_page is not None:
                on_page(page)
    return summary


def _update_document(
    config: Config,
    store: SnapshotStore,
    repository: str,
    ref: str | None,
    pages: Sequence[PageTarget],
) -> Iterable[PageUpdate]:
    """Open (clone or fetch) the document's repository once, then update each locale."""
    try:
        spec = check_repository(repository, base=config.base)
        source = open_source(spec, config.cache, ref)
    except InputError as error:
        yield from (_failed(target, error) for target in pages)
        return
    with source:
        for target in pages:
            try:
                yield update_page(source, store, target)
            except InputError as error:
                yield _failed(target, error)


def _failed(target: PageTarget, error: InputError) -> PageUpdate:
    return PageUpdate(target.document, target.locale, status=PageStatus.FAILED, error=str(error))


# --- reports ---


def load_changelogs(config: Config) -> list[PageChangelog]:
    """Every configured page and locale, its stored revisions diffed one after the other."""
    store = SnapshotStore(config.snapshots)
    pages = []
    for target in targets(config):
        entries = build_entries(store.revisions(target.document, target.locale))
        title = entries[-1].revision.snapshot.document.title if entries else None
        permalink = config.document(target.document).permalink
        pages.append(PageChangelog(target.document, target.locale, title, permalink, entries))
    return pages


def write_reports(config: Config) -> tuple[int, list[PageChangelog]]:
    """Render every report from the stored snapshots (git is not read)."""
    pages = load_changelogs(config)
    return write_outputs(config.reports, render_reports(config, pages)), pages


# --- a whole run ---


def _new_texts(summary: RunSummary, pages: Sequence[PageChangelog]) -> Iterable[NewText]:
    """The texts this run read, page by page in date order."""
    new = {(p.document, p.locale): set(p.new_commits) for p in summary.pages}
    for page in pages:
        commits = new.get((page.document, page.locale), set())
        for entry in page.entries:
            for step in entry.steps:
                if step.ref.commit in commits:
                    yield NewText(page, entry, step)


def run_and_report(
    config: Config, on_page: Callable[[PageUpdate], None] | None = None
) -> RunOutcome:
    """Update every page from git, then every report: what the run did, for people and CI."""
    summary = run(config, on_page)
    written, pages = write_reports(config)
    return RunOutcome(summary, tuple(_new_texts(summary, pages)), written)


# --- revisions for the diligence views ---


def stored_revisions(
    config: Config, document: str, locale: str | None
) -> tuple[str, list[Revision]]:
    """A configured page's stored revisions in date order (first configured locale by default)."""
    chosen = locale or config.document(document).locales[0]
    if chosen not in config.document(document).locales:
        raise InputError(
            f"document {document!r} has no locale {chosen!r} (configured: "
            f"{', '.join(config.document(document).locales)})",
            path=str(config.file),
        )
    revisions = list(SnapshotStore(config.snapshots).revisions(document, chosen))
    if not revisions:
        raise InputError(
            f"no stored revision of {document} {chosen}; run `raci-tracker run` first",
            path=str(config.file),
        )
    return chosen, revisions


def repository_revisions(
    repository: str, path: str, ref: str | None, locale: str | None, cache: Path
) -> list[Revision]:
    """A page's revisions read straight from a repository, without a store."""
    target = PageTarget("page", locale or "", repository, ref, path)
    with open_source(check_repository(repository), cache, ref) as source:
        return walk_history(source, target).revisions


def record_run(config: Config, outcome: RunOutcome, environ: Mapping[str, str]) -> None:
    """`reports/last-run.json` and `.md` when the run took something in or failed (a run with
    nothing new changes no file); in GitHub Actions, a job summary and `shifts=<count>`."""
    failed = outcome.summary.failed
    summary = render_run_summary(
        outcome.new_texts, failed, outcome.changes, make_environment(config.templates)
    )
    if outcome.did_something:
        write_outputs(
            config.reports,
            {
                "last-run.json": dumps(run_to_dict(outcome)).decode("utf-8"),
                "last-run.md": summary,
            },
        )
    if environ.get("GITHUB_STEP_SUMMARY"):
        with Path(environ["GITHUB_STEP_SUMMARY"]).open("a", encoding="utf-8") as handle:
            handle.write(summary)
    if environ.get("GITHUB_OUTPUT"):
        with Path(environ["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as handle:
            handle.write(f"shifts={outcome.shift_count}\n")


# --- the diligence and history use cases -------------------------------------------------------


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def checked_date(value: str | None, option: str) -> str | None:
    """A `YYYY-MM-DD` date given by the user, or None; anything else is an `InputError`."""
    if value is None:
        return None
    parsed = iso_date(value)
    if parsed is None or len(value.strip()) != 10:
        raise InputError(f"{option}: {value!r} is not a YYYY-MM-DD date")
    return parsed


def page_history(
    repository: str,
    page_path: str,
    ref: str | None = None,
    locale: str | None = None,
    cache: Path = Path(DEFAULT_CACHE),
) -> HistoryListing:
    """`raci-tracker history`: a page's dated revisions, read straight from git (a local path is
    read in place; a URL is cloned into `cache`)."""
    chosen = locale or guess_locale(Path(page_path)) or ""
    target = PageTarget("history", chosen, repository, ref, page_path)
    with open_source(check_repository(repository), cache, ref) as source:
        return walk_history(source, target)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """Which page a diligence view reads: a configured document, or a repository and path."""

    config_file: Path
    document: str | None = None
    locale: str | None = None
    repository: str | None = None
    page_path: str | None = None
    ref: str | None = None


def _query_revisions(query: PageQuery, cache: Path) -> tuple[list[Revision], str, str, str | None]:
    """The page's revisions, its locale, a fallback title and its permalink template."""
    if query.repository and query.page_path:
        locale = query.locale or guess_locale(Path(query.page_path)) or ""
        revisions = repository_revisions(
            query.repository, query.page_path, query.ref, locale, cache
        )
        return revisions, locale, query.page_path, None
    if query.document and not query.repository:
        config = load_config(query.config_file)
        locale, revisions = stored_revisions(config, query.document, query.locale)
        return revisions, locale, query.document, config.document(query.document).permalink
    raise UsageError("give --doc (with a config), or --repo and --path")


def compare(query: PageQuery, start: str, end: str | None, cache: Path) -> CompareView:
    """`raci-tracker compare`: the net change between the revisions in force at two dates."""
    now = today()
    start_date = checked_date(start, "--from") or now
    end_date = checked_date(end, "--to") or now
    revisions, locale, title, template = _query_revisions(query, cache)
    if not revisions:
        raise InputError(f"{title}: the page has no revision")
    net = net_change(
        revisions, in_force(revisions, start_date, now), in_force(revisions, end_date, now)
    )

    def link(commit: CommitRef) -> str | None:
        return permalink(template, commit, locale)

    title = net.end.snapshot.document.title or title
    return CompareView(net, title, locale, start_date, end_date, link)


def matrix(query: PageQuery, at: str | None, party: str | None) -> MatrixView:
    """`raci-tracker matrix`: the revision in force at a date, optionally one party's share."""
    now = today()
    when = checked_date(at, "--at") or now
    config = load_config(query.config_file)
    _, revisions = stored_revisions(config, query.document or "", query.locale)
    revision = in_force(revisions, when, now)
    snapshot = revision.snapshot
    if party is not None and party not in {p.id for p in snapshot.parties}:
        known = ", ".join(p.id for p in snapshot.parties)
        raise InputError(f"--party: {party!r} is not a party of this page ({known})")
    findings = [f for f in snapshot.findings if f.rule in MATRIX_RULES]
    return MatrixView(snapshot, revision, party, when, findings)


def consistency_of_files(pages: Mapping[str, Snapshot]) -> ConsistencyView:
    """`raci-tracker consistency FILES`: where the given locale pages disagree."""
    title = next(iter(pages.values())).document.title or "the page"
    return ConsistencyView(check_consistency(pages), title)


def consistency_of_document(config_file: Path, document: str, at: str | None) -> ConsistencyView:
    """`raci-tracker consistency --doc`: where a configured document's locales disagree."""
    now = today()
    config = load_config(config_file)
    when = checked_date(at, "--at") or now
    pages = {
        locale: in_force(stored_revisions(config, document, locale)[1], when, now).snapshot
        for locale in config.document(document).locales
    }
    title = next(iter(pages.values())).document.title or document
    return ConsistencyView(check_consistency(pages), title)


# --- the Python API's use cases (see `raci_tracker.__init__`) ----------------------------------


def run_config(
    config_file: Path | str = "raci-tracker.toml", environ: Mapping[str, str] | None = None
) -> RunOutcome:
    """Run a configuration as `raci-tracker run` does: update snapshots, write every report and
    the last-run summary. `environ` carries `GITHUB_STEP_SUMMARY`/`GITHUB_OUTPUT` if wanted."""
    config = load_config(Path(config_file))
    outcome = run_and_report(config)
    record_run(config, outcome, environ or {})
    return outcome


def net_change_since(
    revisions: Sequence[Revision], start: str, end: str | None = None
) -> NetChange:
    """The net change between the revisions in force on `start` and on `end` (default: today)."""
    now = today()
    start_date = checked_date(start, "start") or now
    end_date = checked_date(end, "end") or now
    if not revisions:
        raise InputError("the page has no revision")
    return net_change(
        revisions, in_force(revisions, start_date, now), in_force(revisions, end_date, now)
    )


def matrix_in_force(revisions: Sequence[Revision], at: str | None = None) -> Revision:
    """The revision in force on `at` (default: today, the latest revision)."""
    now = today()
    return in_force(revisions, checked_date(at, "at") or now, now)
