"""A page's changelog read from the store, with the diffs the store keeps: a report never diffs
again two texts it diffed before (docs/decisions/0011-stored-diffs-and-incremental-reports.md).

A diff depends only on the two stored objects, so it is kept under their pair of addresses; a
diff missing (a store written before diffs were kept) or not to be trusted is computed and
written, and the diffs of pairs no longer consecutive are removed. What names each text for
good (its object) lets a run leave alone the report files rendered from the same texts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from raci_tracker.app.diffed import DiffedPages, StoredPage, TextIds
from raci_tracker.compare.changelog import (
    DiffToFind,
    Entry,
    LazyRevision,
    NewText,
    PageChangelog,
    RevisionHead,
    Text,
    build_lazy_entries,
)
from raci_tracker.compare.diff import DIFF_VERSION, diff_snapshots
from raci_tracker.compare.outline import with_outline
from raci_tracker.config import Config
from raci_tracker.errors import OutputError, RaciTrackerError, failure_message
from raci_tracker.history.store import SnapshotStore, StoredRevision
from raci_tracker.history.walk import PageTarget, PageUpdate
from raci_tracker.model import Diff, PageIndex, SeverityCounts, Snapshot
from raci_tracker.output import render, views
from raci_tracker.output.lastrun import ShiftsShown
from raci_tracker.output.reuse import KeptEntries, KeptHomes, KeptParts, Reuse
from raci_tracker.output.site import IN_MEMORY, Delivery, Shows, Site, render_site
from raci_tracker.output.stamp import (
    Rendered,
    environment_digest,
    file_sha256,
    read_entries,
    read_parts,
    record_entries,
    record_parts,
)
from raci_tracker.output.status import SiteStatus
from raci_tracker.recent import Recent

Pair = tuple[str, str]

SharedDiffs = Recent[tuple[str, ...], Diff]
"""Diffs a run computed, by what they follow from: the two blobs, the parser that read them,
the parties' names. Pages whose texts are the same blobs (a copied page, locale variants kept
byte-identical) share them; the locale, the one thing a text's page adds, is the same on both
sides of a diff, so it changes nothing in it."""

DIFFS_SHARED = 256
"""Diffs a run keeps for its next pages."""

DIFFS_HELD = 64
"""A page's diffs found last that a run keeps at hand. The others are read again when a report
asks for them: a diff just computed holds on to parts of both its texts, and a first run over a
long history would hold every text that way."""


def shared_diffs() -> SharedDiffs:
    return Recent(DIFFS_SHARED)


class StoredDiffs:
    """`build_entries`' diff lookup for one page: the store's diff of two objects, or a new one
    (computed, or, with `shared`, taken from another page that diffed the same two blobs) and
    kept. Texts without an object (a deletion) are diffed every time."""

    def __init__(
        self, store: SnapshotStore, index: PageIndex, shared: SharedDiffs | None = None
    ) -> None:
        self.store, self.document, self.locale = store, index.document, index.locale
        self.objects: dict[str, str | None] = {}
        for version in index.versions:
            seen = self.objects.setdefault(version.ref.commit, version.object)
            if seen != version.object:  # one commit, two texts: no address to trust
                self.objects[version.ref.commit] = None
        self.blobs = {v.object: v.ref.blob for v in index.versions if v.object and v.ref.blob}
        self.reading = (index.parser_version, json.dumps(index.parties))
        self.shared: SharedDiffs = Recent(0) if shared is None else shared
        self.used: set[Pair] = set()
        self.computed = 0
        self._last: list[tuple[Text, Snapshot]] = []  # the texts read last, with their snapshots
        self.counts = store.load_counts(self.document, self.locale, DIFF_VERSION)
        self.counted: dict[str, SeverityCounts] = {}  # those of the pairs used
        self.last: Recent[Pair, Diff] = Recent(DIFFS_HELD)  # those found last

    def __call__(self, before: Snapshot, after: Snapshot) -> Diff:
        found = self.of_texts(Text.of(before), Text.of(after))
        return found.find() if isinstance(found, DiffToFind) else found

    def of_texts(self, before: Text, after: Text) -> Diff | DiffToFind:
        """How to find the diff of two texts when something asks for it, with its counts: kept
        in the store (ADR 17), or found now and then kept among the last few (`DIFFS_HELD`). The
        texts are read only when the store has not kept the diff; texts with no stored pair (a
        deletion) give their diff itself."""
        pair = self._pair(before, after)
        if pair is None:
            return diff_snapshots(before.snapshot, after.snapshot)
        self.used.add(pair)
        name = self.store.diff_name(pair)
        known = self.counts.get(name)
        if known is not None:
            self.counted[name] = known
            return DiffToFind(_Finder(self, pair, before, after), known)
        found = self._found(pair, before, after)
        counts = self.counted[name] = found.summary.counts
        self.last.put(pair, found)
        return DiffToFind(_Finder(self, pair, before, after), counts)

    def at_hand(self, pair: Pair, before: Text, after: Text) -> Diff:
        """A diff found this run, among the last few, else read from the store (or found)."""
        found = self.last.get(pair)
        return found if found is not None else self._found(pair, before, after)

    def _found(self, pair: Pair, before: Text, after: Text) -> Diff:
        found = self.store.load_diff(self.document, self.locale, pair, DIFF_VERSION)
        if found is None:
            found = self._computed(pair, before, after)
            self._keep(pair, found)
        return found

    def _computed(self, pair: Pair, before: Text, after: Text) -> Diff:
        """The diff of two texts another page of the run diffed, else computed now."""
        first, second = self.blobs.get(pair[0]), self.blobs.get(pair[1])
        key = (*self.reading, first, second) if first and second else None
        found = self.shared.get(key) if key else None
        if found is None:
            old, new = self._read(before), self._read(after)
            found = with_outline(diff_snapshots(old, new), old, new)
            self.computed += 1
            if key:
                self.shared.put(key, found)
        return found

    def _read(self, text: Text) -> Snapshot:
        """A text's snapshot, not kept by the text: a store without diffs has each of its texts
        read once here, not held all at once, whether its diffs are asked for oldest or newest
        first (one text of each pair is in the pair next to it)."""
        for seen, snapshot in self._last:
            if seen is text:
                return snapshot
        snapshot = text.peek()
        self._last = [*self._last[-1:], (text, snapshot)]
        return snapshot

    def _pair(self, before: Text, after: Text) -> Pair | None:
        first = self.objects.get(before.commit)
        second = self.objects.get(after.commit)
        if first is None or second is None or first == second:
            return None  # a deleted page, or one text: nothing worth keeping
        return first, second

    def _keep(self, pair: Pair, diff: Diff) -> None:
        """A store that cannot be written still gets its reports: the diff is only a shortcut."""
        try:
            self.store.write_diff(self.document, self.locale, pair, diff, DIFF_VERSION)
        except OutputError:
            return

    def let_go(self) -> None:
        """Hold no diff or text found so far: each is found again when asked for."""
        self.last, self.shared, self._last = Recent(DIFFS_HELD), Recent(0), []

    def prune(self) -> int:
        """Remove the diffs this page's history no longer uses."""
        try:
            return self.store.prune_diffs(self.document, self.locale, self.used)
        except OSError:
            return 0

    def keep_counts(self) -> None:
        """Keep the counts of the diffs this page's history uses, read or computed, for the
        next run (unchanged, the file is not written)."""
        try:
            self.store.write_counts(self.document, self.locale, self.counted, DIFF_VERSION)
        except OutputError:
            return


class _Finder:
    """How to find one diff of a page when something asks for it (`StoredDiffs.at_hand`), in one
    small object where a closure took six: a run holds one per text of every page it loads."""

    __slots__ = ("_after", "_before", "_diffs", "_pair")

    def __init__(self, diffs: StoredDiffs, pair: Pair, before: Text, after: Text) -> None:
        self._diffs, self._pair, self._before, self._after = diffs, pair, before, after

    def __call__(self) -> Diff:
        return self._diffs.at_hand(self._pair, self._before, self._after)


def text_ids(index: PageIndex) -> TextIds:
    ids: dict[str, str | None] = {}
    for version in index.versions:
        name = version.object or f"deleted {version.ref.commit} {version.ref.path}"
        if ids.setdefault(version.ref.commit, name) != name:
            ids[version.ref.commit] = None  # one commit, two texts: nothing to trust
    return {commit: name for commit, name in ids.items() if name is not None}


def stored_page(
    store: SnapshotStore,
    document: str,
    locale: str,
    shared: SharedDiffs | None = None,
    *,
    hold: bool = True,
) -> StoredPage:
    """The page's changelog entries, oldest first, diffed through the store's diffs (or the
    `shared` diffs of the run's other pages), and what names each of their texts. Without
    `hold`, the entries hold none of the diffs found meanwhile: each is found again, in the
    store, when asked for (entries kept for a later stage then weigh what fresh ones do)."""
    index = store.load_index(document, locale)
    if index is None:
        return (), {}
    diffs = StoredDiffs(store, index, shared)
    revisions = (_lazy(stored) for stored in store.revision_texts(document, locale, index))
    entries = build_lazy_entries(revisions, diffs.of_texts)
    diffs.prune()
    diffs.keep_counts()
    if not hold:
        diffs.let_go()
    return entries, text_ids(index)


def _lazy(stored: StoredRevision) -> LazyRevision:
    """A stored revision for `build_lazy_entries`: its head, and its texts unread."""
    group, versions = stored.group, [version for version, _ in stored.texts]
    head = RevisionHead(
        date=group.date,
        date_source=group.date_source,
        status=group.status,
        ref=group.versions[-1].ref,
        commits=tuple(v.ref for v in group.versions),
        text_refs=tuple(v.ref for v in versions),
        key=group.key,
        notes=stored.notes,
    )
    return head, [Text(version.ref.commit, read) for version, read in stored.texts]


def stored_entries(store: SnapshotStore, document: str, locale: str) -> tuple[Entry, ...]:
    return stored_page(store, document, locale)[0]


PageTexts = dict[tuple[str, str], TextIds]

PageFailures = dict[tuple[str, str], str]


def load_pages(
    config: Config,
    pages: Sequence[PageTarget],
    failures: PageFailures | None = None,
    diffed: DiffedPages | None = None,
) -> tuple[list[PageChangelog], PageTexts]:
    """Each page's stored revisions diffed one after the other (see `stored_page`; those the
    run's update kept in `diffed` are taken from there), and what names its texts. With
    `failures`, a page whose store cannot be read is recorded there and left out, instead of
    stopping every page's reports."""
    store, shared = SnapshotStore(config.snapshots), shared_diffs()
    diffed = diffed or DiffedPages(0)
    loaded, ids = [], {}
    for target in pages:
        document, locale = target.document, target.locale
        try:
            page = diffed.get(store, document, locale)
            if page is None:
                page = stored_page(store, document, locale, shared)
            entries, ids[(document, locale)] = page
            title = entries[-1].steps[-1].snapshot.document.title if entries else None
        except Exception as error:
            if failures is None:
                raise
            failures[(document, locale)] = failure_message(error)
            continue
        permalink = config.document(document).permalink
        loaded.append(PageChangelog(document, locale, title, permalink, entries))
    return loaded, ids


NewCommits = dict[tuple[str, str], frozenset[str]]
"""The commits a run read each page's new texts from, by document and locale."""


def _new_commits(updates: Iterable[PageUpdate]) -> NewCommits:
    return {(u.document, u.locale): frozenset(u.new_commits) for u in updates}


def new_texts(updates: Iterable[PageUpdate], pages: Sequence[PageChangelog]) -> Iterable[NewText]:
    """The texts a run read (its `updates`), page by page in date order."""
    new = _new_commits(updates)
    for page in pages:
        yield from _new_among(page, page.entries, new)


def _new_among(page: PageChangelog, entries: Iterable[Entry], new: NewCommits) -> Iterable[NewText]:
    commits = new.get((page.document, page.locale), frozenset())
    for entry in entries:
        for step in entry.steps:
            if step.ref.commit in commits:
                yield NewText(page, entry, step)


def shown_as_rendered(updates: Iterable[PageUpdate], shown: ShiftsShown) -> Shows:
    """Takes into `shown` what a run's summary (its sections) and `last-run.json` (its records)
    show of the texts with shifts it read (`updates`), a changelog page at a time as each is
    rendered, while their diffs are at hand: the diffs then go with the page's (a first run's
    summary shows every text of the history). Texts `shown` has already are left alone."""
    new = _new_commits(updates)

    def shows(page: PageChangelog, entries: Sequence[Entry], env: render.Templates) -> None:
        texts = _new_among(page, entries, new)
        shifts = [t for t in texts if t.has_shifts and t.key not in shown.sections]
        if shifts:  # most changelog pages of a run's render hold no text it took in
            sections = render.shift_sections(shifts, env)
            for text in shifts:
                shown.add(text.key, sections[text.key], views.shift_to_dict(text))

    return shows


def reuses_files(config: Config) -> bool:
    """Whether a run may leave alone the files rendered last from the same inputs: not with
    templates of the user's, which may show any revision on any page."""
    return config.templates is None or not any(config.templates.rglob("*.j2"))


def reuse_of(
    config: Config, ids: PageTexts, rendered: Rendered, *, kept_parts: bool = True
) -> Reuse:
    """What a run may leave unrendered: the files `rendered` records, when their key and bytes
    are still those; and, with `kept_parts`, the feed's entries and the pages' parts rendered
    before."""

    def text_id(page: PageChangelog, commit: str) -> str | None:
        return ids.get((page.document, page.locale), {}).get(commit)

    reusable = reuses_files(config)

    def current(name: str, key: str) -> bool:
        if not reusable:
            return False
        key_then, sha = rendered.get(name, ("", ""))
        return key_then == key and file_sha256(config.reports / name) == sha

    store = SnapshotStore(config.snapshots)
    homes = KeptHomes(store.load_home, store.write_home)
    entries = KeptEntries(
        lambda: read_entries(config) if kept_parts and reusable else {},
        lambda made: record_entries(config, made),
    )
    parts = KeptParts(
        lambda document, locale: (
            read_parts(config, document, locale) if kept_parts and reusable else {}
        ),
        lambda document, locale, made: record_parts(config, document, locale, made),
    )
    return Reuse(environment_digest(config), text_id, current, homes, entries, parts)


def render_readable(
    config: Config,
    pages: list[PageChangelog],
    status: SiteStatus,
    reuse: Reuse,
    failures: dict[tuple[str, str], str] | None,
    delivery: Delivery = IN_MEMORY,
) -> tuple[Site, list[PageChangelog]]:
    """`render_site`, and the pages it rendered. A text is read when a report shows it, so one
    that cannot be read (a damaged object) stops the render: then, with `failures`, each page's
    every text is read, the pages with one that cannot be read fail, and the others render."""
    try:
        return render_site(config, pages, status, reuse, delivery), pages
    except (RaciTrackerError, OSError):
        if failures is None:
            raise
    readable = [page for page in pages if _readable(page, failures)]
    return render_site(config, readable, status, reuse, delivery), readable


def _readable(page: PageChangelog, failures: dict[tuple[str, str], str]) -> bool:
    try:
        for entry in page.entries:
            for step in entry.steps:
                step.text.read()
    except (RaciTrackerError, OSError) as error:
        failures[(page.document, page.locale)] = failure_message(error)
        return False
    finally:
        page.forget_texts()
    return True


def rendered_record(site: Site, before: Rendered) -> Rendered:
    """The record of the page files now: those rendered, and those left as they were."""
    record = {}
    for name, key in site.keys.items():
        digest = site.rendered(name)
        if digest is not None and key is not None:
            record[name] = (key, digest)
        elif key is not None and name in before:
            record[name] = before[name]
    return record
