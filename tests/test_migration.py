"""A store written by the version-1 code (`tests/fixtures/store-v1/`, written by `raci-tracker
run` before versions were stored) is migrated in place and goes on as if it had been written
by today's code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from raci_tracker.cli import main
from raci_tracker.errors import InputError
from raci_tracker.history.store import SnapshotStore
from tests.legacy_store import build_upstream, tracker_with_store, write_config


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    return tracker_with_store(tmp_path, "store-v1")


def test_the_fixture_matches_the_history_it_was_written_from(legacy: Path) -> None:
    index = json.loads((legacy / "snapshots/kube/fr-fr/index.json").read_bytes())
    log = (legacy / "upstream/.git").exists()

    assert log and index["schema_version"] == 1
    assert index["last_commit"] == (
        (legacy / "upstream/.git/refs/heads/main").read_text(encoding="ascii").strip()
    )


def test_reading_a_version_1_store_migrates_it_in_place_without_git(legacy: Path) -> None:
    shutil.rmtree(legacy / "upstream")
    store = SnapshotStore(legacy / "snapshots")

    revisions = list(store.revisions("kube", "fr-fr"))
    folder = legacy / "snapshots/kube/fr-fr"
    index = json.loads((folder / "index.json").read_bytes())

    assert [(r.key, len(r.commits), len(r.silent_edits)) for r in revisions] == [
        ("2023-01-01", 2, 1),
        ("2023-02-01", 1, 0),
    ]
    assert revisions[0].silent_edits[0].snapshot.activities[0].assignments == {
        "customer": "I",
        "provider": "RA",
    }
    assert revisions[0].snapshot.activities[0].assignments == {"customer": "RA", "provider": "I"}
    assert index["schema_version"] == 3
    assert len(index["versions"]) == 3
    assert sorted(p.name for p in folder.iterdir()) == ["index.json", "objects"]
    assert len(list((folder / "objects").iterdir())) == 3
    # version 1 filed the undated page's two commits under one date, the first as a silent edit
    undated = list(store.revisions("kube", "en-gb"))
    en_gb = json.loads((legacy / "snapshots/kube/en-gb/index.json").read_bytes())
    assert [(r.key, r.date_source, r.silent_edits) for r in undated] == [
        ("2023-06-29", "commit", ()),
        ("2023-06-29.2", "commit", ()),
    ]
    assert [n["rule"] for n in en_gb["notes"]] == ["date-missing"]


def test_a_run_on_a_migrated_store_ends_as_a_clean_run_does(
    legacy: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path_factory.mktemp("clean")
    build_upstream(clean / "upstream")
    write_config(clean)

    for folder in (legacy, clean):
        with pytest.raises(SystemExit) as done:
            main(["run", "--config", str(folder / "raci-tracker.toml"), "--no-progress"])
        assert done.value.code in (0, None)
    capsys.readouterr()

    assert files(legacy / "snapshots") == files(clean / "snapshots")
    # what a run took in differs: the upgraded store's history is not news to its user
    this_run = {"last-run.json", "last-run.md"}
    legacy_reports, clean_reports = files(legacy / "reports"), files(clean / "reports")
    assert {k: v for k, v in legacy_reports.items() if k not in this_run} == {
        k: v for k, v in clean_reports.items() if k not in this_run
    }
    took_in = json.loads(legacy_reports["last-run.json"])["totals"]
    assert (took_in["new_revisions"], took_in["shifts"]) == (0, 0)


def test_an_index_of_an_unknown_schema_is_an_input_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots/kube/fr-fr"
    folder.mkdir(parents=True)
    (folder / "index.json").write_text('{"schema_version": 4}\n', encoding="utf-8")

    with pytest.raises(InputError) as caught:
        SnapshotStore(tmp_path / "snapshots").load_index("kube", "fr-fr")

    assert (
        str(caught.value)
        == f"{folder / 'index.json'}: is not a raci-tracker index (schema_version 4)"
    )


@pytest.mark.parametrize("schema", [3, 4])
def test_an_index_head_is_read_as_its_index_is(tmp_path: Path, schema: int) -> None:
    """Of an unknown schema, or of this one without its keys: a message naming the file."""
    folder = tmp_path / "snapshots/kube/fr-fr"
    folder.mkdir(parents=True)
    (folder / "index.json").write_text(f'{{"schema_version": {schema}}}\n', encoding="utf-8")
    store = SnapshotStore(tmp_path / "snapshots")

    with pytest.raises(InputError) as head:
        store.load_index_head("kube", "fr-fr")
    with pytest.raises(InputError) as whole:
        store.load_index("kube", "fr-fr")

    for caught in (head, whole):
        assert str(caught.value).startswith(f"{folder / 'index.json'}: is not a raci-tracker index")


def test_a_version_1_revision_file_that_is_not_one_is_an_input_error(legacy: Path) -> None:
    broken = legacy / "snapshots/kube/fr-fr/2023-01-01.json"
    data = json.loads(broken.read_bytes())
    del data["revision"]["commits"]
    broken.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(InputError, match=r"2023-01-01\.json: is not a stored revision: KeyError"):
        SnapshotStore(legacy / "snapshots").load_index("kube", "fr-fr")
    assert (
        json.loads((legacy / "snapshots/kube/fr-fr/index.json").read_bytes())["schema_version"] == 1
    )
