"""Revisions from real git histories: renames, moves, merges, silent edits, deletion, binary text,
dates that go backwards and rewritten upstreams, through the store and incrementally."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from raci_tracker.history.objects import expanded
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageTarget, PageUpdate, update_page, walk_history
from raci_tracker.model import PageCommit
from tests.gitrepo import GitRepo
from tests.helpers import corpus_page

OLD_PATH = "pages/platform/kubernetes-k8s/responsibility-model/guide.fr-fr.md"
NEW_PATH = (
    "pages/public_cloud/containers_orchestration/managed_kubernetes/responsibility-model/"
    "guide.fr-fr.md"
)


def page(updated: str | None, backups: str = "I | RA", extra: str = "") -> str:
    front = f"---\ntitle: RACI\nupdated: {updated}\n---\n" if updated else "---\ntitle: RACI\n---\n"
    return (
        f"{front}\n### 1. Service\n\n| Activité | Client | OVHcloud |\n| --- | --- | --- |\n"
        f"| Sauvegarder les données | {backups} |\n| Installer le cluster | I | RA |\n{extra}"
    )


def target(path: str = "guide.fr-fr.md") -> PageTarget:
    return PageTarget("managed-kubernetes", "fr-fr", "upstream", None, path)


@pytest.fixture
def managed_kubernetes(tmp_path: Path) -> GitRepo:
    """The real Managed Kubernetes fr-fr history: two texts dated 2023-07-05 (a silent edit),
    a move between folders, then the 2023-07-06 text, with unrelated commits between."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save("README.md", "docs\n")
    repo.save(OLD_PATH, corpus_page("managed-kubernetes/fr-fr/2023-07-05__2255c02.md"))
    repo.save("pages/other.md", "unrelated\n")
    repo.save(OLD_PATH, corpus_page("managed-kubernetes/fr-fr/2023-07-05__bdd59f0.md"))
    repo.move(OLD_PATH, NEW_PATH)
    repo.save(NEW_PATH, corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md"))
    return repo


def test_real_history_follows_the_move_and_keeps_the_silent_edit(
    managed_kubernetes: GitRepo,
) -> None:
    with GitSource(managed_kubernetes.root) as source:
        listing = walk_history(source, target(NEW_PATH))
    first, second = listing.revisions
    commits = managed_kubernetes.git("log", "--format=%H", "--reverse").splitlines()

    assert [(r.date, r.date_source, len(r.snapshot.activities)) for r in listing.revisions] == [
        ("2023-07-05", "front-matter", 58),
        ("2023-07-06", "front-matter", 58),
    ]
    assert [ref.commit for ref in first.commits] == [commits[1], commits[3], commits[4]]
    assert (first.ref.commit, first.ref.path) == (commits[4], NEW_PATH)
    assert [edit.ref.commit for edit in first.silent_edits] == [commits[1]]
    assert first.silent_edits[0].ref.path == OLD_PATH
    assert first.silent_edits[0].snapshot.source.sha256 != first.snapshot.source.sha256
    assert [ref.commit for ref in second.commits] == [commits[5]]
    assert [(r.commit, r.old_path, r.new_path) for r in listing.renames] == [
        (commits[4], OLD_PATH, NEW_PATH)
    ]
    assert listing.notes == []


def test_merges_are_read_along_the_first_parent(tmp_path: Path) -> None:
    """A change made on a branch shows as the merge commit that published it."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("2023-01-01"))
    repo.git("checkout", "-q", "-b", "edit")
    repo.save("guide.fr-fr.md", page("2023-02-01", backups="RA | I"))
    repo.git("checkout", "-q", "main")
    repo.save("other.md", "main moved on\n")
    repo.git("merge", "-q", "--no-ff", "edit", "-m", "Merge edit", when=repo.clock + 3600)
    merge = repo.head()

    with GitSource(repo.root) as source:
        listing = walk_history(source, target())

    assert [(r.date, r.ref.commit) for r in listing.revisions][-1] == ("2023-02-01", merge)
    assert len(listing.revisions) == 2


def test_deletion_is_a_revision_and_the_page_can_come_back(tmp_path: Path) -> None:
    """Deleted on 2023-06-29 (the commit's date), published again dated 2023-08-01."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("2023-01-01"))
    deleted = repo.remove("guide.fr-fr.md")
    repo.save("guide.fr-fr.md", page("2023-08-01", backups="RA | I"))

    with GitSource(repo.root) as source:
        listing = walk_history(source, target())

    assert [(r.date, r.status, len(r.snapshot.activities)) for r in listing.revisions] == [
        ("2023-01-01", "published", 2),
        ("2023-06-29", "deleted", 0),
        ("2023-08-01", "published", 2),
    ]
    deletion = listing.revisions[1]
    assert (deletion.ref.commit, deletion.date_source) == (deleted, "commit")
    assert [f.rule for f in deletion.snapshot.findings] == ["page-deleted"]
    assert [(n.rule, n.commit) for n in listing.notes] == [
        ("page-restored", listing.revisions[2].ref.commit)
    ]
    assert "the text is not the one deleted" in listing.notes[0].message


def test_a_date_that_goes_backwards_is_noted(tmp_path: Path) -> None:
    """The later commit keeps its own (earlier) date, in commit order, and the history says so:
    the text in force today is the backdated one, the text at HEAD."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("2023-05-01"))
    backdated = repo.save("guide.fr-fr.md", page("2023-04-01", backups="RA | I"))

    with GitSource(repo.root) as source:
        listing = walk_history(source, target())

    assert [r.date for r in listing.revisions] == ["2023-05-01", "2023-04-01"]
    assert listing.revisions[-1].ref.commit == backdated
    assert [(n.rule, n.commit) for n in listing.notes] == [("date-backwards", backdated)]
    assert [n.rule for n in listing.revisions[-1].notes] == ["date-backwards"]


def test_binary_text_is_skipped_and_recorded(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("2023-01-01"))
    binary = repo.save("guide.fr-fr.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    repo.save("guide.fr-fr.md", page("2023-02-01"))

    with GitSource(repo.root) as source:
        listing = walk_history(source, target())

    assert [r.date for r in listing.revisions] == ["2023-01-01", "2023-02-01"]
    assert [(s.commit, s.reason) for s in listing.skipped] == [
        (binary, "is a binary file, not a Markdown page")
    ]
    assert [n.rule for n in listing.notes] == ["revision-skipped"]


def test_undated_text_takes_the_commit_date_with_one_note(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    commit = repo.save("guide.fr-fr.md", page(None))
    body_dated = repo.save(
        "guide.fr-fr.md", page(None, extra="\n**Last updated January 26th, 2024**\n")
    )

    with GitSource(repo.root) as source:
        listing = walk_history(source, target())

    assert [(r.date, r.date_source) for r in listing.revisions] == [
        ("2023-06-29", "commit"),
        ("2024-01-26", "body"),
    ]
    assert [(n.rule, n.commit) for n in listing.notes] == [("date-missing", commit)]
    assert body_dated == listing.revisions[1].ref.commit


def test_same_date_same_text_is_not_a_silent_edit(tmp_path: Path) -> None:
    """A rename keeps the blob: more commits for the date, no silent edit."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save("a/guide.fr-fr.md", page("2023-01-01"))
    repo.move("a/guide.fr-fr.md", "b/guide.fr-fr.md")

    with GitSource(repo.root) as source:
        (revision,) = walk_history(source, target("b/guide.fr-fr.md")).revisions

    assert len(revision.commits) == 2
    assert revision.silent_edits == ()
    assert revision.snapshot.source.path == "b/guide.fr-fr.md"


# --- the store ----------------------------------------------------------------------------------


class CountingSource(GitSource):
    """A real GitSource that counts what it is asked to do."""

    blobs_read = 0
    listings = 0

    def read_blob(self, blob: str) -> bytes:
        CountingSource.blobs_read += 1
        return super().read_blob(blob)

    def page_commits(self, head: str, path: str) -> list[PageCommit]:
        CountingSource.listings += 1
        return super().page_commits(head, path)


def store_update(repo: GitRepo, store: SnapshotStore, path: str = NEW_PATH) -> PageUpdate:
    CountingSource.blobs_read = CountingSource.listings = 0
    with CountingSource(repo.root) as source:
        return update_page(source, store, target(path))


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def objects(folder: Path) -> set[str]:
    return {p.name for p in (folder / "objects").iterdir()}


def test_store_layout_and_provenance(managed_kubernetes: GitRepo, tmp_path: Path) -> None:
    """Three texts, four commits: four versions, three objects, two dated revisions."""
    store = SnapshotStore(tmp_path / "snapshots")

    update = store_update(managed_kubernetes, store)
    folder = tmp_path / "snapshots/managed-kubernetes/fr-fr"
    index = json.loads((folder / "index.json").read_bytes())
    commits = managed_kubernetes.git("log", "--format=%H", "--reverse").splitlines()

    assert sorted(files(folder)) == ["index.json", *sorted(f"objects/{o}" for o in objects(folder))]
    assert len(objects(folder)) == 3
    assert update.status == "updated"
    assert update.changed_dates == ["2023-07-05", "2023-07-06"]
    assert index["schema_version"] == 3
    assert index["last_commit"] == managed_kubernetes.head()
    assert [(v["commit"], v["path"], v["date"]) for v in index["versions"]] == [
        (commits[1], OLD_PATH, "2023-07-05"),
        (commits[3], OLD_PATH, "2023-07-05"),
        (commits[4], NEW_PATH, "2023-07-05"),
        (commits[5], NEW_PATH, "2023-07-06"),
    ]
    assert index["versions"][1]["object"] == index["versions"][2]["object"]  # a move: same text
    assert index["versions"][0]["commit_time"].endswith("Z")
    assert [(r["key"], len(r["commits"]), r["silent_edits"]) for r in index["revisions"]] == [
        ("2023-07-05", 3, 1),
        ("2023-07-06", 1, 0),
    ]
    assert index["renames"][0]["to"] == NEW_PATH
    stored = json.loads(
        (folder / "objects" / f"{index['versions'][0]['object']}.json").read_bytes()
    )
    assert len(stored["activities"]) == 58
    assert "commit" not in stored["source"] and "path" not in stored["source"]
    schema = json.loads(
        resources.files("raci_tracker").joinpath("schemas/snapshot.schema.json").read_text("utf-8")
    )
    for name in objects(folder):
        stored = json.loads((folder / "objects" / name).read_bytes())
        jsonschema.validate(expanded(stored, name), schema)
    first, _ = store.revisions("managed-kubernetes", "fr-fr")
    assert first.silent_edits[0].ref.path == OLD_PATH
    assert first.silent_edits[0].snapshot.source.path == OLD_PATH
    assert (first.snapshot.source.commit, first.snapshot.source.path) == (commits[4], NEW_PATH)


def test_second_run_with_nothing_new_reads_nothing_and_writes_nothing(
    managed_kubernetes: GitRepo, tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path / "snapshots")
    store_update(managed_kubernetes, store)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "snapshots").rglob("*.json")}

    update = store_update(managed_kubernetes, store)

    assert update.status == "unchanged"
    assert (CountingSource.blobs_read, CountingSource.listings) == (0, 0)
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "snapshots").rglob("*.json")} == before


def test_objects_a_killed_run_left_are_counted_by_the_run_that_takes_them_in(
    managed_kubernetes: GitRepo, tmp_path: Path
) -> None:
    """A run killed after storing objects, before its index: the next run finds their files
    there, and still counts them among the files it adds to the store, as a run never killed
    does (the run's line says the same, whether a parallel worker died or not)."""
    whole = SnapshotStore(tmp_path / "whole")
    written = store_update(managed_kubernetes, whole).files_written
    folder = tmp_path / "left/managed-kubernetes/fr-fr/objects"
    shutil.copytree(tmp_path / "whole/managed-kubernetes/fr-fr/objects", folder)
    (folder / sorted(objects(folder.parent))[0]).unlink()  # one not stored yet

    update = store_update(managed_kubernetes, SnapshotStore(tmp_path / "left"))

    assert update.files_written == written == 4  # three objects and the index
    again = store_update(managed_kubernetes, SnapshotStore(tmp_path / "left"))
    assert again.files_written == 0


def test_new_commits_are_read_incrementally(managed_kubernetes: GitRepo, tmp_path: Path) -> None:
    """Only the new blob is read; a new text on the same date becomes a silent edit."""
    store = SnapshotStore(tmp_path / "snapshots")
    store_update(managed_kubernetes, store)
    seed = corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md").decode("utf-8")
    managed_kubernetes.save(
        NEW_PATH,
        seed.replace(
            "| Gérer les risques relatifs au SI hébergé "
            "géré par le service Managed Kubernetes | RA |",
            "| Gérer les risques relatifs au SI hébergé "
            "géré par le service Managed Kubernetes | A |",
        ),
    )

    update = store_update(managed_kubernetes, store)
    revision = list(store.revisions("managed-kubernetes", "fr-fr"))[-1]

    assert CountingSource.blobs_read == 1
    assert update.changed_dates == ["2023-07-06"]
    assert update.files_written == 2  # the new text's object and the index
    assert revision.key == "2023-07-06"
    assert len(revision.commits) == 2
    assert len(revision.silent_edits) == 1


def test_a_fresh_walk_and_an_incremental_one_give_the_same_bytes(
    managed_kubernetes: GitRepo, tmp_path: Path
) -> None:
    """Configured at the page's first path, followed forward across the move."""
    incremental = SnapshotStore(tmp_path / "incremental")
    commits = managed_kubernetes.git("log", "--format=%H", "--reverse").splitlines()
    for commit in commits[1:]:
        managed_kubernetes.git("checkout", "-q", commit)
        managed_kubernetes.git("branch", "-f", "tracked", commit)
        CountingSource.blobs_read = 0
        with GitSource(managed_kubernetes.root) as source:
            update_page(
                source,
                incremental,
                PageTarget("managed-kubernetes", "fr-fr", "upstream", "tracked", OLD_PATH),
            )
    fresh = SnapshotStore(tmp_path / "fresh")
    with GitSource(managed_kubernetes.root) as source:
        update_page(
            source,
            fresh,
            PageTarget("managed-kubernetes", "fr-fr", "upstream", "tracked", OLD_PATH),
        )

    assert files(tmp_path / "incremental") == files(tmp_path / "fresh")
    index = json.loads(files(tmp_path / "fresh")["managed-kubernetes/fr-fr/index.json"])
    assert index["current_path"] == NEW_PATH
    assert [n["rule"] for n in index["notes"]] == ["page-moved"]


def test_rewritten_history_is_detected_and_walked_again(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("2023-01-01"))
    repo.save("guide.fr-fr.md", page("2023-02-01", backups="RA | I"))
    store = SnapshotStore(tmp_path / "snapshots")
    store_update(repo, store, "guide.fr-fr.md")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    repo.save("guide.fr-fr.md", page("2023-03-01", backups="C | RA"), "Force-pushed rewrite")

    update = store_update(repo, store, "guide.fr-fr.md")
    index = store.load_index("managed-kubernetes", "fr-fr")

    assert update.rewritten
    assert index is not None
    assert index.dates() == ["2023-01-01", "2023-03-01"]
    assert [n.rule for n in index.notes] == ["history-rewritten"]
    # the vanished version's text is kept, never silently deleted
    assert len(objects(tmp_path / "snapshots/managed-kubernetes/fr-fr")) == 3


def test_a_bad_revision_never_replaces_a_stored_one(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("2023-01-01"))
    store = SnapshotStore(tmp_path / "snapshots")
    store_update(repo, store, "guide.fr-fr.md")
    (stored,) = list(store.revisions("managed-kubernetes", "fr-fr"))
    repo.save("guide.fr-fr.md", b"---\nupdated: 2023-01-01\n---\n" + b"\xff\xfe broken")

    update = store_update(repo, store, "guide.fr-fr.md")

    assert update.skipped == 1
    assert list(store.revisions("managed-kubernetes", "fr-fr")) == [stored]
    index = store.load_index("managed-kubernetes", "fr-fr")
    assert index is not None
    assert [s.reason for s in index.skipped] == ["is not UTF-8 text (byte 28)"]
