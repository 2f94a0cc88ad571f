"""The diligence use cases: net change between two dates (one page or every page), the matrix
in force, one activity's history, and where locales disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from raci_tracker.app.pages import (
    PageQuery,
    _query_revisions,
    checked_date,
    stored_revisions,
    today,
)
from raci_tracker.app.update import targets
from raci_tracker.compare.activity_history import find_activity
from raci_tracker.compare.changelog import permalink
from raci_tracker.compare.diligence import MATRIX_RULES
from raci_tracker.compare.diligence import consistency as check_consistency
from raci_tracker.compare.in_force import Version, check_dates, text_in_force, versions
from raci_tracker.compare.net import deletions, net_change
from raci_tracker.config import load_config
from raci_tracker.errors import InputError
from raci_tracker.history.store import SnapshotStore
from raci_tracker.model import CommitRef, Revision, Snapshot
from raci_tracker.output.diligence import (
    ActivityHistoryView,
    CompareView,
    ConsistencyView,
    MatrixView,
    PortfolioView,
)
from raci_tracker.output.prose import PartyNames


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
    deleted = version.deleted
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
    if version.deleted:
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
