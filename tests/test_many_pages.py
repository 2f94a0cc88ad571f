"""Many pages in one run: a text parsed, and two texts diffed, once for every page that has
them; objects made durable by one sync before any index names them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from raci_tracker.app.changelogs import StoredDiffs, shared_diffs, stored_page
from raci_tracker.compare.changelog import build_entries
from raci_tracker.history import store as store_module
from raci_tracker.history.reading import Texts
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageTarget, update_page
from tests.gitrepo import GitRepo
from tests.helpers import corpus_page

LOCALES = ("en-gb", "en-ie", "fr-fr")
TEXTS = (
    "managed-kubernetes/fr-fr/2023-07-05__2255c02.md",
    "managed-kubernetes/fr-fr/2023-07-05__bdd59f0.md",
    "managed-kubernetes/fr-fr/2023-07-06__seed.md",
)


@pytest.fixture
def shared(tmp_path: Path) -> GitRepo:
    """Two documents in three locales, every page the same three texts in turn (as English
    variants of a page often are)."""
    repo = GitRepo(tmp_path / "upstream")
    for name in TEXTS:
        for document in ("one", "two"):
            for locale in LOCALES:
                repo.write(f"{document}/guide.{locale}.md", corpus_page(name))
        repo.commit(name)
    return repo


def targets(aliases: dict[str, list[str]] | None = None, tag: str = "") -> list[PageTarget]:
    return [
        PageTarget(
            document + tag, locale, "upstream", None, f"{document}/guide.{locale}.md", aliases or {}
        )
        for document in ("one", "two")
        for locale in LOCALES
    ]


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_pages_sharing_their_texts_are_stored_as_each_read_alone(
    shared: GitRepo, tmp_path: Path
) -> None:
    pages = targets() + targets({"customer": ["Client"]}, "-named")
    with GitSource(shared.root) as source:
        alone = SnapshotStore(tmp_path / "alone")
        for target in pages:
            update_page(source, alone, target)
        together, texts = SnapshotStore(tmp_path / "together"), Texts()
        with together.batched():
            for target in pages:
                update_page(source, together, target, texts=texts)
    stored = files(tmp_path / "together")
    assert stored == files(tmp_path / "alone")
    objects = [json.loads(data) for name, data in stored.items() if "/objects/" in name]
    assert {o["document"]["locale"] for o in objects} == set(LOCALES)
    assert len(objects) == len(pages) * len(TEXTS)


Events = list[tuple[str, str]]


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Events:
    """What the store writes and syncs, in order (each done for real)."""
    seen: Events = []
    real_write, real_sync = store_module.write_atomic, store_module.sync_file_system

    def write(path: Path, data: bytes, *, sync: bool = True) -> bool:
        seen.append(("index" if path.name == "index.json" else f"object sync={sync}", path.name))
        return real_write(path, data, sync=sync)

    def sync(folder: Path) -> None:
        seen.append(("sync", folder.name))
        real_sync(folder)

    monkeypatch.setattr(store_module, "write_atomic", write)
    monkeypatch.setattr(store_module, "sync_file_system", sync)
    return seen


def test_no_index_names_an_object_before_one_sync_made_the_objects_durable(
    shared: GitRepo, tmp_path: Path, events: Events
) -> None:
    store = SnapshotStore(tmp_path / "snapshots")
    with GitSource(shared.root) as source, store.batched():
        updates = [update_page(source, store, target, texts=Texts()) for target in targets()]
        assert not list((tmp_path / "snapshots").rglob("index.json"))
    kinds = [kind for kind, _ in events]
    objects = kinds.count("object sync=False")
    assert objects == sum(u.files_written - 1 for u in updates) == 6 * len(TEXTS)
    assert kinds == ["object sync=False"] * objects + ["sync"] + ["index"] * 6
    for target in targets():
        index = store.load_index(target.document, target.locale)
        assert index is not None
        for version in index.versions:
            assert store.object_path(target.document, target.locale, version.object or "").exists()


def test_outside_a_batch_each_object_has_its_own_fsync(
    shared: GitRepo, tmp_path: Path, events: Events
) -> None:
    store = SnapshotStore(tmp_path / "snapshots")
    with GitSource(shared.root) as source:
        update = update_page(source, store, targets()[0])
    assert update.files_written == len(TEXTS) + 1
    assert [kind for kind, _ in events] == ["object sync=True"] * len(TEXTS) + ["index"]


def test_a_batch_left_by_an_error_writes_no_index(shared: GitRepo, tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "snapshots")
    with pytest.raises(KeyboardInterrupt), GitSource(shared.root) as source, store.batched():
        update_page(source, store, targets()[0])
        raise KeyboardInterrupt
    assert store.load_index("one", "en-gb") is None
    with GitSource(shared.root) as source:  # the next run reads the page as if new
        update = update_page(source, store, targets()[0])
        clean = update_page(source, SnapshotStore(tmp_path / "clean"), targets()[0])
    # the objects the batch left are counted as the clean run counts those it writes
    assert update.files_written == clean.files_written > 1 and update.changed_dates


def test_pages_whose_texts_are_the_same_blobs_share_their_diffs(
    shared: GitRepo, tmp_path: Path
) -> None:
    pages = targets() + targets({"customer": ["Client"]}, "-named")
    stores = {name: SnapshotStore(tmp_path / name) for name in ("alone", "together")}
    with GitSource(shared.root) as source:
        for target in pages:
            for store in stores.values():
                update_page(source, store, target)
    computed, memo = [], shared_diffs()
    for target in pages:
        entries, _ = stored_page(stores["alone"], target.document, target.locale)
        index = stores["together"].load_index(target.document, target.locale)
        assert index is not None
        diffs = StoredDiffs(stores["together"], index, memo)
        revisions = stores["together"].revisions(target.document, target.locale)
        assert build_entries(revisions, diffs) == entries
        diffs.keep_counts()  # as `stored_page` does
        computed.append(diffs.computed)
    assert computed == [len(TEXTS) - 1] + [0] * 5 + [len(TEXTS) - 1] + [0] * 5
    assert files(tmp_path / "together") == files(tmp_path / "alone")
