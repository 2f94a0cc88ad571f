"""Where the diligence and history use cases read a page: the store, or a repository straight
from git; and the dates a user gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from raci_tracker.config import DEFAULT_CACHE, Config, check_page_path, load_config
from raci_tracker.errors import InputError, UsageError
from raci_tracker.files import guess_locale
from raci_tracker.history.repositories import check_repository
from raci_tracker.history.source import open_source
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import (
    HistoryListing,
    HistoryOutline,
    PageTarget,
    outline_history,
    walk_history,
)
from raci_tracker.model import Revision
from raci_tracker.page.dates import iso_date


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


def page_outline(
    repository: str, page_path: str, ref: str | None, locale: str | None, cache: Path
) -> HistoryOutline:
    """`raci-tracker history` on the command line: what `page_history` lists, without holding
    every revision's snapshot (a long history costs time, not memory)."""
    chosen = locale or guess_locale(Path(page_path)) or ""
    target = PageTarget("history", chosen, repository, ref, check_page_path(page_path))
    with open_source(check_repository(repository), cache, ref) as source:
        return outline_history(source, target)


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
