"""Orchestration: source -> parse -> revisions -> store -> reports. No printing, no click.

`update_page` brings one page and locale of the store up to date with its repository, reading
only commits it has not seen; `walk_history` lists a page's revisions without a store; `run`
does every configured page; `write_reports` renders every report from the store;
`run_and_report` and `record_run` are the scheduled job: what it took in, for people and CI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from .changelog import NewText, PageChangelog, build_entries
from .config import Config
from .diligence import consistency
from .errors import InputError
from .files import remove_stale_temporaries, write_atomic
from .history import backwards_note, commit_ref, dated, deleted_snapshot, merge
from .model import HistoryNote, PageCommit, Rename, Revision, Severity, Snapshot
from .parse import PARSER_VERSION, parse_page
from .report import (
    make_environment,
    render_changelog,
    render_consistency,
    render_feed,
    render_index,
    render_run_summary,
)
from .serialize import dumps, run_to_dict
from .source import GitSource, check_repository, open_source
from .store import PageIndex, Skipped, SnapshotStore, revision_entry


@dataclass(frozen=True, slots=True)
class PageTarget:
    """One page in one locale, as configured."""

    document: str
    locale: str
    repository: str
    ref: str | None
    path: str
    aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(slots=True)
class PageUpdate:
    """What one run did to one page and locale."""

    document: str
    locale: str
    status: str = "unchanged"  # unchanged | updated | failed
    changed_dates: list[str] = field(default_factory=list)
    files_written: int = 0
    new_commits: list[str] = field(default_factory=list)
    rewritten: bool = False
    skipped: int = 0
    error: str | None = None


@dataclass(slots=True)
class RunSummary:
    pages: list[PageUpdate] = field(default_factory=list)

    @property
    def failed(self) -> list[PageUpdate]:
        return [page for page in self.pages if page.status == "failed"]


class _Revisions(Protocol):
    """Where a walk keeps the revision of each date while it assembles them."""

    def load(self, date: str) -> Revision | None: ...

    def save(self, revision: Revision) -> None: ...


class _InMemory:
    def __init__(self) -> None:
        self.by_date: dict[str, Revision] = {}

    def load(self, date: str) -> Revision | None:
        return self.by_date.get(date)

    def save(self, revision: Revision) -> None:
        self.by_date[revision.date] = revision


class _Stored:
    """Revisions on disk; in a full re-walk, only what this walk wrote is trusted."""

    def __init__(
        self,
        store: SnapshotStore,
        target: PageTarget,
        entries: dict[str, dict[str, object]],
        trust_existing: bool,
    ) -> None:
        self.store, self.target, self.entries = store, target, entries
        self.trust_existing = trust_existing
        self.written: set[str] = set()
        self.files_written = 0

    def load(self, date: str) -> Revision | None:
        if not (self.trust_existing or date in self.written):
            return None
        return self.store.load_revision(self.target.document, self.target.locale, date)

    def save(self, revision: Revision) -> None:
        if self.store.write_revision(self.target.document, self.target.locale, revision):
            self.files_written += 1
        self.written.add(revision.date)
        self.entries[revision.date] = revision_entry(revision)


@dataclass(slots=True)
class _Walk:
    """Folds a page's commits, oldest first, into dated revisions, one date in memory at a time."""

    target: PageTarget
    revisions: _Revisions
    latest: str | None = None
    current: Revision | None = None
    notes: list[HistoryNote] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def add(self, page_commit: PageCommit, snapshot: Snapshot) -> None:
        ref = commit_ref(page_commit)
        date, source, notes = dated(snapshot, ref)
        backwards = backwards_note(date, self.latest, ref)
        self.notes.extend([*notes, *([backwards] if backwards else [])])
        self.latest = max(date, self.latest or date)
        if self.current is None or self.current.date != date:
            self.flush()
            self.current = self.revisions.load(date)
        self.current = merge(self.current, date, source, ref, snapshot)
        if date not in self.changed:
            self.changed.append(date)

    def skip(self, page_commit: PageCommit, reason: str) -> None:
        self.skipped.append(Skipped(page_commit.commit, page_commit.path, reason))
        self.notes.append(
            HistoryNote(
                "revision-skipped",
                Severity.ERROR,
                page_commit.commit,
                f"{page_commit.path} at {page_commit.commit[:12]}: {reason}",
            )
        )

    def flush(self) -> None:
        if self.current is not None:
            self.revisions.save(self.current)
            self.current = None


def _snapshots(
    source: GitSource, commits: Sequence[PageCommit], target: PageTarget
) -> Iterable[tuple[PageCommit, Snapshot | InputError]]:
    """Each commit with its parsed text (or why it could not be read), reading each blob once."""
    source.prefetch(c.blob for c in commits if c.blob)
    previous: tuple[str, Snapshot] | None = None
    for page_commit in commits:
        ref = commit_ref(page_commit)
        if page_commit.blob is None:
            yield page_commit, deleted_snapshot(ref)
            continue
        if previous is not None and previous[0] == page_commit.blob:  # a pure rename or revert
            source_info = replace(previous[1].source, commit=ref.commit, path=ref.path)
            yield page_commit, replace(previous[1], source=source_info)
            continue
        try:
            snapshot = parse_page(
                source.read_blob(page_commit.blob),
                path=page_commit.path,
                locale=target.locale,
                aliases=target.aliases,
                commit=page_commit.commit,
                blob=page_commit.blob,
            )
        except InputError as error:
            yield page_commit, error
            continue
        previous = (page_commit.blob, snapshot)
        yield page_commit, snapshot


def _fold(walk: _Walk, source: GitSource, commits: Sequence[PageCommit]) -> None:
    for page_commit, result in _snapshots(source, commits, walk.target):
        if isinstance(result, InputError):
            walk.skip(page_commit, result.detail)
        else:
            walk.add(page_commit, result)
    walk.flush()


def renames(commits: Iterable[PageCommit]) -> list[Rename]:
    return [
        Rename(c.commit, c.previous_path, c.path)
        for c in commits
        if c.status == "R" and c.previous_path
    ]


# --- listing a history without a store ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryListing:
    revisions: list[Revision]
    renames: list[Rename]
    notes: list[HistoryNote]
    skipped: list[Skipped]


def walk_history(source: GitSource, target: PageTarget) -> HistoryListing:
    head = source.resolve(target.ref)
    commits = source.page_commits(head, target.path)
    memory = _InMemory()
    walk = _Walk(target, memory)
    _fold(walk, source, commits)
    ordered = [memory.by_date[date] for date in sorted(memory.by_date)]
    return HistoryListing(ordered, renames(commits), walk.notes, walk.skipped)


# --- keeping the store up to date --------------------------------------------------------------


def update_page(source: GitSource, store: SnapshotStore, target: PageTarget) -> PageUpdate:
    """Take in the page's new commits; with nothing new, read no blob and write no file."""
    head = source.resolve(target.ref)
    index = store.load_index(target.document, target.locale)
    if index is not None and _up_to_date(index, target, head):
        return PageUpdate(target.document, target.locale)
    rewritten = index is not None and _rewritten(source, index, head)
    previous = None if index is None or rewritten or _config_changed(index, target) else index
    commits = source.page_commits(head, target.path)
    known = previous.known_commits() if previous else set()
    new_commits = [c for c in commits if c.commit not in known]
    entries = {e["date"]: e for e in previous.revisions} if previous else {}
    stored = _Stored(store, target, entries, trust_existing=previous is not None)
    walk = _Walk(target, stored, latest=max(entries, default=None))
    _fold(walk, source, new_commits)
    notes = (previous.notes if previous else []) + walk.notes
    if rewritten:
        notes.append(_rewritten_note(index, target))
    new_index = PageIndex(
        document=target.document,
        locale=target.locale,
        repository=target.repository,
        ref=target.ref,
        path=target.path,
        parser_version=PARSER_VERSION,
        last_commit=head,
        revisions=[entries[date] for date in sorted(entries)],
        renames=renames(commits),
        skipped=(previous.skipped if previous else []) + walk.skipped,
        notes=notes,
    )
    files_written = stored.files_written + int(store.write_index(new_index))
    return PageUpdate(
        target.document,
        target.locale,
        status="updated" if files_written else "unchanged",
        changed_dates=sorted(walk.changed),
        files_written=files_written,
        new_commits=[c.commit for c in new_commits],
        rewritten=rewritten,
        skipped=len(walk.skipped),
    )


def _rewritten(source: GitSource, index: PageIndex, head: str) -> bool:
    """True when the last processed commit is gone from the history (a force-push upstream)."""
    last = index.last_commit
    return last is not None and not (source.has_commit(last) and source.is_ancestor(last, head))


def _rewritten_note(index: PageIndex | None, target: PageTarget) -> HistoryNote:
    return HistoryNote(
        "history-rewritten",
        Severity.WARNING,
        index.last_commit if index else None,
        f"the last processed commit is no longer in the history of {target.ref or 'HEAD'}; "
        "the page was walked again in full",
    )


def _up_to_date(index: PageIndex, target: PageTarget, head: str) -> bool:
    return index.last_commit == head and not _config_changed(index, target)


def _config_changed(index: PageIndex, target: PageTarget) -> bool:
    return (index.parser_version, index.path, index.ref) != (
        PARSER_VERSION,
        target.path,
        target.ref,
    )


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
    return PageUpdate(target.document, target.locale, status="failed", error=str(error))


# --- reports -----------------------------------------------------------------------------------


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


def _latest_by_locale(pages: Sequence[PageChangelog], document: str) -> dict[str, Snapshot]:
    return {
        page.locale: page.latest.revision.snapshot
        for page in pages
        if page.document == document and page.latest is not None
    }


def render_reports(config: Config, pages: Sequence[PageChangelog]) -> dict[str, str]:
    """Every report, by its path under the reports folder."""
    env = make_environment(config.templates)
    outputs: dict[str, str] = {}
    for page in pages:
        for output_format in ("md", "html"):
            name = f"{page.document}/{page.locale}/CHANGELOG.{output_format}"
            outputs[name] = render_changelog(page, output_format, env)
    links = []
    for document in config.documents:
        if len(document.locales) < 2:
            continue
        result = consistency(_latest_by_locale(pages, document.id))
        title = next((p.title for p in pages if p.document == document.id and p.title), None)
        title = title or document.id
        for output_format in ("md", "html"):
            outputs[f"{document.id}/consistency.{output_format}"] = render_consistency(
                result, output_format, title=title, env=env
            )
        links.append((f"Where the locales of {title} disagree", f"{document.id}/consistency.html"))
    for output_format in ("md", "html"):
        outputs[f"index.{output_format}"] = render_index(pages, output_format, links, env=env)
    outputs["feed.xml"] = render_feed(pages, env)
    return outputs


def write_outputs(root: Path, outputs: Mapping[str, str]) -> int:
    """Write each output atomically, skipping those already identical; returns files written."""
    root = root.resolve()
    written = 0
    for name, text in sorted(outputs.items()):
        target = (root / name).resolve()
        if not target.is_relative_to(root):
            raise InputError(f"{name} would be written outside {root}")
        written += write_atomic(target, text.encode("utf-8"))
    return written


def write_reports(config: Config) -> tuple[int, list[PageChangelog]]:
    """Render every report from the stored snapshots (git is not read)."""
    pages = load_changelogs(config)
    return write_outputs(config.reports, render_reports(config, pages)), pages


# --- a whole run -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunOutcome:
    summary: RunSummary
    new_texts: tuple[NewText, ...]
    reports_written: int

    @property
    def shifts(self) -> list[NewText]:
        return [text for text in self.new_texts if text.has_shifts]

    @property
    def changes(self) -> dict[str, int]:
        """Changes this run took in, by severity."""
        counts = {"major": 0, "minor": 0, "editorial": 0}
        for text in self.new_texts:
            if text.step.diff is not None:
                counts["major"] += text.step.diff.summary.major
                counts["minor"] += text.step.diff.summary.minor
                counts["editorial"] += text.step.diff.summary.editorial
        return counts

    @property
    def shift_count(self) -> int:
        return self.changes["major"] + self.changes["minor"]

    @property
    def did_something(self) -> bool:
        return any(page.status != "unchanged" for page in self.summary.pages)


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


# --- revisions for the diligence views ---------------------------------------------------------


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
