"""Versions on real git histories: a page followed forward across moves, deleted and restored,
undated, dated by other fields, at a path that is not a page, and after a foxtrot merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from raci_tracker.cli import main
from raci_tracker.compare.in_force import text_in_force
from raci_tracker.compare.in_force import versions as texts_of
from raci_tracker.errors import InputError
from raci_tracker.history.dating import group_versions, in_force_on
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import HistoryListing, PageTarget, update_page, walk_history
from tests.gitrepo import GitRepo
from tests.helpers import FIXTURES

OLD = "pages/kube/responsibility-model/guide.en-gb.md"
NEW = "pages/public_cloud/kube/responsibility-model/guide.en-gb.md"


def page(updated: str | None, backups: str = "I | RA", extra: str = "", head: str = "") -> str:
    dated = f"updated: {updated}\n" if updated else ""
    return (
        f"---\ntitle: RACI\n{dated}{head}---\n\n### 1. Service\n\n"
        "| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        f"| Back up the data | {backups} |\n| Install the cluster | I | RA |\n{extra}"
    )


def listing(repo: GitRepo, path: str) -> HistoryListing:
    with GitSource(repo.root) as source:
        return walk_history(source, PageTarget("kube", "en-gb", "upstream", None, path))


def cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def configure(folder: Path, path: str) -> Path:
    config = folder / "raci-tracker.toml"
    config.write_text(
        '[output]\nsnapshots = "snapshots"\nreports = "reports"\ncache = "cache"\n\n'
        f'[[documents]]\nid = "kube"\nrepo = "upstream"\npath = "{path}"\n'
        'locales = ["en-gb"]\n',
        encoding="utf-8",
    )
    return config


def index_of(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (folder / "snapshots/kube/en-gb/index.json").read_text(encoding="utf-8")
    )
    return data


# --- moves forward -------------------------------------------------------------------------------


def moved_repo(root: Path, *, meta: bool) -> tuple[GitRepo, list[str]]:
    repo = GitRepo(root)
    old_meta = OLD.rsplit("/", 1)[0] + "/meta.yaml"
    if meta:
        repo.write(old_meta, "id: 7d8f3b0c-kube-responsibility\nfull_slug: kube-raci\n")
    first = repo.save(OLD, page("2023-01-01"))
    (root / NEW).parent.parent.mkdir(parents=True, exist_ok=True)
    repo.git("mv", str(Path(OLD).parent), str(Path(NEW).parent))
    moved = repo.commit("Reorganise the folders")
    edited = repo.save(NEW, page("2023-03-01", backups="RA | I"))
    return repo, [first, moved, edited]


@pytest.mark.parametrize("meta", [True, False])
def test_a_moved_page_is_followed_to_its_new_path(tmp_path: Path, meta: bool) -> None:
    repo, (first, moved, edited) = moved_repo(tmp_path / "upstream", meta=meta)

    found = listing(repo, OLD)

    assert [(v.ref.commit, v.ref.path) for v in found.versions] == [
        (first, OLD),
        (moved, NEW),
        (edited, NEW),
    ]
    assert [(r.key, r.status, r.ref.commit) for r in found.revisions] == [
        ("2023-01-01", "published", moved),
        ("2023-03-01", "published", edited),
    ]
    assert found.revisions[-1].snapshot.activities[0].assignments == {
        "customer": "RA",
        "provider": "I",
    }
    (note,) = found.notes
    assert (note.rule, note.commit) == ("page-moved", moved)
    assert f"set the page's path to {NEW}" in note.message
    assert ("(the same meta.yaml id)" in note.message) is meta
    assert [n.rule for n in found.revisions[0].notes] == ["page-moved"]


def test_a_move_git_cannot_see_is_found_by_the_meta_yaml_id(tmp_path: Path) -> None:
    """Moved and rewritten in one commit: no rename for git, the same guide for meta.yaml."""
    repo = GitRepo(tmp_path / "upstream")
    repo.write(OLD.rsplit("/", 1)[0] + "/meta.yaml", "id: 7d8f3b0c-kube-responsibility\n")
    repo.save(OLD, page("2023-01-01"))
    repo.git("rm", "-q", "-r", str(Path(OLD).parent))
    repo.write(NEW.rsplit("/", 1)[0] + "/meta.yaml", "id: 7d8f3b0c-kube-responsibility\n")
    rewritten = "---\ntitle: Shared responsibility\nupdated: 2023-02-01\n---\n\n" + "\n".join(
        f"| Activity {n} | RA | I |" for n in range(40)
    )
    repo.write(NEW, "| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n" + rewritten)
    moved = repo.commit("Move and rewrite")

    found = listing(repo, OLD)

    assert [v.ref.path for v in found.versions] == [OLD, NEW]
    assert [(n.rule, n.commit) for n in found.notes] == [("page-moved", moved)]


def test_a_rename_to_another_guide_is_not_followed(tmp_path: Path) -> None:
    """git sees a rename, but the meta.yaml ids say it is another guide: a deletion."""
    repo = GitRepo(tmp_path / "upstream")
    repo.write(OLD.rsplit("/", 1)[0] + "/meta.yaml", "id: kube-guide\n")
    repo.save(OLD, page("2023-01-01"))
    repo.git("rm", "-q", OLD.rsplit("/", 1)[0] + "/meta.yaml")
    repo.write(NEW.rsplit("/", 1)[0] + "/meta.yaml", "id: another-guide\n")
    repo.git("mv", OLD, NEW)
    gone = repo.commit("Replace the guide")

    found = listing(repo, OLD)

    assert [(r.status, r.ref.commit) for r in found.revisions][-1] == ("deleted", gone)
    assert [n.rule for n in found.notes] == ["page-move-refused"]


def test_run_says_the_page_moved_in_its_line_last_run_index_and_changelog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    moved_repo(tmp_path / "upstream", meta=True)
    config = configure(tmp_path, OLD)

    code, out, _ = cli("run", "--config", str(config), "--no-progress", capsys=capsys)
    again, out_again, _ = cli("run", "--config", str(config), "--no-progress", capsys=capsys)

    assert code == again == 0
    assert "kube en-gb: 2 revision(s) taken in (2023-01-01, 2023-03-01)" in out
    assert f"the page moved to {NEW}: set its path in the config" in out
    assert f"kube en-gb: up to date; the page moved to {NEW}" in out_again
    assert f"kube en-gb moved to {NEW}" in out.splitlines()[-1]
    last_run = json.loads((tmp_path / "reports/last-run.json").read_text(encoding="utf-8"))
    assert last_run["pages"][0]["moved_to"] == NEW
    index = index_of(tmp_path)
    assert index["current_path"] == NEW
    assert [n["rule"] for n in index["notes"]] == ["page-moved"]  # type: ignore[index]
    changelog = (tmp_path / "reports/kube/en-gb/CHANGELOG.md").read_text(encoding="utf-8")
    assert f"**Note (page-moved):** {OLD} moved to {NEW}" in changelog.replace("\\_", "_")


def test_setting_the_moved_path_in_the_config_takes_in_nothing_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Following the page-moved advice re-reads the page, but nothing upstream is new: no new
    revision, no shift to alert, and `--exit-code` exits 0."""
    moved_repo(tmp_path / "upstream", meta=True)
    config = configure(tmp_path, OLD)
    first, _, _ = cli("run", "--config", str(config), "--no-progress", "--exit-code", capsys=capsys)
    configure(tmp_path, NEW)

    code, out, _ = cli(
        "run", "--config", str(config), "--no-progress", "--exit-code", capsys=capsys
    )

    assert (first, code) == (1, 0)
    assert "0 new revision(s); 0 major, 0 minor" in out.splitlines()[-1]
    last_run = json.loads((tmp_path / "reports/last-run.json").read_text(encoding="utf-8"))
    assert last_run["pages"][0]["new_commits"] == []
    assert last_run["totals"]["shifts"] == 0


def test_new_party_names_in_the_config_read_the_stored_texts_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The texts were read with other names for the parties: read again, they end as a clean
    run with the new names stores them, and nothing upstream is new."""
    folder = FIXTURES / "external/cloud-temple-iaas"
    repo = GitRepo(tmp_path / "upstream")
    for name in ("2025-01-06__d293284.md", "2025-02-03__0386249.md"):
        repo.save("raci.fr.md", (folder / name).read_bytes())
    config = configure(tmp_path, "raci.fr.md")
    cli("run", "--config", str(config), "--no-progress", capsys=capsys)
    before = index_of(tmp_path)
    named = config.read_text("utf-8") + '\n[documents.parties]\nprovider = ["Client"]\n'
    config.write_text(named, "utf-8")

    code, out, _ = cli(
        "run", "--config", str(config), "--no-progress", "--exit-code", capsys=capsys
    )
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "raci-tracker.toml").write_text(named.replace('"upstream"', f'"{repo.root}"'))
    cli("run", "--config", str(clean / "raci-tracker.toml"), "--no-progress", capsys=capsys)

    after = index_of(tmp_path)
    assert code == 0 and "0 new revision(s)" in out.splitlines()[-1]
    assert (before.get("parties"), after["parties"]) == (None, {"provider": ["Client"]})
    assert before["versions"] != after["versions"]  # other objects: the parties read otherwise
    assert after == index_of(clean) | {"repository": "upstream"}


# --- deletions, restores, copies ------------------------------------------------------------------


def test_a_page_deleted_and_restored_the_same_day_is_in_force_again(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-01-01"))
    deleted = repo.remove("guide.en-gb.md")
    restored = repo.save("guide.en-gb.md", page("2023-01-01"), "Restore the guide")

    found = listing(repo, "guide.en-gb.md")

    assert [(r.key, r.status, len(r.snapshot.activities)) for r in found.revisions] == [
        ("2023-01-01", "published", 2),
        ("2023-06-29", "deleted", 0),
        ("2023-01-01.2", "published", 2),
    ]
    (note,) = found.notes
    assert (note.rule, note.commit) == ("page-restored", restored)
    assert deleted[:12] in note.message
    assert "the same as before the deletion" in note.message
    groups = group_versions(found.versions)
    version, group = in_force_on(groups, "2099-01-01") or (None, None)
    assert version is not None and group is not None
    assert (version.ref.commit, group.key) == (restored, "2023-01-01.2")


def test_a_restore_with_the_same_text_nets_to_no_shift_in_the_changelog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-01-01"))
    repo.remove("guide.en-gb.md")
    repo.write("guide.en-gb.md", page("2023-01-01"))
    repo.commit("Restore the guide three days later", at=repo.clock + 86400 * 3)
    config = configure(tmp_path, "guide.en-gb.md")

    code, out, _ = cli("run", "--config", str(config), "--no-progress", capsys=capsys)
    changelog = (tmp_path / "reports/kube/en-gb/CHANGELOG.md").read_text(encoding="utf-8")
    restore = changelog.split("## ")[1]

    assert code == 0
    assert "(2023-01-01, 2023-06-29, 2023-01-01.2)" in out
    assert "deleted by commit" not in restore
    # newest first: the restore, under its own date and the day it came back
    assert restore.startswith("2023-01-01 (restored on 2023-07-02)\n")
    assert "**Note (page-restored):**" in restore
    assert "**No responsibility shift.**" in restore
    assert "(page deleted)" in changelog


def test_a_restored_locale_that_git_sees_as_a_copy_keeps_its_history(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    text = page("2023-01-01", extra="".join(f"| Task {n} | I | RA |\n" for n in range(12)))
    repo.save("guide.fr-fr.md", text)
    own = repo.save("guide.en-gb.md", text.replace("RACI", "RACI (en)"))
    repo.remove("guide.en-gb.md")
    repo.write("guide.en-gb.md", text)  # restored from the sibling, which changes too
    repo.write("guide.fr-fr.md", text + "| Task 99 | I | RA |\n")
    restored = repo.commit("Restore the English guide from the French one")
    raw = repo.git("log", "--follow", "--raw", "--format=%H", "-1", "--", "guide.en-gb.md")
    assert "\tguide.fr-fr.md\tguide.en-gb.md" in raw and " C" in raw  # git sees a copy

    found = listing(repo, "guide.en-gb.md")

    assert found.versions[0].ref.commit == own
    assert [(r.status, r.ref.commit) for r in found.revisions][-1] == ("published", restored)
    assert [n.rule for n in found.notes] == ["page-restored"]


def test_a_new_locale_copied_from_another_starts_its_own_history(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    text = page("2023-01-01", extra="".join(f"| Task {n} | I | RA |\n" for n in range(12)))
    repo.save("guide.fr-fr.md", text)
    repo.write("guide.en-gb.md", text)
    repo.write("guide.fr-fr.md", text + "| Task 99 | I | RA |\n")
    copied = repo.commit("Add the English guide")

    found = listing(repo, "guide.en-gb.md")

    assert [v.ref.commit for v in found.versions] == [copied]


# --- undated pages and other date fields ----------------------------------------------------------


def test_an_undated_page_has_a_revision_per_commit_that_changed_it(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    first = repo.save("guide.en-gb.md", page(None))
    second = repo.save("guide.en-gb.md", page(None, backups="RA | I"))
    repo.save("README.md", "unrelated\n")
    third = repo.save("guide.en-gb.md", page(None, backups="RA | C"))
    repo.move("guide.en-gb.md", "docs/guide.en-gb.md")

    found = listing(repo, "docs/guide.en-gb.md")

    assert [(r.key, r.date_source, len(r.commits)) for r in found.revisions] == [
        ("2023-06-29", "commit", 1),
        ("2023-06-29.2", "commit", 1),
        ("2023-06-29.3", "commit", 2),  # the move changes no text: no revision of its own
    ]
    assert [r.ref.commit for r in found.revisions][:2] == [first, second]
    assert found.revisions[2].commits[0].commit == third
    assert all(r.silent_edits == () for r in found.revisions)
    assert [(n.rule, n.commit) for n in found.notes] == [("date-missing", first)]


@pytest.mark.parametrize(
    ("head", "body", "date", "field"),
    [
        ("lastupdated: 2021-06-07\n", "", "2021-06-07", "lastupdated"),
        ("ms.date: 12/29/2019\n", "", "2019-12-29", "ms.date"),
        ("date: 2020-02-03 10:00:00 +0000\n", "", "2020-02-03", "date"),
        ("last_modified: 2022-11-30\n", "", "2022-11-30", "last_modified"),
        ("", "\nLast modified on Jun 07, 2021\n", "2021-06-07", "body"),
    ],
)
def test_pages_dated_by_other_fields(
    tmp_path: Path, head: str, body: str, date: str, field: str
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page(None, head=head, extra=body))
    repo.save("guide.en-gb.md", page(None, head=head, extra=body + "| Patch | I | RA |\n"))

    found = listing(repo, "guide.en-gb.md")

    (revision,) = found.revisions
    assert (revision.key, len(revision.silent_edits)) == (date, 1)
    assert revision.snapshot.document.date_field == field
    assert found.notes == []


# --- paths that are not pages ---------------------------------------------------------------------


def test_a_path_no_commit_touches_is_an_input_error_and_keeps_the_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-01-01"))
    config = configure(tmp_path, "guide.en-gb.md")
    cli("run", "--config", str(config), "--no-progress", capsys=capsys)
    before = index_of(tmp_path)
    configure(tmp_path, "guide.en_gb.md")

    code, out, err = cli("run", "--config", str(config), "--no-progress", capsys=capsys)

    assert code == 2
    assert "kube en-gb: failed: no commit of" in err
    assert "touches 'guide.en_gb.md'" in err
    assert index_of(tmp_path) == before
    assert "1 failed" in out


def test_a_path_that_looks_like_a_pattern_is_read_literally(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide1.md", page("2023-01-01"))
    literal = repo.save("guide[1].md", page("2023-02-01"))

    found = listing(repo, "guide[1].md")

    assert [v.ref.commit for v in found.versions] == [literal]
    with GitSource(repo.root) as source, pytest.raises(InputError, match=r"'guide\[2\]\.md'"):
        source.page_commits(source.resolve(None), "guide[2].md")


def test_a_folder_is_an_input_error(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("docs/guide.en-gb.md", page("2023-01-01"))

    with pytest.raises(InputError, match="'docs' is a folder, not a page"):
        listing(repo, "docs")


def test_a_page_whose_path_became_a_folder_fails_on_each_run_that_changes_it(
    tmp_path: Path,
) -> None:
    """A commit that makes the path a folder holding a link reads as the page's deletion; a
    later commit inside the folder, which a clean run refuses as a folder, is not "nothing
    new" (found by `tests/test_listing.py`'s runs after each commit)."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-01-01"))
    store = SnapshotStore(tmp_path / "store")
    target = PageTarget("kube", "en-gb", "upstream", None, "guide.en-gb.md")
    with GitSource(repo.root) as source:
        update_page(source, store, target)
    (repo.root / "guide.en-gb.md").unlink()
    (repo.root / "guide.en-gb.md").mkdir()
    (repo.root / "guide.en-gb.md/inner.md").symlink_to("elsewhere.md")
    repo.commit("The page becomes a folder")
    with GitSource(repo.root) as source:
        update_page(source, store, target)
    (repo.root / "guide.en-gb.md/inner.md").unlink()
    repo.save("guide.en-gb.md/inner.md", page("2023-03-01"))
    kept = store.load_index("kube", "en-gb")

    with GitSource(repo.root) as source, pytest.raises(InputError, match="is a folder"):
        update_page(source, store, target)
    with GitSource(repo.root) as source, pytest.raises(InputError, match="is a folder"):
        walk_history(source, target)  # as a clean run says
    assert store.load_index("kube", "en-gb") == kept


def test_a_symlink_an_lfs_pointer_and_a_submodule_are_skipped(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    good = repo.save("guide.en-gb.md", page("2023-01-01"))
    repo.save("real.md", page("2023-05-01"))
    repo.remove("guide.en-gb.md")
    (repo.root / "guide.en-gb.md").symlink_to("real.md")
    link = repo.commit("Link the guide")
    (repo.root / "guide.en-gb.md").unlink()
    lfs = repo.save(
        "guide.en-gb.md",
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 12\n",
    )
    repo.remove("guide.en-gb.md")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{good},guide.en-gb.md")
    repo.git("commit", "-q", "-m", "Make the guide a submodule", when=repo.clock + 60)
    submodule = repo.head()

    found = listing(repo, "guide.en-gb.md")

    assert [(s.commit, s.reason) for s in found.skipped] == [
        (link, "a symbolic link, not a page"),
        (lfs, "a Git LFS pointer: the page's text is not in the repository"),
        (submodule, "a submodule (a gitlink to another repository), not a page"),
    ]
    assert [n.rule for n in found.notes] == ["revision-skipped"] * 3
    assert [r.status for r in found.revisions] == ["published", "deleted", "deleted"]


# --- one history ----------------------------------------------------------------------------------


def test_a_foxtrot_merge_walks_the_page_again(tmp_path: Path) -> None:
    """The tracked tip becomes the second parent of a merge made on a side branch: still an
    ancestor, but no longer on the first-parent line, so the page is walked again in full."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-01-01"))
    fork = repo.head()
    repo.save("guide.en-gb.md", page("2023-02-01", backups="RA | I"))
    store = SnapshotStore(tmp_path / "incremental")
    target = PageTarget("kube", "en-gb", "upstream", None, "guide.en-gb.md")
    with GitSource(repo.root) as source:
        update_page(source, store, target)
    tip = repo.head()
    repo.git("checkout", "-q", "-b", "side", fork)
    side = repo.save("guide.en-gb.md", page("2023-03-01", backups="C | RA"))
    repo.git("merge", "-q", "--no-ff", "-X", "ours", tip, "-m", "Foxtrot", when=repo.clock + 60)
    repo.git("branch", "-f", "main", "HEAD")
    repo.git("checkout", "-q", "main")

    with GitSource(repo.root) as source:
        update = update_page(source, store, target)
        update_page(source, SnapshotStore(tmp_path / "fresh"), target)

    assert update.rewritten
    index = store.load_index("kube", "en-gb")
    assert index is not None
    # the merge kept the side branch's text: the page's last change is the side commit
    assert [(r.key, r.commit) for r in index.revisions][-1] == ("2023-03-01", side)
    assert [v.ref.commit for v in index.versions][-1] == side
    assert [n.rule for n in index.notes] == ["history-rewritten"]
    fresh = SnapshotStore(tmp_path / "fresh").load_index("kube", "en-gb")
    assert fresh is not None and fresh.versions == index.versions


def test_a_date_that_goes_backwards_is_in_the_changelog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-05-01"))
    repo.save("guide.en-gb.md", page("2023-04-01", backups="RA | I"))
    config = configure(tmp_path, "guide.en-gb.md")

    cli("run", "--config", str(config), "--no-progress", capsys=capsys)
    changelog = (tmp_path / "reports/kube/en-gb/CHANGELOG.md").read_text(encoding="utf-8")
    code, matrix, _ = cli(
        "matrix", "--config", str(config), "--doc", "kube", "--format", "json", capsys=capsys
    )

    newest = changelog.split("## ")[1]
    assert newest.startswith("2023-04-01\n")
    assert "**Note (date-backwards):**" in newest
    assert code == 0
    assert json.loads(matrix)["revision"]["date"] == "2023-04-01"  # in force today: HEAD's text


def test_in_force_today_is_the_text_at_head_whatever_its_date(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-01-01"))
    head = repo.save("guide.en-gb.md", page("2099-01-01", backups="RA | I"))

    found = listing(repo, "guide.en-gb.md")

    version = text_in_force(found.revisions, "2024-01-01")
    assert version is not None
    assert (version.ref.commit, version.revision.date) == (head, "2099-01-01")
    assert [r.key for r in found.revisions] == ["2023-01-01", "2099-01-01"]
    assert text_in_force(found.revisions, "2023-06-01") is None


def test_a_history_with_no_readable_text_never_replaces_a_stored_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.en-gb.md", page("2023-01-01"))
    (repo.root / "link.md").symlink_to("guide.en-gb.md")
    repo.commit("Link the guide")
    config = configure(tmp_path, "guide.en-gb.md")
    cli("run", "--config", str(config), "--no-progress", capsys=capsys)
    before = index_of(tmp_path)
    configure(tmp_path, "link.md")

    code, _, err = cli("run", "--config", str(config), "--no-progress", capsys=capsys)

    assert code == 2
    assert "no commit of 'link.md' has a readable page any more" in err
    assert "the 1 stored version(s) are kept" in err
    assert index_of(tmp_path) == before


def test_in_force_on_a_date_is_the_last_version_committed_by_then(tmp_path: Path) -> None:
    """A silent edit committed after D is not in force on D, though it carries D's date."""
    repo = GitRepo(tmp_path / "upstream")
    first = repo.save(
        "guide.en-gb.md",
        page("2023-01-01"),
    )
    repo.write("guide.en-gb.md", page("2023-01-01", backups="RA | I"))
    silent = repo.commit("Silent edit", at=repo.clock + 86400 * 10)  # 2023-07-09
    store = SnapshotStore(tmp_path / "snapshots")
    with GitSource(repo.root) as source:
        update_page(source, store, PageTarget("kube", "en-gb", "upstream", None, "guide.en-gb.md"))

    before = store.in_force("kube", "en-gb", "2023-07-01")
    after = store.in_force("kube", "en-gb", "2023-07-09")

    assert before is not None and after is not None
    assert before[0].source.commit == first
    assert before[0].activities[0].assignments == {"customer": "I", "provider": "RA"}
    assert after[0].source.commit == silent
    assert before[1].key == after[1].key == "2023-01-01"
    assert len(after[1].silent_edits) == 1
    assert store.in_force("kube", "en-gb", "2023-06-28") is None


def test_the_diligence_texts_cite_the_commit_that_made_each_change(tmp_path: Path) -> None:
    """A text kept across a move is one text, published by the commit that wrote it."""
    repo = GitRepo(tmp_path / "upstream")
    first = repo.save("a/guide.en-gb.md", page("2023-01-01"))
    repo.move("a/guide.en-gb.md", "b/guide.en-gb.md")
    edited = repo.save("b/guide.en-gb.md", page("2023-01-01", backups="RA | I"))
    repo.move("b/guide.en-gb.md", "c/guide.en-gb.md")

    found = listing(repo, "c/guide.en-gb.md")

    (revision,) = found.revisions
    assert len(revision.commits) == 4
    assert [v.ref.commit for v in texts_of(found.revisions)] == [first, edited]


def test_a_file_name_that_is_not_utf8_in_history_is_shown_and_stored_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """git names files in bytes; a Latin-1 name in a page's history once made every run fail."""
    repo = GitRepo(tmp_path / "upstream")
    latin1 = "guide\udce9.en-gb.md"  # the bytes b"guide\xe9.en-gb.md" as the file system keeps them
    repo.save(latin1, page("2023-01-01"))
    repo.git("mv", latin1, "guide.en-gb.md")
    repo.commit("Rename to ASCII")
    repo.save("guide.en-gb.md", page("2023-02-01", backups="RA | I"))
    config = configure(tmp_path, "guide.en-gb.md")

    code, out, _ = cli("run", "--config", str(config), "--no-progress", capsys=capsys)
    again, out_again, _ = cli("run", "--config", str(config), "--no-progress", capsys=capsys)

    assert (code, again) == (0, 0)
    assert "0 failed" in out.splitlines()[-1] and "0 report file(s)" in out_again.splitlines()[-1]
    renames = index_of(tmp_path)["renames"]
    assert renames == [  # the byte git could not decode, written out as \xe9
        {"commit": renames[0]["commit"], "from": "guide\\xe9.en-gb.md", "to": "guide.en-gb.md"}  # type: ignore[index]
    ]
