"""What the Atom feed lists: the newest `FEED_SIZE` revisions whose R, A, C or I moved, across
every page, newest first, each with its id, time and link; and the key of what the feed is
rendered from, so a run whose new texts moved no letter leaves `feed.xml` as it is. Neither
reads a text: the entries' names and sections come from the diffs' outlines (ADR 14)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from raci_tracker.compare.changelog import Entry, PageChangelog
from raci_tracker.output.paging import revision_hrefs, revision_key
from raci_tracker.output.reuse import KeptEntries, Reuse, TextId, entry_fingerprint, key_of

FEED_TAG = "tag:raci-tracker.invalid,2026"
FEED_SIZE = 100
"""The feed's entries: readers poll it often, so the latest shifts are enough."""
FEED = "feed.xml"
FEED_ENTRY = "feed entry"


@dataclass(frozen=True, slots=True)
class Listed:
    """A revision the feed lists: its page, its entry, and its changelog's path in the site."""

    page: PageChangelog
    entry: Entry
    local: str

    @property
    def id(self) -> str:
        revision = self.entry.head
        where = f"{self.page.document}/{self.page.locale}"
        return f"{FEED_TAG}:{where}/{revision.key or revision.date}"

    @property
    def updated(self) -> int:
        """The time of its last commit."""
        return max(step.ref.commit_time for step in self.entry.steps)


def feed_listing(pages: Sequence[PageChangelog]) -> list[Listed]:
    """The revisions the feed lists, in its order (newest first, then by id)."""
    shifted = [(page, entry) for page in pages for entry in page.entries if entry.has_shifts]
    listed = [Listed(page, entry, "") for page, entry in shifted]
    listed.sort(key=lambda item: (item.updated, item.id), reverse=True)
    return _linked(listed[:FEED_SIZE])


def _linked(listed: Sequence[Listed]) -> list[Listed]:
    hrefs: dict[int, dict[str, str]] = {}
    linked = []
    for item in listed:
        page = item.page
        if id(page) not in hrefs:
            hrefs[id(page)] = revision_hrefs(page)
        page_hrefs = hrefs[id(page)]
        local = f"{page.document}/{page.locale}/{page_hrefs[revision_key(item.entry.head)]}"
        linked.append(Listed(page, item.entry, local))
    return linked


def feed_prints(listed: Sequence[Listed], reuse: Reuse) -> list[str | None]:
    """Each listed revision's fingerprint (`entry_fingerprint`): None for one with a text
    without an object."""
    return [entry_fingerprint(item.entry, _text_id(item.page, reuse)) for item in listed]


def _text_id(page: PageChangelog, reuse: Reuse) -> TextId:
    return lambda commit: reuse.text_id(page, commit)


def feed_key(
    listed: Sequence[Listed], prints: Sequence[str | None], reuse: Reuse, base_url: str | None
) -> str | None:
    """The key of the feed: the rendering environment, where the site is published, and each
    revision listed (`prints`, `feed_prints`), named by its texts' objects."""
    if None in prints:
        return None
    parts: list[object] = [reuse.environment, FEED, base_url]
    for item, printed in zip(listed, prints, strict=True):
        page = item.page
        parts.append((page.document, page.locale, page.title, page.permalink, item.local, printed))
    return key_of(parts)


@dataclass(frozen=True, slots=True)
class FeedEntries:
    """Each listed revision's entry key (None: rendered every time), and where the entries
    rendered before are kept (`reuse.KeptEntries`)."""

    keys: Sequence[str | None]
    kept: KeptEntries


def feed_entries(
    listed: Sequence[Listed], prints: Sequence[str | None], reuse: Reuse
) -> FeedEntries | None:
    """The key of each listed revision's entry as the feed renders it (its summary and HTML,
    not its links, which move when a changelog page starts); None where `reuse` keeps none."""
    if reuse.entries is None:
        return None
    keys = [None if p is None else key_of([reuse.environment, FEED_ENTRY, p]) for p in prints]
    return FeedEntries(keys, reuse.entries)
