"""The snapshot store on disk: `snapshots/<doc>/<locale>/index.json` lists the page's versions;
`objects/<sha256>.json` keeps each distinct snapshot once, addressed by its content.

Every write is atomic and skipped when the bytes are already there, so a run with nothing new
changes no file. A store written before versions (index schema 1, one `<date>.json` per dated
revision) or with full snapshots as objects (schema 2) is migrated in place the first time it
is read. Nothing here decides what a revision
is; it only keeps versions and objects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from raci_tracker.codec import (
    dumps,
    index_from_dict,
    index_head_from_dict,
    index_schema_version,
    index_to_dict,
    loads,
    stops_from_dict,
    stops_to_dict,
)
from raci_tracker.errors import InputError, RaciTrackerError
from raci_tracker.files import read_input, remove_file, sync_file_system, write_atomic
from raci_tracker.history.dating import (
    GROUP_RULES,
    Group,
    at_version,
    group_versions,
    in_force_on,
    revision_of,
    snapshot_of,
)
from raci_tracker.history.diffs import counts_bytes, counts_from_dict, diff_bytes, diff_from_dict
from raci_tracker.history.migrate import migrated_index, recoded_index
from raci_tracker.history.objects import object_from_dict
from raci_tracker.model import (
    Diff,
    HistoryNote,
    IndexHead,
    PageIndex,
    PageVersion,
    Revision,
    SeverityCounts,
    Snapshot,
)
from raci_tracker.recent import Recent
from raci_tracker.text import short_hash

INDEX = "index.json"
OBJECTS = "objects"
DIFFS = "diffs"
COUNTS = "diff-counts.json"
HOME = "home.json"
STOPS = ".repos"
_ADDRESS = re.compile(r"[0-9a-f]{64}")


TextRead = Callable[[], Snapshot]


@dataclass(frozen=True, slots=True)
class StoredRevision:
    """A revision as the index lists it: its versions, its notes, and how to read each text
    (`Group.texts`, oldest first)."""

    group: Group
    notes: tuple[HistoryNote, ...]
    texts: list[tuple[PageVersion, TextRead]]


INDEXES_KEPT = 4
"""Indexes a store keeps decoded, with their bytes (`load_index`): a run reads a page's index in
its update, its diffs and its reports."""
PARSED_KEPT = 128
"""Texts a store keeps as parsed (`SnapshotStore.remember`): a page's last ones, those its new
diffs compare."""


class _TextReader:
    """How to read one stored text when something asks for it, in one small object where two
    closures took nine: a run holds one per text of every page it loads (18,000 on 225 pages)."""

    __slots__ = ("_document", "_locale", "_store", "_version")

    def __init__(
        self, store: SnapshotStore, document: str, locale: str, version: PageVersion
    ) -> None:
        self._store, self._document, self._locale = store, document, locale
        self._version = version

    def __call__(self) -> Snapshot:
        return snapshot_of(self._version, self._read)

    def _read(self, version: PageVersion) -> Snapshot:
        stored = self._store.load_object(self._document, self._locale, version)
        return at_version(stored, version)


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._folders: dict[tuple[str, str], Path] = {}  # resolving costs a stat per part
        self._diff_folders: dict[tuple[str, str], Path] = {}
        self._later: list[Callable[[], object]] | None = None  # inside `batched`
        self._next: dict[Path, bytes] = {}  # the indexes `_later` writes
        self._unsynced = False  # objects written without their own fsync
        self._parsed: Recent[tuple[str, str, str], Snapshot] = Recent(PARSED_KEPT)
        self._indexes: Recent[Path, tuple[bytes, PageIndex]] = Recent(INDEXES_KEPT)
        self._decoded: tuple[Path, bytes, Any] | None = None  # the last index a head was read of

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Objects written inside are made durable together, by one sync of the file system
        when the block ends; only then are the indexes written inside (which name them)
        written, each atomically, and the objects they no longer name removed.

        A run killed at any moment leaves each index as it was or as it became, and every
        object an index names is on disk before the index is. (docs/decisions/0015)"""
        if self._later is not None:
            yield  # an enclosing block writes
            return
        self._later = []
        try:
            yield
            later = self._later
        finally:
            self._later, self._next = None, {}
        self._sync_objects()
        for step in later:
            step()

    @contextmanager
    def _unbatched(self) -> Iterator[None]:
        later, self._later = self._later, None
        try:
            yield
        finally:
            self._later = later

    def _sync_objects(self) -> None:
        if self._unsynced:
            sync_file_system(self.root)
            self._unsynced = False

    def folder(self, document: str, locale: str) -> Path:
        known = self._folders.get((document, locale))
        if known is not None:
            return known
        folder = (self.root / document / locale).resolve()
        if not folder.is_relative_to(self.root) or folder == self.root:
            raise InputError(
                f"document {document!r} / locale {locale!r} would write outside {self.root}"
            )
        self._folders[(document, locale)] = folder
        return folder

    def object_path(self, document: str, locale: str, key: str) -> Path:
        self._address(key)
        return self.folder(document, locale) / OBJECTS / f"{key}.json"

    def _address(self, key: str) -> None:
        if _ADDRESS.fullmatch(key) is None:
            raise InputError(f"{key!r} is not a snapshot address", path=str(self.root))

    def _diffs_folder(self, document: str, locale: str) -> Path:
        known = self._diff_folders.get((document, locale))
        if known is None:  # a path joined once: a page's thousands of diffs are looked up by name
            known = self._diff_folders[(document, locale)] = self.folder(document, locale) / DIFFS
        return known

    def write_object(self, document: str, locale: str, key: str, content: bytes) -> bool:
        """Keep a snapshot under its address; an address already there holds the same bytes."""
        path = self.object_path(document, locale, key)
        if path.exists():
            return False
        if self._later is None:
            return write_atomic(path, content)
        self._unsynced = True
        return write_atomic(path, content, sync=False)

    def load_object(self, document: str, locale: str, version: PageVersion) -> Snapshot:
        kept = self._parsed.get((document, locale, version.object or ""))
        if kept is not None:
            return at_version(kept, version)
        path = self.object_path(document, locale, version.object or "")
        return object_from_dict(_json(path), version.ref, path=str(path))

    def forget(self) -> None:
        """Let go of the texts and indexes kept in memory (`remember`, `load_index`): what still
        reads through this store reads its files again."""
        self._parsed = Recent(PARSED_KEPT)
        self._indexes = Recent(INDEXES_KEPT)
        self._decoded = None

    def remember(self, document: str, locale: str, key: str, snapshot: Snapshot) -> None:
        """A text this process just parsed, as the snapshot its object `key` holds: the page's
        diffs, computed soon after, need not read and decode it again (`PARSED_KEPT`)."""
        self._parsed.put((document, locale, key), snapshot)

    def revisions(
        self, document: str, locale: str, index: PageIndex | None = None
    ) -> Iterator[Revision]:
        """The page's revisions in commit order, each read when it is reached (from `index`
        when the caller has read it)."""
        index = index or self.load_index(document, locale)
        if index is None:
            return
        load = self._loader(document, locale)
        notes = [n for n in index.notes if n.rule not in GROUP_RULES]
        for group in group_versions(index.versions):
            yield revision_of(group, load, notes)

    def revision_texts(
        self, document: str, locale: str, index: PageIndex
    ) -> Iterator[StoredRevision]:
        """The page's revisions as `revisions` makes them, each with how to read each of its
        texts: nothing is read until something asks for it."""
        notes = [n for n in index.notes if n.rule not in GROUP_RULES]
        for group in group_versions(index.versions):
            commits = {v.ref.commit for v in group.versions}
            own = (*group.notes, *(n for n in notes if n.commit in commits))  # as `revision_of`
            texts = [(v, self._text_reader(document, locale, v)) for v in group.texts()]
            yield StoredRevision(group, own, texts)

    def _text_reader(self, document: str, locale: str, version: PageVersion) -> TextRead:
        return _TextReader(self, document, locale, version)

    def in_force(self, document: str, locale: str, day: str) -> tuple[Snapshot, Revision] | None:
        """The text in force on `day`: the last version committed on or before it (UTC), and the
        revision it belongs to; None before the first version or with nothing stored."""
        index = self.load_index(document, locale)
        found = in_force_on(group_versions(index.versions), day) if index else None
        if index is None or found is None:
            return None
        version, group = found
        load = self._loader(document, locale)
        notes = [n for n in index.notes if n.rule not in GROUP_RULES]
        return snapshot_of(version, load), revision_of(group, load, notes)

    def _loader(self, document: str, locale: str) -> Callable[[PageVersion], Snapshot]:
        cache: dict[str, Snapshot] = {}

        def load(version: PageVersion) -> Snapshot:
            key = version.object or ""
            if key not in cache:
                cache.clear()  # a revision's texts come in order: keep only the last one
                cache[key] = self.load_object(document, locale, version)
            return at_version(cache[key], version)

        return load

    def load_index_head(self, document: str, locale: str) -> IndexHead | None:
        """How the page was read and how far (`IndexHead`), without decoding the versions its
        index lists; None when it has no index, or one `load_index` migrates first."""
        read = self._read_index(document, locale)
        if read is None:
            return None
        path, data, kept = read
        if kept is not None:
            return kept.head()
        decoded = loads(data, path=str(path))
        self._decoded = (path, data, decoded)  # for the `load_index` that may follow
        return index_head_from_dict(decoded, str(path))

    def load_index(self, document: str, locale: str) -> PageIndex | None:
        """The page's index (inside `batched`, as the block will write it); a version-1 store
        is migrated in place first."""
        read = self._read_index(document, locale)
        if read is None:
            return None
        path, data, kept = read
        if kept is not None:
            return _copied(kept)
        return self._index_of(document, locale, path, data, self._decoded_of(path, data))

    def _read_index(
        self, document: str, locale: str
    ) -> tuple[Path, bytes, PageIndex | None] | None:
        """The index's path and bytes (inside `batched`, those the block will write), and the
        index decoded from those bytes when it is kept; None when the page has none."""
        path = self.folder(document, locale) / INDEX
        data = self._next.get(path)
        if data is None and not path.exists():
            return None
        data = read_input(path) if data is None else data
        kept = self._indexes.get(path)
        return path, data, kept[1] if kept is not None and kept[0] == data else None

    def _decoded_of(self, path: Path, data: bytes) -> Any:
        """`data` decoded: by the `load_index_head` just before, or now."""
        kept, self._decoded = self._decoded, None
        if kept is not None and kept[:2] == (path, data):
            return kept[2]
        return loads(data, path=str(path))

    def _index_of(
        self, document: str, locale: str, path: Path, data: bytes, decoded: Any
    ) -> PageIndex:
        schema = index_schema_version(decoded, str(path))
        with self._unbatched():  # a migration's writes and removals are done at once
            if schema == 1:
                return self._migrate(document, locale, decoded, path)
            index = index_from_dict(decoded, str(path))
            if schema == 2:
                return self._recode(index)
        self._indexes.put(path, (data, _copied(index)))
        return index

    def index_bytes(self, document: str, locale: str) -> bytes | None:
        """The bytes of the page's index (inside `batched`, as the block will write them); None
        when it has none or it cannot be read."""
        path = self.folder(document, locale) / INDEX
        data = self._next.get(path)
        return _bytes_of(path) if data is None else data

    def write_index(self, index: PageIndex) -> bool:
        """Write the page's index once every object it may name is durable; inside `batched`,
        when the block ends. True when its bytes change."""
        path = self.folder(index.document, index.locale) / INDEX
        data = dumps(index_to_dict(index))
        self._indexes.put(path, (data, _copied(index)))
        if self._later is None:
            self._sync_objects()
            return write_atomic(path, data)
        if self._next.get(path, _bytes_of(path)) == data:
            return False
        self._next[path] = data
        self._later.append(lambda: write_atomic(path, data))
        return True

    def stops_path(self, repository: str) -> Path:
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", repository).strip("-.")[-60:]
        return self.root / STOPS / f"{name}-{short_hash(repository)}.json"

    def load_stops(self, repository: str) -> dict[str, str]:
        """Where each page of a repository stopped: `<document>/<locale>` to the head it was last
        brought up to (none: read from each page's index)."""
        path = self.stops_path(repository)
        return stops_from_dict(_json(path), str(path)) if path.exists() else {}

    def write_stops(self, repository: str, stops: dict[str, str]) -> bool:
        data = stops_to_dict(repository, dict(sorted(stops.items())))
        return write_atomic(self.stops_path(repository), dumps(data))

    def prune_objects(self, document: str, locale: str, keep: Sequence[PageVersion]) -> int:
        """Remove the objects no version refers to any more (a parser upgrade re-parsed them)."""
        wanted = {f"{v.object}.json" for v in keep if v.object}
        folder = self.folder(document, locale) / OBJECTS
        stale = [folder / name for name in _stale(folder, wanted)]
        if self._later is None:
            _remove(stale)
        else:  # once the index that no longer names them is written
            self._later.append(lambda: _remove(stale))
        return len(stale)

    def diff_path(self, document: str, locale: str, pair: tuple[str, str]) -> Path:
        """`diffs/<before>-<after>.json`, each object named by the start of its address (the
        file names the whole pair)."""
        return self._diffs_folder(document, locale) / f"{self.diff_name(pair)}.json"

    def diff_name(self, pair: tuple[str, str]) -> str:
        for key in pair:
            self._address(key)  # a real address, or an InputError
        return f"{pair[0][:16]}-{pair[1][:16]}"

    def load_counts(self, document: str, locale: str, version: int) -> dict[str, SeverityCounts]:
        """Each stored diff's counts by severity, by `diff_name`: none where the file is missing
        or not to trust (of another format or version, malformed), as they are only a shortcut."""
        path = self.folder(document, locale) / COUNTS
        try:
            return counts_from_dict(_json(path), version, path=str(path))
        except (InputError, OSError):
            return {}

    def write_counts(
        self, document: str, locale: str, counts: dict[str, SeverityCounts], version: int
    ) -> bool:
        """Keep the counts, or no file when there is no diff to count (a page of one text)."""
        path = self.folder(document, locale) / COUNTS
        return write_atomic(path, counts_bytes(counts, version)) if counts else remove_file(path)

    def load_home(self, document: str, locale: str) -> bytes | None:
        """The page's history as its home last folded it (`output.homefold`), None for none."""
        try:
            return read_input(self.folder(document, locale) / HOME)
        except (RaciTrackerError, OSError):
            return None

    def write_home(self, document: str, locale: str, data: bytes | Iterable[bytes]) -> None:
        """Keep the page's fold for the next run's home, unless the store cannot be written. It
        is only a shortcut, so it is written without a sync of its own: a fold a crash lost or
        left torn is folded again."""
        try:
            write_atomic(self.folder(document, locale) / HOME, data, sync=False)
        except (RaciTrackerError, OSError):
            return

    def load_diff(
        self, document: str, locale: str, pair: tuple[str, str], version: int
    ) -> Diff | None:
        """The stored diff of two objects made by diffing code `version`; None when there is
        none, or none to trust (of another format, version or pair, unreadable): the caller
        computes it again."""
        path = self.diff_path(document, locale, pair)
        try:
            return diff_from_dict(_json(path), pair, version, path=str(path))
        except (InputError, OSError):
            return None

    def write_diff(
        self, document: str, locale: str, pair: tuple[str, str], diff: Diff, version: int
    ) -> bool:
        """Keep the diff of two objects; inside `batched`, made durable with its objects."""
        path = self.diff_path(document, locale, pair)
        if self._later is None:
            return write_atomic(path, diff_bytes(pair, diff, version))
        self._unsynced = True
        return write_atomic(path, diff_bytes(pair, diff, version), sync=False)

    def prune_diffs(self, document: str, locale: str, keep: Iterable[tuple[str, str]]) -> int:
        """Remove the diffs of pairs no longer consecutive (a re-parsed or rewritten history)."""
        wanted = {f"{self.diff_name(pair)}.json" for pair in keep}
        folder = self._diffs_folder(document, locale)
        stale = _stale(folder, wanted)
        for name in stale:
            (folder / name).unlink()
        return len(stale)

    def _migrate(self, document: str, locale: str, data: Any, path: Path) -> PageIndex:
        legacy = index_from_dict(data, str(path))
        folder = self.folder(document, locale)
        files = [folder / f"{entry['date']}.json" for entry in data["revisions"]]
        index, objects = migrated_index(legacy, [(str(f), _json(f)) for f in files if f.exists()])
        for key, content in objects.items():
            self.write_object(document, locale, key, content)
        self.write_index(index)
        for old in files:
            old.unlink(missing_ok=True)
        return index

    def _recode(self, old: PageIndex) -> PageIndex:
        """A schema-2 store (full snapshots as objects) re-encoded with compact objects."""
        document, locale = old.document, old.locale
        index, objects = recoded_index(old, lambda v: self.load_object(document, locale, v))
        for key, content in objects.items():
            self.write_object(document, locale, key, content)
        self.write_index(index)
        self.prune_objects(document, locale, index.versions)
        return index


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink()


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _stale(folder: Path, wanted: set[str]) -> list[str]:
    """The names of the JSON files in `folder` not `wanted` (none when it does not exist)."""
    try:
        names = os.listdir(folder)  # noqa: PTH208 - thousands of files: no Path for each
    except FileNotFoundError:
        return []
    return [n for n in names if n.endswith(".json") and n[0] != "." and n not in wanted]


def _copied(index: PageIndex) -> PageIndex:
    """An index whose lists the caller may change: their items are immutable."""
    parties = {party: list(names) for party, names in index.parties.items()}
    return replace(
        index,
        revisions=list(index.revisions),
        renames=list(index.renames),
        skipped=list(index.skipped),
        notes=list(index.notes),
        versions=list(index.versions),
        parties=parties,
    )


def _json(path: Path) -> Any:
    return loads(read_input(path), path=str(path))
