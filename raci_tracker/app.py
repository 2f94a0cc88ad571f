"""The use cases: what the command line and the Python API do, stage by stage.

`run` updates every configured page from git; `write_reports` renders every report from the
store; `run_and_report` and `record_run` are the scheduled job. The diligence use cases (`compare`,
`matrix`, `consistency`) and `history` read revisions from the store or straight from git.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from raci_tracker.codec import dumps
from raci_tracker.compare.activity_history import find_activity
from raci_tracker.compare.changelog import NewText, PageChangelog, build_entries, permalink
from raci_tracker.compare.diligence import MATRIX_RULES
from raci_tracker.compare.diligence import consistency as check_consistency
from raci_tracker.compare.in_force import Version, check_dates, text_in_force, versions
from raci_tracker.compare.net import NetChange, deletions, net_change
from raci_tracker.compare.review import PageTexts, Review, check_policy, review
from raci_tracker.config import DEFAULT_CACHE, Config, check_page_path, load_config
from raci_tracker.errors import InputError, OutputError, UsageError, failure_message
from raci_tracker.files import guess_locale, remove_stale_temporaries, write_outputs
from raci_tracker.history.gitraw import ChangedPage
from raci_tracker.history.repositories import check_repository
from raci_tracker.history.source import (
    GitSource,
    changed_markdown,
    open_local,
    open_source,
    read_at,
    review_base,
)
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
from raci_tracker.lock import DEFAULT_WAIT, hold_folders
from raci_tracker.model import CommitRef, Revision, RevisionStatus, Snapshot
from raci_tracker.notify import send
from raci_tracker.output.alerts import (
    acknowledge,
    notification,
    pending_alerts,
    record_alerted,
    render_pending,
    write_heartbeat,
)
from raci_tracker.output.formats import run_line
from raci_tracker.output.lastrun import RunOutcome
from raci_tracker.output.prose import PartyNames
from raci_tracker.output.render import (
    ActivityHistoryView,
    CompareView,
    ConsistencyView,
    MatrixView,
    PortfolioView,
    make_environment,
    render_run_summary,
)
from raci_tracker.output.site import SiteStatus, read_status, render_reports
from raci_tracker.output.stamp import (
    forget_rendered,
    inputs_digest,
    reports_current,
    stamp_reports,
)
from raci_tracker.output.views import run_to_dict
from raci_tracker.page.dates import iso_date
from raci_tracker.page.parse import parse_page


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


def run(
    config: Config,
    on_page: Callable[[PageUpdate], None] | None = None,
    heads: dict[str, str] | None = None,
) -> RunSummary:
    """Update every configured page and locale; one failing page does not stop the others.

    `heads`, when given, receives the upstream head of each repository it could read."""
    summary = RunSummary()
    for root in (config.snapshots, config.reports):
        remove_stale_temporaries(root)
    store = SnapshotStore(config.snapshots)
    for document in config.documents:
        pages = [t for t in targets(config) if t.document == document.id]
        pages_of = _update_document(config, store, document.repo, document.ref, pages, heads)
        for page in pages_of:
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
    heads: dict[str, str] | None = None,
) -> Iterable[PageUpdate]:
    """Open (clone or fetch) the document's repository once, then update each locale.

    Whatever goes wrong with one page, even an unforeseen error, fails that page alone, in one line.
    """
    source = _open(config, repository, ref)
    if isinstance(source, str):
        first, *others = pages
        yield _failed(first, source)
        yield from (_failed(t, f"see {first.document} {first.locale}") for t in others)
        return
    stops = _stops(store, repository)
    with source:
        if heads is not None:
            _record_head(source, repository, ref, heads)
        for target in pages:
            key = f"{target.document}/{target.locale}"
            try:
                update: PageUpdate | None = update_page(source, store, target, stops.get(key))
            except OutputError:
                raise  # an unwritable store stops the run: every page would fail the same way
            except MemoryError:
                update = None  # nothing can be allocated until the error's frames are freed
            except Exception as error:
                update = _failed(target, error)
            if update is not None and update.head is not None:
                stops[key] = update.head
            # yielded outside the handler, once the error's traceback (and everything its frames
            # hold) is freed
            yield update or _failed(target, "out of memory")
    store.write_stops(repository, stops)


def _stops(store: SnapshotStore, repository: str) -> dict[str, str]:
    """Where each page of the repository stopped; an unreadable record is read again from
    each page's index (it is only a shortcut)."""
    try:
        return store.load_stops(repository)
    except InputError:
        return {}


def _open(config: Config, repository: str, ref: str | None) -> GitSource | str:
    """The opened repository, or why it cannot be opened (in one line)."""
    try:
        return open_source(check_repository(repository, base=config.base), config.cache, ref)
    except Exception as error:
        return failure_message(error)


def _failed(target: PageTarget, error: BaseException | str) -> PageUpdate:
    return PageUpdate(
        target.document, target.locale, status=PageStatus.FAILED, error=failure_message(error)
    )


def _record_head(
    source: GitSource, repository: str, ref: str | None, heads: dict[str, str]
) -> None:
    """The upstream head, for the heartbeat; a ref that does not resolve fails its pages anyway."""
    try:
        heads[f"{_without_credentials(repository)}#{ref or 'HEAD'}"] = source.resolve(ref)
    except InputError:
        return


def _without_credentials(url: str) -> str:
    """A repository URL fit for a committed file: no `user:token@`."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url, flags=re.IGNORECASE)


# --- reports ---


PageFailures = dict[tuple[str, str], str]
"""Pages whose stored revisions could not be read, by (document, locale): their message."""


def load_changelogs(config: Config, failures: PageFailures | None = None) -> list[PageChangelog]:
    """Every configured page and locale, its stored revisions diffed one after the other.

    With `failures`, a page whose store cannot be read is recorded there and left out, instead of
    stopping every page's reports.
    """
    store = SnapshotStore(config.snapshots)
    pages = []
    for target in targets(config):
        try:
            entries = build_entries(store.revisions(target.document, target.locale))
        except Exception as error:
            if failures is None:
                raise
            failures[(target.document, target.locale)] = failure_message(error)
            continue
        title = entries[-1].revision.snapshot.document.title if entries else None
        permalink = config.document(target.document).permalink
        pages.append(PageChangelog(target.document, target.locale, title, permalink, entries))
    return pages


def write_reports(
    config: Config, failures: PageFailures | None = None, status: SiteStatus | None = None
) -> tuple[int, list[PageChangelog]]:
    """Render every report from the stored snapshots (git is not read); `status` (failed pages,
    last check) defaults to what the reports folder recorded.

    When a page's store cannot be read (see `load_changelogs`), the other pages' own reports are
    written, and the shared ones (index, feed, consistency) keep their last complete version.
    """
    status = status or read_status(config.reports)
    digest = _inputs_digest(config, status)
    pages = load_changelogs(config, failures)
    outputs = render_reports(config, pages, status)
    if failures:
        folders = tuple(f"{page.document}/{page.locale}/" for page in pages)
        outputs = {name: text for name, text in outputs.items() if name.startswith(folders)}
    written = write_outputs(config.reports, outputs)
    if not failures:
        stamp_reports(config, digest)
    return written, pages


def _inputs_digest(config: Config, status: SiteStatus) -> str:
    pages = [(t.document, t.locale) for t in targets(config)]
    return inputs_digest(config, pages, sorted(status.failed.items()), status.checked)


def _run_status(config: Config, summary: RunSummary) -> SiteStatus:
    """The pages this run failed on, and the last check the reports folder recorded."""
    failed = {(p.document, p.locale): p.error or "failed" for p in summary.failed}
    return SiteStatus(failed, read_status(config.reports).checked)


# --- a whole run ---


def lock_outputs(
    config: Config, wait: float = DEFAULT_WAIT, on_wait: Callable[[str], None] | None = None
) -> AbstractContextManager[None]:
    """One run at a time on the same outputs: hold the snapshots' and reports' locks."""
    return hold_folders((config.snapshots, config.reports), wait, on_wait)


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
    heads: dict[str, str] = {}
    summary = run(config, on_page, heads)
    # the heartbeat first, so the index says the last check it records
    checked = write_heartbeat(config.reports, heads, datetime.now(UTC))
    status = _run_status(config, summary)
    quiet = all(page.status is PageStatus.UNCHANGED for page in summary.pages)
    if quiet and reports_current(config, _inputs_digest(config, status)):
        return RunOutcome(summary, (), int(checked))  # nothing new: the reports say it all
    failures: PageFailures = {}
    written, pages = write_reports(config, failures, status)
    for page in summary.pages:
        if (page.document, page.locale) in failures and page.status is not PageStatus.FAILED:
            page.status, page.error = PageStatus.FAILED, failures[(page.document, page.locale)]
            if on_page is not None:
                on_page(page)
    new_texts = tuple(_new_texts(summary, pages))
    pending = pending_alerts(config.reports, pages, new_texts)
    return RunOutcome(summary, new_texts, written + checked, pending, tuple(pages))


def alert(
    config: Config, outcome: RunOutcome, urls: Sequence[str], *, await_ack: bool = False
) -> list[str]:
    """Send the run's one notification to every URL, when it has shifts to tell, and record
    them as alerted; after a failed notification they stay pending for the next run. With
    `await_ack`, a later step delivers them too (the workflow's issue): they await
    `acknowledge_alerts` instead of being recorded.
    Returns the problems, one line each (a failed notification never fails the run)."""
    if not outcome.pages:
        return []  # a quiet run (see `run_and_report`): nothing new and nothing pending
    problems: list[str] = []
    if outcome.alerts and urls:
        message = notification(outcome.alerts, run_line(outcome), len(outcome.pending))
        problems = send(urls, message.title, message.body)
    status = _run_status(config, outcome.summary)
    rendered = reports_current(config, _inputs_digest(config, status))
    unsent = outcome.alerts if problems else ()
    awaiting = outcome.alerts if await_ack and not problems else ()
    record_alerted(config.reports, outcome.pages, unsent, awaiting)
    if problems:
        forget_rendered(config)  # so the next run, even a quiet one, finds them pending
    elif rendered:
        stamp_reports(config, _inputs_digest(config, status))  # the record is in the digest
    return problems


def acknowledge_alerts(config: Config) -> int:
    """Record as alerted what the last `run --await-ack` alerted; how many texts that was."""
    return acknowledge(config.reports)


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
    target = PageTarget("page", locale or "", repository, ref, check_page_path(path))
    with open_source(check_repository(repository), cache, ref) as source:
        return walk_history(source, target).revisions


def record_run(config: Config, outcome: RunOutcome, environ: Mapping[str, str]) -> list[str]:
    """`reports/last-run.json` and `.md` when the run took something in or failed (a run with
    nothing new changes no file); in GitHub Actions, a job summary and `shifts=<count>`.

    Returns warnings: a job summary or output file that cannot be written does not fail the run.
    """
    wanted = outcome.did_something or bool(environ.get("GITHUB_STEP_SUMMARY"))
    summary = _run_summary(config, outcome) if wanted else ""  # templates compile slowly
    if outcome.did_something:
        write_outputs(
            config.reports,
            {
                "last-run.json": dumps(run_to_dict(outcome)).decode("utf-8"),
                "last-run.md": summary,
            },
        )
    appended = {
        "GITHUB_STEP_SUMMARY": summary,
        "GITHUB_OUTPUT": f"shifts={outcome.alert_count}\n",
    }
    return [
        warning
        for name, text in appended.items()
        if environ.get(name) and (warning := _append(name, Path(environ[name]), text))
    ]


def _run_summary(config: Config, outcome: RunOutcome) -> str:
    env = make_environment(config.templates)
    summary = render_run_summary(
        outcome.new_texts,
        outcome.summary.failed,
        outcome.changes,
        env,
        skipped=[page for page in outcome.summary.pages if page.skipped],
    )
    return summary + render_pending(outcome.pending, env)


def _append(name: str, path: Path, text: str) -> str | None:
    """Append to a file CI named; a warning instead of an error when it cannot be written."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        return f"warning: {name}: cannot write {path}: {error.strerror or error}"
    return None


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
    target = PageTarget("history", chosen, repository, ref, check_page_path(page_path))
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
    """`raci-tracker compare`: the net change between the texts in force at two dates."""
    start_date, end_date = compare_dates(start, end)
    revisions, locale, title, template = _query_revisions(query, cache)
    return page_comparison(
        revisions, start_date, end_date, (query.document, locale, title, template)
    )


def compare_dates(start: str, end: str | None) -> tuple[str, str]:
    """`--from` and `--to` (default today), checked: dates, not in the future, not reversed."""
    now = today()
    start_date = checked_date(start, "--from") or now
    end_date = checked_date(end, "--to") or now
    check_dates(start_date, end_date, now)
    return start_date, end_date


def page_comparison(
    revisions: Sequence[Revision],
    start_date: str,
    end_date: str,
    page: tuple[str | None, str, str, str | None],
) -> CompareView:
    """One page's net change; `page` is its document, locale, fallback title and permalink."""
    document, locale, title, template = page
    history = versions(revisions)
    end = text_in_force(revisions, end_date)
    if end is None:
        first = f": its first version was committed on {history[0].committed}" if history else ""
        raise InputError(f"{title} ({locale}) did not exist yet on {end_date}{first}")
    net = net_change(history, text_in_force(revisions, start_date), end)

    def link(commit: CommitRef) -> str | None:
        return permalink(template, commit, locale)

    title = end.snapshot.document.title or title
    return CompareView(net, title, locale, start_date, end_date, link, document, history[0])


def compare_portfolio(config_file: Path, start: str, end: str | None) -> PortfolioView:
    """`raci-tracker compare` with no `--doc`: every configured document and locale."""
    start_date, end_date = compare_dates(start, end)
    config = load_config(config_file)
    store = SnapshotStore(config.snapshots)
    pages, absent = [], []
    for target in targets(config):
        revisions = list(store.revisions(target.document, target.locale))
        template = config.document(target.document).permalink
        page = (target.document, target.locale, target.document, template)
        try:
            pages.append(page_comparison(revisions, start_date, end_date, page))
        except InputError as error:
            absent.append((target.document, target.locale, str(error)))
    if not pages:
        raise InputError("no configured page has a version on that date; run `raci-tracker run`")
    return PortfolioView(tuple(pages), tuple(absent), start_date, end_date)


def _in_force_at(revisions: Sequence[Revision], when: str, what: str) -> Version:
    version = text_in_force(revisions, when)
    if version is None:
        first = min((v.committed for v in versions(revisions)), default=None)
        since = f": its first version was committed on {first}" if first else ""
        raise InputError(f"{what} did not exist yet on {when}{since}")
    return version


def _checked_at(at: str | None) -> str:
    now = today()
    when = checked_date(at, "--at") or now
    if when > now:
        raise InputError(f"--at: {when} is in the future (today is {now})")
    return when


def matrix(query: PageQuery, at: str | None, party: str | None) -> MatrixView:
    """`raci-tracker matrix`: the text in force at a date, optionally one party's share."""
    when = _checked_at(at)
    config = load_config(query.config_file)
    locale, revisions = stored_revisions(config, query.document or "", query.locale)
    version = _in_force_at(revisions, when, query.document or "the page")
    snapshot = version.snapshot
    deleted = version.revision.status is RevisionStatus.DELETED
    if party is not None and not deleted and party not in {p.id for p in snapshot.parties}:
        known = ", ".join(p.id for p in snapshot.parties)
        raise InputError(f"--party: {party!r} is not a party of this page ({known})")
    findings = [f for f in snapshot.findings if f.rule in MATRIX_RULES]
    page = (query.document or "the page", locale)
    return MatrixView(snapshot, version.revision, party, when, findings, version, page)


def activity_history(query: PageQuery, activity: str) -> ActivityHistoryView:
    """`raci-tracker history-of`: each version in which one activity's letters changed."""
    config = load_config(query.config_file)
    locale, revisions = stored_revisions(config, query.document or "", query.locale)
    history = versions(revisions)
    found = find_activity(history, activity)
    if not found:
        raise InputError(
            f"no activity of {query.document} ({locale}) has the id or contains {activity!r}"
        )
    template = config.document(query.document or "").permalink

    def link(commit: CommitRef) -> str | None:
        return permalink(template, commit, locale)

    title = revisions[-1].snapshot.document.title or query.document or ""
    page = (title, locale, query.document or "", activity)
    return ActivityHistoryView(tuple(found), *page, link, deletions(history))


def consistency_of_files(pages: Mapping[str, Snapshot]) -> ConsistencyView:
    """`raci-tracker consistency FILES`: where the given locale pages disagree."""
    title = next(iter(pages.values())).document.title or "the page"
    return ConsistencyView(check_consistency(pages), title, PartyNames.of(*pages.values()))


def _published_at(revisions: Sequence[Revision], when: str, locale: str) -> Version:
    """The text in force on `when`; an error if the page was deleted then (nothing to compare)."""
    version = _in_force_at(revisions, when, locale)
    if version.revision.status is RevisionStatus.DELETED:
        raise InputError(
            f"{locale}: no matrix was in force on {when}: the page was deleted by commit"
            f" {version.ref.commit[:12]}, committed {version.committed}"
        )
    return version


def consistency_of_document(config_file: Path, document: str, at: str | None) -> ConsistencyView:
    """`raci-tracker consistency --doc`: where a configured document's locales disagree."""
    config = load_config(config_file)
    when = _checked_at(at)
    pages = {
        locale: _published_at(stored_revisions(config, document, locale)[1], when, locale).snapshot
        for locale in config.document(document).locales
    }
    title = next(iter(pages.values())).document.title or document
    return ConsistencyView(check_consistency(pages), title, PartyNames.of(*pages.values()))


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
    """The net change between the texts in force on `start` and on `end` (default: today)."""
    start_date, end_date = compare_dates(start, end)
    if not revisions:
        raise InputError("the page has no revision")
    end_version = _in_force_at(revisions, end_date, "the page")
    return net_change(versions(revisions), text_in_force(revisions, start_date), end_version)


def matrix_in_force(revisions: Sequence[Revision], at: str | None = None) -> Version:
    """The text in force on `at` (default: today): the last one committed on or before it."""
    return _in_force_at(revisions, _checked_at(at), "the page")


# --- reviewing a change to a docs repository ---------------------------------------------------


def review_changes(repository: Path, base: str, head: str, policy: Sequence[str]) -> Review:
    """`raci-tracker review`: every RACI page changed from `base` to `head`, diffed.

    Like a pull request's "Files changed", the change starts at the merge base of the two.
    """
    rules = check_policy(policy)
    with open_local(repository) as source:
        start, end = review_base(source, base, head), source.resolve(head)
        texts, errors = [], []
        for page in changed_markdown(source, start, end):
            try:
                texts.append(_page_texts(source, page, start, end))
            except InputError as error:
                errors.append(str(error))
    result = review(start, end, texts, parse_page(b"", path="(no page)"), rules)
    return replace(result, errors=tuple(errors))


def _page_texts(source: GitSource, page: ChangedPage, start: str, end: str) -> PageTexts:
    def parsed(blob: str | None, path: str, commit: str) -> Snapshot | None:
        if blob is None:
            return None
        data, locale = source.read_blob(blob), guess_locale(Path(path))
        return parse_page(data, path=path, locale=locale, commit=commit, blob=blob)

    before = parsed(page.old_blob, page.previous_path or page.path, start)
    after = parsed(page.new_blob, page.path, end)
    return PageTexts(page.path, page.previous_path, page.status, before, after)


def read_revision(repository: Path, rev: str, path: str) -> bytes:
    """`diff REV:PATH`: a file's bytes at a revision of a local repository."""
    with open_local(repository) as source:
        return read_at(source, rev, path)
