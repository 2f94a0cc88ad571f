"""Object format 3: the compact form the store keeps a snapshot in, and the migration of a store
written with full snapshots as objects (index schema 2, `tests/fixtures/store-v2/`)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from raci_tracker.cli import main
from raci_tracker.codec import snapshot_to_dict, snapshot_to_json
from raci_tracker.errors import InputError
from raci_tracker.history import store as store_module
from raci_tracker.history.objects import expanded, object_bytes, object_from_dict
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import PARSED_KEPT, SnapshotStore
from raci_tracker.history.walk import PageTarget, update_page
from raci_tracker.model import CommitRef
from raci_tracker.page.parse import parse_page
from tests.gitrepo import GitRepo
from tests.helpers import corpus_entries, corpus_page
from tests.legacy_store import build_upstream, tracker_with_store, write_config
from tests.test_incremental_reports import run
from tests.test_reports_reading import new_letters, two_pages

REF = CommitRef("c" * 40, 1700000000, "guide.fr-fr.md", "b" * 40)


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_every_corpus_page_comes_back_from_its_object_as_it_was_parsed() -> None:
    for entry in corpus_entries():
        snapshot = parse_page(corpus_page(entry["file"]), path=REF.path, commit=REF.commit)
        _, content = object_bytes(snapshot)

        back = object_from_dict(json.loads(content), REF, path="object.json")

        assert snapshot_to_json(back) == snapshot_to_json(snapshot), entry["file"]


def test_an_object_leaves_out_empty_roles_and_what_follows_from_the_previous_row() -> None:
    text = (
        "---\ntitle: RACI\nupdated: 2024-01-01\n---\n\n### 1. Service\n\n"
        "| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        "| Back up the data | RA | |\n| Install the cluster | I | RA |\n"
    )
    snapshot = parse_page(text.encode(), path=REF.path)
    _, content = object_bytes(snapshot)
    stored = json.loads(content)
    first, second = stored["activities"]

    assert first["roles"] == {"customer": "RA"} and "assignments" not in first
    assert (first["section"], first["line"]) == ("1", 10)
    assert "section" not in second and "line" not in second
    assert "title" not in stored["document"]
    assert snapshot_to_dict(object_from_dict(stored, REF, path="o.json"))["activities"][0][
        "assignments"
    ] == {"customer": "RA", "provider": ""}


def test_assignments_not_in_the_parties_order_are_kept_whole() -> None:
    snapshot = parse_page(corpus_page(corpus_entries()[0]["file"]), path=REF.path)
    first = snapshot.activities[0]
    odd = replace(first, assignments=dict(reversed(list(first.assignments.items()))))
    changed = replace(snapshot, activities=(odd, *snapshot.activities[1:]))

    stored = json.loads(object_bytes(changed)[1])

    assert stored["activities"][0]["assignments"] == dict(odd.assignments)
    assert object_from_dict(stored, REF, path="o.json").activities[0] == odd


def test_a_broken_object_is_an_input_error_naming_it() -> None:
    with pytest.raises(InputError, match=r"o\.json: is not a stored snapshot: KeyError"):
        expanded({"schema_version": 3, "document": {}, "activities": []}, "o.json")


@pytest.fixture
def store_v2(tmp_path: Path) -> Path:
    return tracker_with_store(tmp_path, "store-v2")


def test_reading_a_schema_2_store_recodes_its_objects_in_place(store_v2: Path) -> None:
    shutil.rmtree(store_v2 / "upstream")
    folder = store_v2 / "snapshots/kube/fr-fr"
    before = json.loads((folder / "index.json").read_bytes())
    old_bytes = sum(len(b) for b in files(folder / "objects").values())

    revisions = list(SnapshotStore(store_v2 / "snapshots").revisions("kube", "fr-fr"))
    index = json.loads((folder / "index.json").read_bytes())
    stored = files(folder / "objects")

    assert index["schema_version"] == 3
    assert [v["commit"] for v in index["versions"]] == [v["commit"] for v in before["versions"]]
    assert {f"{v['object']}.json" for v in index["versions"]} == set(stored)
    assert all(json.loads(b)["schema_version"] == 3 for b in stored.values())
    assert sum(len(b) for b in stored.values()) < old_bytes
    assert [(r.key, len(r.silent_edits)) for r in revisions] == [
        ("2023-01-01", 1),
        ("2023-02-01", 0),
    ]
    assert revisions[0].silent_edits[0].snapshot.activities[0].assignments == {
        "customer": "I",
        "provider": "RA",
    }


def test_a_run_on_a_schema_2_store_ends_as_a_clean_run_does(
    store_v2: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path_factory.mktemp("clean")
    build_upstream(clean / "upstream")
    write_config(clean)

    for folder in (store_v2, clean):
        config = str(folder / "raci-tracker.toml")
        for command in (["run", "--no-progress"], ["report"]):
            with pytest.raises(SystemExit) as done:
                main([*command, "--config", config])
            assert done.value.code in (0, None)
    capsys.readouterr()

    assert files(store_v2 / "snapshots") == files(clean / "snapshots")
    reports = {k: v for k, v in files(clean / "reports").items() if "last-run" not in k}
    assert {k: v for k, v in files(store_v2 / "reports").items() if "last-run" not in k} == reports


def test_a_text_a_store_just_parsed_is_the_snapshot_its_object_gives(tmp_path: Path) -> None:
    """What `SnapshotStore.remember` keeps stands for the object: every corpus text, parsed in a
    walk, equals the snapshot read back from its object by a store that never parsed it."""
    walked = walked_corpus(tmp_path)
    index = SnapshotStore(tmp_path / "snapshots").load_index("doc", "fr-fr")
    assert index is not None
    versions = [v for v in index.versions if v.object]
    assert len({v.object for v in versions}) >= PARSED_KEPT // 8  # most of the corpus's texts
    for version in versions:
        assert ("doc", "fr-fr", version.object) in walked._parsed  # not read from its file
        kept = walked.load_object("doc", "fr-fr", version)
        read = SnapshotStore(tmp_path / "snapshots").load_object("doc", "fr-fr", version)
        assert kept == read, version.ref.commit


def walked_corpus(tmp_path: Path) -> SnapshotStore:
    """The store of a page that was every corpus text in turn, a commit each, as its walk left
    it (in `tmp_path / "snapshots"`)."""
    repo = GitRepo(tmp_path / "upstream")
    for entry in corpus_entries():
        repo.save("guide.fr-fr.md", corpus_page(entry["file"]))
    target = PageTarget("doc", "fr-fr", "upstream", None, "guide.fr-fr.md")
    walked = SnapshotStore(tmp_path / "snapshots")
    with GitSource(repo.root) as source:
        update_page(source, walked, target)
    return walked


def test_an_index_read_back_holds_each_of_its_repeated_paths_and_dates_once(
    tmp_path: Path,
) -> None:
    """A run holds every page's index: the path and the date its versions repeat are one string
    each, not a copy per version as JSON gives them."""
    walked_corpus(tmp_path)
    index = SnapshotStore(tmp_path / "snapshots").load_index("doc", "fr-fr")
    assert index is not None and len(index.versions) > 20
    assert len({id(v.ref.path) for v in index.versions}) == 1
    dates = {v.date for v in index.versions}
    assert len(dates) < len(index.versions)  # dated revisions with silent edits between
    assert len({id(v.date) for v in index.versions}) == len(dates)


def test_an_index_read_again_is_decoded_once_and_each_reader_may_change_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    two_pages(folder, 3)
    store = SnapshotStore(folder / "snapshots")
    decoded = counted_calls(monkeypatch, "index_from_dict")
    first = store.load_index("kube", "en-gb")
    assert first is not None and first.versions
    first.versions.clear()
    first.parties["customer"] = ["Client"]
    second = store.load_index("kube", "en-gb")

    assert len(decoded) == 1
    assert second is not None and second.versions and "customer" not in second.parties

    path = folder / "snapshots/kube/en-gb/index.json"
    data = json.loads(path.read_bytes())
    path.write_text(json.dumps({**data, "last_commit": "0" * 40}), encoding="utf-8")
    third = store.load_index("kube", "en-gb")

    assert len(decoded) == 2 and third is not None and third.last_commit == "0" * 40
    with store.batched():
        store.write_index(replace(third, last_commit="1" * 40))
        written = store.load_index("kube", "en-gb")
    assert len(decoded) == 2 and written is not None and written.last_commit == "1" * 40


def counted_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The paths the store's `name` (`loads`, `index_from_dict`) is given from now on."""
    calls: list[str] = []
    real = getattr(store_module, name)

    def counted(data: Any, path: str) -> Any:
        calls.append(Path(path).parent.parent.name)
        return real(data, path=path)

    monkeypatch.setattr(store_module, name, counted)
    return calls


def test_a_page_with_nothing_new_decodes_only_its_index_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, config = two_pages(tmp_path / "tracker", 3)
    decoded = counted_calls(monkeypatch, "index_from_dict")
    run(config)
    repo.save("unrelated.md", "a commit that touches no page\n")
    run(config)
    assert decoded == []

    new_letters(repo)
    run(config)
    assert "kube" in decoded  # the reports may read `other` whole: the index lists its revisions


def test_an_index_head_then_its_index_are_decoded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    two_pages(folder, 3)
    store = SnapshotStore(folder / "snapshots")
    decoded = counted_calls(monkeypatch, "loads")
    head = store.load_index_head("kube", "en-gb")
    index = store.load_index("kube", "en-gb")
    assert decoded == ["kube"]
    assert index is not None and head == index.head() and head.last_commit

    store.forget()
    store.load_index_head("kube", "en-gb")
    path = folder / "snapshots/kube/en-gb/index.json"
    data = json.loads(path.read_bytes())
    path.write_text(json.dumps({**data, "last_commit": "0" * 40}), encoding="utf-8")
    changed = store.load_index("kube", "en-gb")
    assert decoded == ["kube"] * 3 and changed is not None and changed.last_commit == "0" * 40
