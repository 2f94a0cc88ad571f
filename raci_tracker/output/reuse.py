"""Which report files a run need not render again: each file of a page's folder gets a key over
everything it is rendered from, and a file whose key is the one it was last rendered with (and
whose bytes are still those written then) is left as it is.

A key covers the rendering environment (raci-tracker's version, the config file, the user's
templates: `stamp.environment_digest`) and the file's own inputs: for a changelog page, the
page's title and permalink, which revisions it holds and, for each of their texts, the stored
object it was read from (`TextId`), so a text re-parsed into another object changes the key;
for a page's home, every revision of the page and what the home shows beside them. A text with
no known object makes its files render every time. The feed has its key too (`feed.py`), and
so have a document's consistency grids (its locales' latest texts); the index is rendered on
every run that renders at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from raci_tracker.compare.changelog import Entry, PageChangelog, commit_day
from raci_tracker.output.activity import ActivityEvent
from raci_tracker.output.pages import Home
from raci_tracker.output.paging import ChangelogPage

TextId = Callable[[str], str | None]
"""What names a text's content for good, by the commit the store names the text by: the
address of its stored object (None: unknown)."""
PageTextId = Callable[[PageChangelog, str], str | None]
"""The same, for a text of a page."""


@dataclass(frozen=True, slots=True)
class KeptHomes:
    """Where each page's history folded for its home is kept between runs (`homefold`): read
    (None: none kept) and written by document and locale."""

    load: Callable[[str, str], bytes | None]
    keep: Callable[[str, str, Iterable[bytes]], None]


RenderedEntry = tuple[str, str]
"""A feed entry as rendered: its summary and its HTML."""

Shown = TypeVar("Shown")
KeptText = Callable[[Shown, Callable[[], str]], str]
"""A part of a file rendered on its own, by what it shows (a changelog's revision, an
activity's history on the home): as kept from an earlier render, or rendered now by the
callable."""


def rendered_now(shown: object, render: Callable[[], str]) -> str:
    """No part is kept: each is rendered."""
    return render()


PageParts = Mapping[str, Mapping[str, str]]
"""A page's parts rendered on their own: by kind (`HISTORIES`, `EVENTS`, `ENTRIES`), then by
key."""
HISTORIES, EVENTS, ENTRIES = "histories", "events", "entries"


@dataclass(frozen=True, slots=True)
class HomeTexts:
    """How a home's parts come: each activity's history, by the activity's id, and each line
    of it, by its event."""

    history: KeptText[str] = rendered_now
    line: KeptText[ActivityEvent] = rendered_now


@dataclass(frozen=True, slots=True)
class KeptParts:
    """Where each page's parts rendered on their own are kept between runs: read (empty: none
    kept) and written, by document and locale."""

    load: Callable[[str, str], PageParts]
    keep: Callable[[str, str, PageParts], None]


@dataclass(frozen=True, slots=True)
class KeptEntries:
    """Where the feed's entries, as last rendered, are kept between runs, by key
    (`feed.feed_entries`): read (empty: none kept) and written, the feed's entries only."""

    load: Callable[[], Mapping[str, RenderedEntry]]
    keep: Callable[[Mapping[str, RenderedEntry]], None]


@dataclass(frozen=True, slots=True)
class Reuse:
    """What a run may leave unrendered: `environment` is the rendering environment's digest,
    and `current(name, key)` says whether the file `name` was last rendered from `key` and
    still holds what was written then; `homes`, where the pages' homes keep their folds;
    `entries`, where the feed keeps its entries; `parts`, where the pages keep the parts of
    their files rendered on their own."""

    environment: str
    text_id: PageTextId
    current: Callable[[str, str], bool] = field(default=lambda name, key: False)
    homes: KeptHomes | None = None
    entries: KeptEntries | None = None
    parts: KeptParts | None = None


def key_of(parts: Iterable[object]) -> str:
    """A key over `parts`, each by its `repr`."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def entry_fingerprint(entry: Entry, text_id: TextId) -> str | None:
    """Everything an entry is made of, with each text named by its object; None when a text
    has none (the entry is then rendered every time)."""
    revision = entry.head
    parts: list[object] = [
        (revision.date, revision.date_source, revision.status, revision.key),
        (revision.ref, revision.commits, revision.notes),
    ]
    for step in entry.steps:
        texts = (text_id(step.text.commit), text_id(step.previous.commit) if step.previous else "")
        if None in texts:
            return None
        parts.append((step.ref, step.silent, texts))
    return key_of(parts)


class PageKeys:
    """The keys of one page's files, its entries' fingerprints worked out once."""

    def __init__(self, page: PageChangelog, reuse: Reuse) -> None:
        self.page, self.reuse = page, reuse
        text_id: TextId = lambda commit: reuse.text_id(page, commit)  # noqa: E731
        self.prints = [entry_fingerprint(entry, text_id) for entry in page.entries]
        self._print_of = {id(entry): p for entry, p in zip(page.entries, self.prints, strict=True)}

    def _key(self, name: str, extra: object, prints: Sequence[str | None]) -> str | None:
        if None in prints:
            return None
        page = self.page
        head = (self.reuse.environment, name, page.document, page.locale, page.title)
        return key_of([head, page.permalink, extra, prints])

    def part(self, part: ChangelogPage, name: str) -> str | None:
        """A changelog page: the page it belongs to, its place and its revisions."""
        extra: tuple[object, ...] = (part.number, part.first, part.last)
        if not part.archive:  # the newest page links the latest archive and says the latest day
            extra += (part.archives, _data_day(self.page))
        return self._key(name, extra, self.prints[part.first - 1 : part.last])

    def entry(self, entry: Entry, output_format: str) -> str | None:
        """A revision's section of a changelog page: the revision, and where its commits link."""
        page, fingerprint = self.page, self._print_of.get(id(entry))
        if fingerprint is None:
            return None
        head = (self.reuse.environment, ENTRIES, output_format, page.permalink, page.locale)
        return key_of([head, fingerprint])

    def home(self, name: str, shown: Sequence[object]) -> str | None:
        """A page's home: every revision of the page, and `shown`, what the home says beside
        them (the document's locales, whether they are compared, a failure)."""
        return self._key(name, tuple(shown), self.prints)


def latest_key(
    name: str, pages: Sequence[PageChangelog], reuse: Reuse, shown: object
) -> str | None:
    """The key of a file rendered from each page's latest text (a document's consistency grid):
    the environment, `shown`, and each latest text by its object (None: a text without one)."""
    parts: list[object] = [reuse.environment, name, shown]
    for page in pages:
        if page.latest is None:
            continue
        text = reuse.text_id(page, page.latest.steps[-1].text.commit)
        if text is None:
            return None
        parts.append((page.document, page.locale, text))
    return key_of(parts)


class Taken:
    """Parts of one `kind`, by key: those `kept` from the last render are taken as they were,
    any other is rendered; those taken for keeping are `made`, kept for the next render."""

    def __init__(self, kind: str, kept: Mapping[str, str]) -> None:
        self.kind, self.kept = kind, kept
        self.made: dict[str, str] = {}
        self.taken = False

    def take(self, key: str | None, render: Callable[[], str], keep: bool = True) -> str:
        text = self.kept.get(key) if key is not None else None
        if text is None:
            text = render()
        if keep:
            self.taken = True
            if key is not None:
                self.made[key] = text
        return text

    def now(self) -> Mapping[str, str]:
        """What to keep: those made, where parts of this kind were taken for keeping; else those
        kept, untouched."""
        return self.made if self.taken else self.kept


class Parts:
    """One page's parts rendered on their own, kept from one run to the next: its home's
    activity histories and their lines, and the revisions of its newest changelog page. An
    archive page, once they move there, takes them but keeps none: no later run renders it
    again. A history whose links moved (a changelog page started) is made again from its
    lines, and only the lines whose link moved are rendered."""

    def __init__(self, page: PageChangelog, keys: PageKeys | None) -> None:
        self.page, self.keys = page, keys
        self.where = keys.reuse.parts if keys else None
        kept = self.where.load(page.document, page.locale) if self.where else {}
        self.kinds = {
            kind: Taken(kind, kept.get(kind, {})) for kind in (HISTORIES, EVENTS, ENTRIES)
        }
        self._shown: dict[int, str] = {}

    def entry(self, output_format: str, part: ChangelogPage) -> KeptText[Entry]:
        keys, entries = self.keys, self.kinds[ENTRIES]
        if keys is None or (part.archive and not entries.kept):  # nothing to take or keep
            return rendered_now
        keep = not part.archive
        return lambda entry, render: entries.take(keys.entry(entry, output_format), render, keep)

    def home(self, view: Home, output_format: str) -> HomeTexts:
        """A history on the home: its lines and what it says of earlier events. A line: its
        event, and how the home names and links it (the parties' names, its revision's
        changelog page, its commit)."""
        if self.keys is None:
            return HomeTexts()
        page, hrefs = self.page, view.hrefs[output_format]
        head = (self.keys.reuse.environment, output_format, page.permalink, page.locale)
        named = key_of([head, view.names])

        def line_key(event: ActivityEvent) -> str:
            return key_of([named, hrefs.get(event.key), self._shown_key(event)])

        def history_key(activity: str) -> str:
            events, earlier = view.histories.get(activity, ()), view.earlier.get(activity)
            before = (earlier.count, earlier.since, line_key(earlier.newest)) if earlier else None
            return key_of([named, [line_key(event) for event in events], before])

        histories, lines = self.kinds[HISTORIES], self.kinds[EVENTS]
        return HomeTexts(
            lambda activity, render: histories.take(history_key(activity), render),
            lambda event, render: lines.take(line_key(event), render),
        )

    def _shown_key(self, event: ActivityEvent) -> str:
        """The event's own key, the same for both formats: its repr is most of the work."""
        shown = self._shown.get(id(event))
        if shown is None:
            shown = self._shown[id(event)] = key_of([event])
        return shown

    def keep(self) -> None:
        """Keep the parts for the next run, where they changed."""
        now = {kind: taken.now() for kind, taken in self.kinds.items()}
        changed = any(now[kind].keys() != taken.kept.keys() for kind, taken in self.kinds.items())
        if self.where is not None and changed:
            self.where.keep(self.page.document, self.page.locale, now)


def _data_day(page: PageChangelog) -> str | None:
    refs = [entry.head.ref for entry in page.entries]
    return commit_day(max(refs, key=lambda ref: ref.commit_time)) if refs else None


def unchanged(keys: Mapping[str, str | None], reuse: Reuse) -> set[str]:
    """The files whose key is the one they were last rendered from."""
    return {name for name, key in keys.items() if key is not None and reuse.current(name, key)}
