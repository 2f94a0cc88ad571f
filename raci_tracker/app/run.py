"""The scheduled job: update every configured page from git, render the reports, alert and
record what the run took in (`reports/last-run.*`, the GitHub job summary and outputs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from raci_tracker.app.diffed import DiffedPages
from raci_tracker.app.parallel import (
    DocumentRead,
    Prerendered,
    read_documents,
    usable_cpus,
    worth_it,
)
from raci_tracker.app.update import (
    Sources,
    document_targets,
    read_stops,
    record_head,
    targets,
    update_document,
)
from raci_tracker.config import Config, DocumentConfig
from raci_tracker.files import (
    remove_file,
    remove_stale_temporaries,
    synced_once,
    write_outputs,
)
from raci_tracker.heap import frozen_heap
from raci_tracker.history.reading import Texts
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageStatus, PageUpdate, RunSummary
from raci_tracker.lazy import LazyModule
from raci_tracker.lock import DEFAULT_WAIT, hold_folders
from raci_tracker.notify import send
from raci_tracker.output.lastrun import (
    CUT_WARNING,
    JOB_SUMMARY_LIMIT,
    RunOutcome,
    job_summary,
    run_line,
)
from raci_tracker.output.stamp import (
    forget_rendered,
    inputs_digest,
    read_rendered,
    record_rendered,
    rendered_folder,
    reports_current,
    stamp_reports,
)
from raci_tracker.output.status import SiteStatus, read_checked, read_status, write_heartbeat

if TYPE_CHECKING:
    import raci_tracker.app.changelogs as stored
    from raci_tracker.app.changelogs import PageFailures, PageTexts
    from raci_tracker.compare.changelog import PageChangelog
    from raci_tracker.output import alerts, render, views
    from raci_tracker.output import site as plan
    from raci_tracker.output.site import Shows
else:  # the renderers (Jinja2, markdown-it) and deepdiff: imported once a run renders
    stored = LazyModule("raci_tracker.app.changelogs")
    alerts = LazyModule("raci_tracker.output.alerts")
    render = LazyModule("raci_tracker.output.render")
    plan = LazyModule("raci_tracker.output.site")
    views = LazyModule("raci_tracker.output.views")


@dataclass(slots=True)
class LeftForReports:
    """What a run's update leaves for its reports: the files its workers rendered, and the
    pages this process diffed."""

    prerendered: Prerendered = field(default_factory=Prerendered)
    diffed: DiffedPages = field(default_factory=DiffedPages)


def run(
    config: Config,
    on_page: Callable[[PageUpdate], None] | None = None,
    heads: dict[str, str] | None = None,
    *,
    jobs: int | None = None,
    left: LeftForReports | None = None,
) -> RunSummary:
    """Update every configured page and locale; one failing page does not stop the others.

    `heads`, when given, receives the upstream head of each repository it could read. A first
    run over many pages reads its documents with `jobs` processes (by default one per CPU the
    run may use: `app.parallel`); with `left`, they render each document's files too, and
    the run keeps there what its reports can take (`LeftForReports`)."""
    summary, heads = RunSummary(), {} if heads is None else heads
    for root in (config.snapshots, config.reports, rendered_folder(config)):
        remove_stale_temporaries(root)
    store = SnapshotStore(config.snapshots)
    prerendered, diffed = (left.prerendered, left.diffed) if left else (None, None)
    read = _read_in_parallel(config, store, jobs, on_page, prerendered)
    for done in read.values():
        heads.update(done.heads)
    with ExitStack() as opened:
        sources, texts = Sources(config, opened), Texts()
        for document in config.documents:
            if document.id in read:
                summary.pages.extend(read[document.id].pages)
                continue
            source = sources.get(document.repo, document.ref)
            updates = _read_document(config, store, source, document, (texts, diffed), on_page)
            summary.pages.extend(updates)
            record_head(source, document, heads)
    store.forget()  # the pages handed to the reports read through it: it need hold no more
    return summary


def _read_in_parallel(
    config: Config,
    store: SnapshotStore,
    jobs: int | None,
    on_page: Callable[[PageUpdate], None] | None,
    prerendered: Prerendered | None,
) -> dict[str, DocumentRead]:
    """The documents read in parallel (none when not worth it), their stops recorded."""
    jobs = usable_cpus() if jobs is None else jobs
    if not worth_it(config, store, jobs):
        return {}

    def took(done: DocumentRead) -> None:
        for page in done.pages:
            if on_page is not None:
                on_page(page)
        if prerendered is not None:
            prerendered.take(done.rendered)

    read = read_documents(config, jobs, prerendered is not None, took)
    for repository in sorted({config.document(d).repo for d in read}):
        stops = read_stops(store, repository)
        for done in read.values():
            if config.document(done.document).repo == repository:
                stops.update(done.stops)
        store.write_stops(repository, stops)
    return read


def _read_document(
    config: Config,
    store: SnapshotStore,
    source: GitSource | str,
    document: DocumentConfig,
    kept: tuple[Texts, DiffedPages | None],
    on_page: Callable[[PageUpdate], None] | None,
) -> Iterable[PageUpdate]:
    """Update each locale of a document, then record where each stopped; `kept`: the texts the
    run parsed, and where it keeps the pages it diffed."""
    stops = read_stops(store, document.repo)
    pages = document_targets(config, document.id)
    for page in update_document(source, store, pages, stops, *kept):
        if on_page is not None:
            on_page(page)
        yield page
    if isinstance(source, GitSource):
        store.write_stops(document.repo, stops)


def load_changelogs(config: Config, failures: PageFailures | None = None) -> list[PageChangelog]:
    """Every configured page and locale, its stored revisions diffed one after the other.

    With `failures`, a page whose store cannot be read is recorded there and left out, instead of
    stopping every page's reports.
    """
    return _load_pages(config, failures)[0]


def _load_pages(
    config: Config, failures: PageFailures | None = None, diffed: DiffedPages | None = None
) -> tuple[list[PageChangelog], PageTexts]:
    """`load_changelogs`, and what names each page's texts (`app.changelogs.text_ids`)."""
    return stored.load_pages(config, targets(config), failures, diffed)


@frozen_heap()  # the cyclic collector traces what the reports make, not what they read
def write_reports(
    config: Config,
    failures: PageFailures | None = None,
    status: SiteStatus | None = None,
    *,
    incremental: bool = False,
    shows: Shows | None = None,
    left: LeftForReports | None = None,
) -> tuple[int, list[PageChangelog]]:
    """Render every report from the stored snapshots (git is not read); `status` (failed pages,
    last check) defaults to what the reports folder recorded. `incremental` leaves alone the
    page files last rendered from the same inputs (`output.reuse`): the files are the same.
    The reports are marked current only by `alert`, once a run recorded its alerts: a run
    stopped before that renders again, and finds the shifts it never alerted. What a later step
    `shows` of the revisions is taken as they are rendered (`render_site`). What the run's
    update `left` is taken: the files its workers rendered are left alone as those rendered
    before are, when current, and the pages it diffed are not built again.

    When a page's store cannot be read (see `load_changelogs`; an older text is read only when
    its files are rendered), the other pages' own reports are written, and the shared ones
    (index, feed, consistency) keep their last complete version.
    """
    status = status or read_status(config.reports)
    with synced_once():  # the diffs a store without them gets
        pages, ids = _load_pages(config, failures, left.diffed if left else None)
    prerendered = left.prerendered if left else Prerendered()
    rendered = {**read_rendered(config), **prerendered.files} if incremental else {}
    reuse = stored.reuse_of(config, ids, rendered, kept_parts=incremental)
    # each file is written once rendered: a run holds a changelog page at a time
    written = [prerendered.written]

    def write_page(outputs: Mapping[str, str | Iterable[str]]) -> None:
        written[0] += write_outputs(config.reports, outputs)

    with synced_once(), frozen_heap():  # the pages loaded, too
        delivery = plan.Delivery(shows, write_page)
        site, pages = stored.render_readable(config, pages, status, reuse, failures, delivery)
        shared = site.outputs if not failures else {}  # the last complete ones stay
        written[0] += write_outputs(config.reports, shared)
    written[0] += sum(map(remove_file, plan.stale_changelogs(config.reports, site, pages)))
    if not failures:
        record_rendered(config, stored.rendered_record(site, rendered))
    return written[0], pages


def _inputs_digest(config: Config, status: SiteStatus) -> str:
    pages = [(t.document, t.locale) for t in targets(config)]
    return inputs_digest(config, pages, sorted(status.failed.items()), status.checked)


def _run_status(config: Config, summary: RunSummary) -> SiteStatus:
    """The pages this run failed on, and the last check the reports folder recorded."""
    failed = {(p.document, p.locale): p.error or "failed" for p in summary.failed}
    return SiteStatus(failed, read_checked(config.reports))


def lock_outputs(
    config: Config, wait: float = DEFAULT_WAIT, on_wait: Callable[[str], None] | None = None
) -> AbstractContextManager[None]:
    """One run at a time on the same outputs: hold the snapshots' and reports' locks."""
    return hold_folders((config.snapshots, config.reports), wait, on_wait)


def run_and_report(
    config: Config, on_page: Callable[[PageUpdate], None] | None = None, jobs: int | None = None
) -> RunOutcome:
    """Update every page from git, then every report: what the run did, for people and CI."""
    heads: dict[str, str] = {}
    left = LeftForReports()
    summary = run(config, on_page, heads, jobs=jobs, left=left)
    # the heartbeat first, so the index says the last check it records
    checked = write_heartbeat(config.reports, heads, datetime.now(UTC))
    status = _run_status(config, summary)
    quiet = all(page.status is PageStatus.UNCHANGED for page in summary.pages)
    if quiet and reports_current(config, _inputs_digest(config, status)):
        return RunOutcome(summary, (), int(checked))  # nothing new: the reports say it all
    failures: PageFailures = {}
    shows = stored.shown_as_rendered(summary.pages, left.prerendered.shown)  # for the summary
    written, pages = write_reports(
        config, failures, status, incremental=True, shows=shows, left=left
    )
    for page in summary.pages:
        if (page.document, page.locale) in failures and page.status is not PageStatus.FAILED:
            page.status, page.error = PageStatus.FAILED, failures[(page.document, page.locale)]
            if on_page is not None:
                on_page(page)
    new_texts = tuple(stored.new_texts(summary.pages, pages))
    pending = alerts.pending_alerts(config.reports, pages, new_texts)
    return RunOutcome(
        summary,
        new_texts,
        written + checked,
        pending,
        tuple(pages),
        complete=not failures,
        shown=left.prerendered.shown,
    )


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
        message = alerts.notification(outcome.alerts, run_line(outcome), len(outcome.pending))
        problems = send(urls, message.title, message.body_within)
    status = _run_status(config, outcome.summary)
    unsent = outcome.alerts if problems else ()
    awaiting = outcome.alerts if await_ack and not problems else ()
    alerts.record_alerted(config.reports, outcome.pages, unsent, awaiting)
    if problems:
        forget_rendered(config)  # so the next run, even a quiet one, finds them pending
    elif outcome.complete:
        stamp_reports(config, _inputs_digest(config, status))  # the record is in the digest
    return problems


def acknowledge_alerts(config: Config) -> int:
    """Record as alerted what the last `run --await-ack` alerted; how many texts that was."""
    return alerts.acknowledge(config.reports)


def record_run(config: Config, outcome: RunOutcome, environ: Mapping[str, str]) -> list[str]:
    """`reports/last-run.json` and `.md` when the run took something in or failed (a run with
    nothing new changes no file); in GitHub Actions, a job summary and `shifts=<count>`.

    Returns warnings: a job summary or output file that cannot be written does not fail the run.
    """
    wanted = outcome.did_something or bool(environ.get("GITHUB_STEP_SUMMARY"))
    summary = _run_summary(config, outcome) if wanted else b""  # templates compile slowly
    if outcome.did_something:
        write_outputs(
            config.reports,
            {
                "last-run.json": views.run_json_pieces(outcome),
                "last-run.md": summary,
            },
        )
    job, cut = _job_summary(summary, environ)
    appended = {"GITHUB_STEP_SUMMARY": job, "GITHUB_OUTPUT": f"shifts={outcome.alert_count}\n"}
    warnings = [
        warning
        for name, text in appended.items()
        if environ.get(name) and (warning := _append(name, Path(environ[name]), text))
    ]
    if cut:
        warnings.append("warning: GITHUB_STEP_SUMMARY: " + CUT_WARNING)
    return warnings


def _job_summary(summary: bytes, environ: Mapping[str, str]) -> tuple[str, bool]:
    """The summary as the job summary takes it, what fits beside what the step already wrote
    (none outside GitHub Actions), and whether it was cut."""
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return "", False
    try:
        written = Path(path).stat().st_size
    except OSError:
        written = 0
    job = job_summary(summary, JOB_SUMMARY_LIMIT - written)
    return job, len(job.encode("utf-8")) != len(summary)


def _run_summary(config: Config, outcome: RunOutcome) -> bytes:
    """The run's summary as UTF-8: a first run's has a section per text, megabytes that one
    dash would make a Python string of two bytes a character."""
    env = render.make_environment(config.templates, config.cache / plan.COMPILED)
    pieces = render.render_run_summary(
        outcome.new_texts,
        outcome.summary.failed,
        outcome.changes,
        env,
        skipped=[page for page in outcome.summary.pages if page.skipped],
        sections=outcome.shown.sections,
    )
    pending = alerts.render_pending(outcome.pending, env)
    return b"".join(piece.encode("utf-8") for piece in chain(pieces, [pending]))


def _append(name: str, path: Path, text: str) -> str | None:
    """Append to a file CI named; a warning instead of an error when it cannot be written."""
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        return f"warning: {name}: cannot write {path}: {error.strerror or error}"
    return None
