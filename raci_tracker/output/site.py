"""The report plan: which files a run renders, named how, with which links between them.

```
index.md/.html                      every document, its locales as rows
feed.xml                            responsibility shifts (Atom), the newest 100
<doc>/consistency.md/.html          where the locales disagree, as a grid
<doc>/<locale>/index.md/.html       the page's home: matrix, findings, timeline, histories
<doc>/<locale>/CHANGELOG.md/.html   the newest revisions; CHANGELOG-1-25, -26-50... the older
```
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from raci_tracker.compare.changelog import Entry, PageChangelog
from raci_tracker.compare.diligence import Consistency, consistency
from raci_tracker.config import Config, DocumentConfig
from raci_tracker.output.diligence import render_consistency
from raci_tracker.output.feed import FEED, feed_entries, feed_key, feed_listing, feed_prints
from raci_tracker.output.homefold import HomeFold, HomeFolding, fold_from_bytes, fold_pieces
from raci_tracker.output.pages import DocumentGroup, home
from raci_tracker.output.paging import ChangelogPage, changelog_pages
from raci_tracker.output.prose import PartyNames, open_findings
from raci_tracker.output.render import (
    Templates,
    make_environment,
    render_changelog,
    render_feed,
    render_home,
    render_template,
)
from raci_tracker.output.reuse import PageKeys, Parts, Reuse, latest_key, unchanged
from raci_tracker.output.status import SiteStatus

FORMATS = ("md", "html")
COMPILED = "templates"
"""The cache folder's compiled templates."""


def _latest_by_locale(pages: Sequence[PageChangelog]) -> dict[str, Any]:
    return {p.locale: p.latest.snapshot for p in pages if p.latest is not None}


def _page_keys(
    page: PageChangelog, parts: Sequence[ChangelogPage], shown: Sequence[object], keys: PageKeys
) -> dict[str, str | None]:
    """Each file of the page's folder and the key of what it is rendered from."""
    folder = f"{page.document}/{page.locale}"
    names: dict[str, str | None] = {}
    for output_format in FORMATS:
        for part in parts:
            name = f"{folder}/{part.name(output_format)}"
            names[name] = keys.part(part, name)
        names[f"{folder}/index.{output_format}"] = keys.home(
            f"{folder}/index.{output_format}", shown
        )
    return names


def _page_reports(
    page: PageChangelog,
    document: DocumentConfig,
    group: DocumentGroup,
    env: Templates,
    reuse: Reuse | None,
    out: PageOut,
) -> dict[str, str | None]:
    """Every file's key; the page's files that changed (every file without `reuse`) go `out`
    as they are rendered, a changelog page at a time, so a long history's are not all held at
    once."""
    folder = f"{page.document}/{page.locale}"
    failed = group.failed.get(page.locale)
    shown = (tuple(document.locales), group.consistency is not None, failed)
    parts = changelog_pages(page)
    page_keys = PageKeys(page, reuse) if reuse else None
    keys = _page_keys(page, parts, shown, page_keys) if page_keys else {}
    keep = unchanged(keys, reuse) if reuse else set()
    kept = Parts(page, page_keys)
    homes = [(f"{folder}/index.{f}", f) for f in FORMATS if f"{folder}/index.{f}" not in keep]
    folding = home_folding(page, reuse) if homes else None
    for part in reversed(parts):  # the oldest first, as the home folds them
        out.take(_changelog_files(page, part, env, kept, keep))
        if folding is not None:
            folding.through(part.last)
        if out.shows is not None:
            out.shows(part.entries)
        if part.archive:  # shown again by no other file: a long history is not held whole
            part.forget_texts()
    if folding is not None:
        fold = kept_fold(page, reuse, folding)
        view = home(page, document.locales, group.consistency is not None, failed, fold)
        out.take({name: render_home(env, view, f, kept.home(view, f)) for name, f in homes})
    kept.keep()
    return keys


def _changelog_files(
    page: PageChangelog, part: ChangelogPage, env: Templates, kept: Parts, keep: Container[str]
) -> dict[str, str]:
    """A changelog page's files, but those in `keep`."""
    folder = f"{page.document}/{page.locale}"
    names = [(f"{folder}/{part.name(f)}", f) for f in FORMATS]
    return {
        n: render_changelog(page, f, env, part, kept.entry(f, part))
        for n, f in names
        if n not in keep
    }


def home_folding(page: PageChangelog, reuse: Reuse | None) -> HomeFolding:
    """The page's history to fold for its home: from the fold kept last, where `reuse` keeps
    folds and it still holds; else from the first text."""
    if reuse is None or reuse.homes is None:
        return HomeFolding(page)
    kept = fold_from_bytes(reuse.homes.load(page.document, page.locale))
    return HomeFolding(page, kept, reuse.text_id, reuse.environment)


def kept_fold(page: PageChangelog, reuse: Reuse | None, folding: HomeFolding) -> HomeFold:
    """The page's history folded, kept for the next run where it changed."""
    fold = folding.done()
    homes = reuse.homes if reuse else None
    if homes is not None and fold.chain is not None and (fold.steps, fold.chain) != folding.was:
        homes.keep(page.document, page.locale, fold_pieces(fold))
    return fold


def _group(
    document: DocumentConfig, pages: Sequence[PageChangelog], status: SiteStatus
) -> DocumentGroup:
    latest = _latest_by_locale(pages)
    title = next((p.title for p in pages if p.title), None) or document.id
    failed = {loc: error for (doc, loc), error in status.failed.items() if doc == document.id}
    result = consistency(latest) if len(document.locales) > 1 and len(latest) > 1 else None
    return DocumentGroup(document.id, title, tuple(pages), failed, result)


def _grids(group: DocumentGroup, env: Templates, reuse: Reuse | None) -> Site:
    """A document's consistency grids, unless its locales' latest texts are those they were last
    rendered from."""
    if group.consistency is None:
        return Site({}, {})
    names = [f"{group.id}/consistency.{output_format}" for output_format in FORMATS]
    keys = {
        name: latest_key(name, group.pages, reuse, group.title) if reuse else None for name in names
    }
    result = group.consistency
    return _unless_current(keys, reuse, lambda: _consistency_reports(group, result, env))


def _consistency_reports(
    group: DocumentGroup, result: Consistency, env: Templates
) -> dict[str, str]:
    names = PartyNames.of(*_latest_by_locale(group.pages).values())
    return {
        f"{group.id}/consistency.{output_format}": render_consistency(
            result, output_format, title=group.title, env=env, names=names, home="../index"
        )
        for output_format in FORMATS
    }


@dataclass(frozen=True, slots=True)
class Site:
    """The files a render made (`outputs`, by path under the reports folder; the pages' own
    files only by their SHA-256, `digests`, when they went to a `Sink`) and the key of what each
    of the pages' files is rendered from (None: no key, rendered every time)."""

    outputs: dict[str, str]
    keys: dict[str, str | None]
    digests: dict[str, str] = field(default_factory=dict)

    def add(self, other: Site) -> None:
        self.outputs.update(other.outputs)
        self.keys.update(other.keys)
        self.digests.update(other.digests)

    def rendered(self, name: str) -> str | None:
        """The SHA-256 of the file `name` made by this render; None when it was not."""
        if name in self.outputs:
            return sha256_of(self.outputs[name])
        return self.digests.get(name)


Text = str | Iterable[str]
"""A file's text: whole, or in pieces as it is rendered (a home: `render_home`)."""

Sink = Callable[[Mapping[str, Text]], None]
"""Where a page's files go as soon as they are rendered (the run writes them), a changelog page
or a home at a time: a render then holds one such file, in both formats, not a page's whole
history nor the whole site's. A home comes in pieces as it is rendered: the sink reads them
before it returns, and the render takes their SHA-256 as they pass."""


Shows = Callable[[PageChangelog, Sequence[Entry], Templates], None]
"""What a later step shows of a changelog page's revisions (a run's summary of the texts it took
in), taken once the page is rendered, while their texts and diffs are read: an archive page's
go right after."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a render's results go: what a later step takes of each changelog page's revisions
    (`shows`), and where each page's files go (`sink`; None: into `Site.outputs`)."""

    shows: Shows | None = None
    sink: Sink | None = None


@dataclass(frozen=True, slots=True)
class PageOut:
    """Where a page's files go as they are rendered (`take`), and what is taken of each
    changelog page's revisions before their diffs go (`shows`, given the page's revisions)."""

    take: Callable[[Mapping[str, Text]], None]
    shows: Callable[[Sequence[Entry]], None] | None = None


IN_MEMORY = Delivery()
"""Every page's files kept in `Site.outputs`, no page's texts kept read."""


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stale_changelogs(reports: Path, site: Site, pages: Sequence[PageChangelog]) -> list[Path]:
    """Changelog pages a page's folder holds that the site no longer has: archive pages of a
    history since shortened (a rewrite), or named as an earlier version named them. Left in
    place, they would show revisions that are not in the history, as the latest."""
    stale = []
    for page in pages:
        folder = f"{page.document}/{page.locale}"
        for output_format in FORMATS:
            for path in sorted((reports / folder).glob(f"CHANGELOG*.{output_format}")):
                if f"{folder}/{path.name}" not in site.keys and path.is_file():
                    stale.append(path)
    return stale


def render_site(
    config: Config,
    pages: Sequence[PageChangelog],
    status: SiteStatus | None = None,
    reuse: Reuse | None = None,
    delivery: Delivery = IN_MEMORY,
) -> Site:
    """Every report, but with `reuse` the pages' files, the feed and the consistency grids
    rendered last from the same inputs; the index always. The texts read for a page's files are
    let go once they are rendered, and an archive page's diffs too, once `delivery` took what it
    `shows` of them; with its `sink`, each changelog page and home goes there once rendered."""
    env = make_environment(config.templates, config.cache / COMPILED)
    status = status or SiteStatus()
    documents = [(d, [p for p in pages if p.document == d.id]) for d in config.documents]
    groups = [_group(document, own, status) for document, own in documents]
    # the shared reports first: what they show of each page (its newest texts, those the feed
    # lists) is then at hand for its files, and each page's texts can go once it is rendered
    feed = _feed(config, pages, env, reuse)
    site = Site({**_index_reports(config, groups, pages, status, env), **feed.outputs}, feed.keys)
    for (document, _), group in zip(documents, groups, strict=True):
        site.add(_document_reports(document, group, env, reuse, delivery))
    return site


def render_document(
    config: Config,
    document: DocumentConfig,
    pages: Sequence[PageChangelog],
    status: SiteStatus,
    reuse: Reuse,
    delivery: Delivery,
) -> Site:
    """One document's own files, its pages' and its consistency grids, as `render_site` renders
    them with the same inputs (a worker of a parallel run renders them so: `app.parallel`)."""
    env = make_environment(config.templates, config.cache / COMPILED)
    return _document_reports(document, _group(document, pages, status), env, reuse, delivery)


def _document_reports(
    document: DocumentConfig,
    group: DocumentGroup,
    env: Templates,
    reuse: Reuse | None,
    delivery: Delivery,
) -> Site:
    site = Site({}, {})
    for page in group.pages:
        out = PageOut(lambda files: _take(site, files, delivery.sink), _shows(delivery, page, env))
        keys = _page_reports(page, document, group, env, reuse, out)
        page.forget_texts()
        site.keys.update(keys)
    site.add(_grids(group, env, reuse))
    return site


def _shows(
    delivery: Delivery, page: PageChangelog, env: Templates
) -> Callable[[Sequence[Entry]], None] | None:
    shows = delivery.shows
    if shows is None:
        return None
    return lambda entries: shows(page, entries, env)


def _take(site: Site, outputs: Mapping[str, Text], sink: Sink | None) -> None:
    if not outputs:
        return
    if sink is None:
        site.outputs.update((name, _whole(text)) for name, text in outputs.items())
        return
    hashed = {name: _Hashed(text) for name, text in outputs.items()}
    sink({name: file.text for name, file in hashed.items()})
    site.digests.update((name, file.hexdigest()) for name, file in hashed.items())


def _whole(text: Text) -> str:
    return text if isinstance(text, str) else "".join(text)


class _Hashed:
    """A file's text on its way to a sink, and its SHA-256, taken as the sink reads it: a text
    in pieces is hashed a piece at a time, never whole."""

    def __init__(self, text: Text) -> None:
        self._sha = hashlib.sha256()
        if isinstance(text, str):
            self._sha.update(text.encode("utf-8"))
            self.text: Text = text
        else:
            self.text = self._passing(text)

    def _passing(self, pieces: Iterable[str]) -> Iterator[str]:
        for piece in pieces:
            self._sha.update(piece.encode("utf-8"))
            yield piece

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def _index_reports(
    config: Config,
    groups: Sequence[DocumentGroup],
    pages: Sequence[PageChangelog],
    status: SiteStatus,
    env: Templates,
) -> dict[str, str]:
    return {
        f"index.{output_format}": render_template(
            env,
            f"index.{output_format}.j2",
            groups=groups,
            pages=pages,
            checked=status.checked,
            open_findings=open_findings,
        )
        for output_format in FORMATS
    }


def _feed(
    config: Config, pages: Sequence[PageChangelog], env: Templates, reuse: Reuse | None
) -> Site:
    """The feed, unless the revisions it lists are those it was last rendered from."""
    listed = feed_listing(pages)
    if reuse is None:
        return Site({FEED: render_feed(pages, env, config.base_url, listed)}, {FEED: None})
    prints = feed_prints(listed, reuse)
    keys = {FEED: feed_key(listed, prints, reuse, config.base_url)}
    kept = feed_entries(listed, prints, reuse)
    return _unless_current(
        keys, reuse, lambda: {FEED: render_feed(pages, env, config.base_url, listed, kept)}
    )


def _unless_current(
    keys: dict[str, str | None], reuse: Reuse | None, render: Callable[[], dict[str, str]]
) -> Site:
    """The files `render` makes, unless every one is current (`reuse.unchanged`)."""
    if reuse is not None and set(keys) <= unchanged(keys, reuse):
        return Site({}, keys)
    return Site(render(), keys)
