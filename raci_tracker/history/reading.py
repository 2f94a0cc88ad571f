"""Reading a page's commits into versions: each blob read and parsed once, and a blob that is
not a page (a symlink, a submodule, a Git LFS pointer, a binary file) skipped with the reason."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from raci_tracker.errors import InputError
from raci_tracker.heap import frozen_heap
from raci_tracker.history.dating import commit_ref, version_of
from raci_tracker.history.objects import object_bytes
from raci_tracker.history.source import GitSource
from raci_tracker.lazy import LazyModule
from raci_tracker.model import PageCommit, PageVersion, Skipped, Snapshot
from raci_tracker.recent import Recent

if TYPE_CHECKING:
    from raci_tracker.page import parse
else:  # markdown-it is imported when a text is first read: a run with nothing new reads none
    parse = LazyModule("raci_tracker.page.parse")

LFS_POINTER = b"version https://git-lfs.github.com/spec/"
NOT_A_FILE = {
    "120000": "a symbolic link, not a page",
    "160000": "a submodule (a gitlink to another repository), not a page",
}

COLLECT_EVERY = 500
"""Commits read between two cyclic garbage collections (see `_collecting_every`)."""

Keep = Callable[[str, bytes, Snapshot], None]
"""Where a newly parsed text goes: its address, its stored bytes, its snapshot."""

TEXTS_KEPT = 128
"""Distinct texts a run keeps parsed for its next pages (see `Texts`)."""


@contextmanager
def _collecting_every(count: int) -> Iterator[Callable[[], None]]:
    """Run the cyclic garbage collector every `count` steps instead of on its own schedule.

    Parsing allocates many short-lived objects, so Python's automatic collections would run
    over and over while almost everything is freed by reference counting anyway; they cost a
    third of a long walk. A collection every few hundred commits keeps memory flat, and
    everything alive before the walk (modules, the stored index) is frozen out of those
    collections (`frozen_heap`, which collects once more as the walk ends), so each one looks
    only at what the walk made."""
    enabled = gc.isenabled()
    gc.disable()
    steps = 0

    def tick() -> None:
        nonlocal steps
        steps += 1
        if steps % count == 0:
            gc.collect()

    try:
        with frozen_heap():
            yield tick
    finally:
        if enabled:
            gc.enable()


@dataclass(slots=True)
class _Text:
    """One parsed text, and its stored object (address and bytes) in each locale read so far."""

    snapshot: Snapshot
    objects: dict[str, tuple[str, bytes]] = field(default_factory=dict)


Aliases = tuple[tuple[str, tuple[str, ...]], ...]


class Texts:
    """The texts a run has parsed, shared by its pages.

    Pages can hold the very same text (a copied page, locale variants kept byte-identical), and
    a text parses the same whatever its page: the locale is only copied into the snapshot, and
    where the text was (path, commit) is left out of its stored object. So each blob is parsed
    once per set of parties' names, and its object encoded once per locale. Only the last
    `kept` texts are kept, so memory does not grow with the repository."""

    def __init__(self, kept: int = TEXTS_KEPT) -> None:
        self._texts: Recent[tuple[str, Aliases], _Text | str] = Recent(kept)

    def missing(self, blobs: Iterable[str], aliases: Aliases) -> list[str]:
        return [blob for blob in blobs if (blob, aliases) not in self._texts]

    def get(self, blob: str, aliases: Aliases) -> _Text | str | None:
        return self._texts.get((blob, aliases))

    def put(self, blob: str, aliases: Aliases, text: _Text | str) -> None:
        self._texts.put((blob, aliases), text)


def aliases_key(aliases: Mapping[str, Sequence[str]]) -> Aliases:
    return tuple((party, tuple(names)) for party, names in aliases.items())


@dataclass(slots=True)
class Read:
    versions: list[PageVersion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class Reader:
    """Turns commits into versions, parsing each distinct blob once."""

    def __init__(
        self,
        source: GitSource,
        locale: str,
        aliases: Mapping[str, Sequence[str]],
        keep: Keep,
        texts: Texts | None = None,
    ) -> None:
        self.source, self.locale, self.aliases, self.keep = source, locale, aliases, keep
        self.texts = Texts(0) if texts is None else texts
        self.aliases_key = aliases_key(aliases)
        self.parsed: dict[str, PageVersion | str] = {}

    def read(self, commits: Sequence[PageCommit]) -> Read:
        blobs = [c.blob for c in commits if c.blob and c.mode not in NOT_A_FILE]
        self.source.prefetch(self.texts.missing(blobs, self.aliases_key))
        read = Read()
        with _collecting_every(COLLECT_EVERY) as tick:
            for page_commit in commits:
                result = self._version(page_commit)
                if isinstance(result, str):
                    read.skipped.append(Skipped(page_commit.commit, page_commit.path, result))
                else:
                    read.versions.append(replace(result, ref=commit_ref(page_commit)))
                tick()
        return read

    def _version(self, page_commit: PageCommit) -> PageVersion | str:
        if page_commit.blob is None:
            return version_of(commit_ref(page_commit), None, None)
        if page_commit.mode in NOT_A_FILE:
            return NOT_A_FILE[page_commit.mode]
        if page_commit.blob not in self.parsed:
            self.parsed[page_commit.blob] = self._parse(page_commit, page_commit.blob)
        return self.parsed[page_commit.blob]

    def _parse(self, page_commit: PageCommit, blob: str) -> PageVersion | str:
        text = self.texts.get(blob, self.aliases_key)
        if text is None:
            text = self._parsed_text(page_commit, blob)
            self.texts.put(blob, self.aliases_key, text)
        if isinstance(text, str):
            return text
        source = replace(text.snapshot.source, path=page_commit.path, commit=page_commit.commit)
        snapshot = replace(
            text.snapshot,
            document=replace(text.snapshot.document, locale=self.locale),
            source=source,
        )
        if self.locale not in text.objects:
            text.objects[self.locale] = object_bytes(snapshot)
        key, content = text.objects[self.locale]
        self.keep(key, content, snapshot)
        return version_of(commit_ref(page_commit), snapshot, key)

    def _parsed_text(self, page_commit: PageCommit, blob: str) -> _Text | str:
        """The blob's text parsed, or why it is not a page."""
        data = self.source.read_blob(blob)
        if data.startswith(LFS_POINTER):
            return "a Git LFS pointer: the page's text is not in the repository"
        try:
            snapshot = parse.parse_page(
                data,
                path=page_commit.path,
                locale=self.locale,
                aliases=self.aliases,
                commit=page_commit.commit,
                blob=blob,
            )
        except InputError as error:
            return error.detail
        return _Text(snapshot)
