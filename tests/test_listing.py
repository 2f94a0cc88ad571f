"""Property: the pages of a repository listed from one `git log` of the whole repository get
exactly the commits, and the store exactly the bytes, that one `git log --follow` per page gives,
whatever the history: edits, deletions, restores (at the same path or another), copies, renames
and moves into and out of tracked folders, folder moves with their `meta.yaml`, merges,
symbolic links."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from raci_tracker.app.changelogs import stored_page
from raci_tracker.app.run import run
from raci_tracker.app.update import targets
from raci_tracker.config import load_config
from raci_tracker.errors import InputError
from raci_tracker.history.listing import RepositoryLog
from raci_tracker.history.moves import Move, follow_forward
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageTarget, update_page
from raci_tracker.model import PageCommit
from tests.gitrepo import GitRepo
from tests.test_history_properties import files

PATHS = (
    "pages/a/guide.en-gb.md",
    "pages/a/guide.fr-fr.md",
    "pages/b/guide.en-gb.md",
    "pages/a/guide.en-gb.md/inner.md",  # the path as a folder: a literal pathspec matches it
    "other/notes.md",
    "pages/c/guide.en-gb.md",
)
FOLDERS = ("pages/a", "pages/b", "pages/c", "archive/a")
KINDS = (
    *("edit", "edit", "reword", "delete", "move", "copy", "folder", "merge", "link", "other"),
    *("move-and-edit", "restore"),
)

Step = tuple[str, int, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, len(PATHS) - 1),
        st.integers(0, len(PATHS) - 1),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=9,
)


def text(version: int, reworded: bool = False) -> str:
    rows = "".join(f"| Activity {n} | {'I' if n == version else 'RA'} | C |\n" for n in range(12))
    tail = "| Reworded | I | RA |\n" if reworded else ""
    head = f"---\ntitle: Page\nupdated: 2023-0{version + 1}-01\n---\n\n"
    return f"{head}| A | B | C |\n|---|---|---|\n{rows}{tail}"


class History:
    """Upstream commits of every kind on a few paths, each step one commit (or a merge)."""

    def __init__(self, root: Path) -> None:
        self.repo = GitRepo(root)
        for folder in FOLDERS[:3]:
            self.repo.write(f"{folder}/meta.yaml", f"id: {folder[-1]}\n")
        self.repo.write("other/:odd\x01name\n.md", "a name git's log separators could split\n")
        self.repo.save(PATHS[0], text(0))

    @property
    def last(self) -> dict[str, str]:
        """The last text each path held, for restores (at the same path or another)."""
        log = self.repo.git(
            "log", "--format=%x01%H", "--diff-filter=D", "--name-only", "--", *PATHS
        )
        found: dict[str, str] = {}
        for record in log.split("\x01")[1:]:
            commit, *paths = record.split()
            for path in paths:
                found.setdefault(path, self.repo.git("show", f"{commit}^:{path}") + "\n")
        return found

    def exists(self, path: str) -> bool:
        """Something git tracks is at `path`: not the empty folder a move out of it leaves."""
        full = self.repo.root / path
        empty = full.is_dir() and not full.is_symlink() and not any(full.iterdir())
        return os.path.lexists(full) and not empty

    def apply(self, step: Step) -> None:
        kind, one, two, version = step
        source, target = PATHS[one], PATHS[two]
        if kind in ("edit", "reword"):
            self._clear(source)
            self.repo.save(source, text(version, kind == "reword"))
        elif kind == "delete" and self.exists(source):
            self.repo.git("rm", "-rq", source)
            self.repo.commit(f"Remove {source}")
        elif kind in ("move", "copy") and self.exists(source) and source != target:
            self._move_or_copy(kind, source, target)
        elif kind == "move-and-edit" and self.exists(source) and source != target:
            self._move_or_copy("move", source, target, text(version, reworded=True))
        elif kind == "restore" and not self.exists(source) and not self.exists(target):
            self._clear(target)
            self.repo.save(target, self.last.get(source, text(version)))
        elif kind == "folder":
            self._move_folder(FOLDERS[one % 4], FOLDERS[two % 4])
        elif kind == "merge":
            self._merge(source, version)
        elif kind == "link" and not self.exists(source):
            self._clear(source)
            (self.repo.root / source).parent.mkdir(parents=True, exist_ok=True)
            (self.repo.root / source).symlink_to("elsewhere.md")
            self.repo.commit(f"link {source}")
        else:
            self.repo.save("unrelated.md", f"{self.repo.clock}\n")

    def _clear(self, path: str) -> None:
        """Room for a plain file at `path`: a file where a parent folder goes, a link or a
        folder at the path itself, are removed."""
        for blocking in self._in_the_way(path):
            blocking.unlink()
        target = self.repo.root / path
        if target.is_symlink():
            target.unlink()
        elif target.is_dir():
            for inner in target.rglob("*"):
                inner.unlink()
            target.rmdir()

    def _move_or_copy(self, kind: str, source: str, target: str, edit: str | None = None) -> None:
        if (
            self.exists(target)
            or not (self.repo.root / source).is_file()
            or self._in_the_way(target)
        ):
            return
        if kind == "move":
            (self.repo.root / target).parent.mkdir(parents=True, exist_ok=True)
            self.repo.git("mv", source, target)
            if edit is not None:
                self.repo.write(target, edit)
            self.repo.commit(f"Move {source} to {target}")
        else:
            self.repo.save(target, (self.repo.root / source).read_bytes())

    def _in_the_way(self, path: str) -> list[Path]:
        """The files and links (dangling ones too) where a folder of `path` goes."""
        parents = [self.repo.root / parent for parent in Path(path).parents]
        return [parent for parent in parents if parent.is_symlink() or parent.is_file()]

    def _move_folder(self, old: str, new: str) -> None:
        if old == new or not (self.repo.root / old).is_dir() or self.exists(new):
            return
        self.repo.move(old, new)

    def _merge(self, path: str, version: int) -> None:
        self.repo.git("checkout", "-q", "-b", "side")
        self._clear(path)
        self.repo.save(path, text(version, reworded=True))
        self.repo.git("checkout", "-q", "main")
        self.repo.save("unrelated.md", f"main {self.repo.clock}\n")
        self.repo.git("merge", "-q", "--no-ff", "side", "-m", "Merge", when=self.repo.clock + 60)
        self.repo.clock += 60
        self.repo.git("branch", "-q", "-D", "side")


def listed(source: GitSource, path: str) -> tuple[list[PageCommit], list[Move]] | str:
    try:
        return follow_forward(source, source.resolve(None), path)
    except InputError as error:
        return error.detail


def stored(root: Path, repo: Path, one_pass: bool) -> dict[str, bytes]:
    root.mkdir()
    update_every_page(root, repo, one_pass)
    return files(root)


def update_every_page(root: Path, repo: Path, one_pass: bool) -> None:
    """One run over every path: a page that cannot be read leaves why beside the store."""
    store = SnapshotStore(root)
    with GitSource(repo) as source:
        source.one_pass = one_pass
        for number, path in enumerate(PATHS):
            target = PageTarget(f"doc-{number}", "en-gb", "upstream", None, path)
            error_file = root / f"doc-{number}.error"
            try:
                update_page(source, store, target)
                error_file.unlink(missing_ok=True)
            except InputError as error:
                error_file.write_text(error.detail, encoding="utf-8")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_one_pass_lists_every_page_as_follow_does(history: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        upstream = History(root / "upstream")
        for step in history:
            upstream.apply(step)
        with GitSource(upstream.repo.root) as by_page, GitSource(upstream.repo.root) as one:
            by_page.one_pass, one.one_pass = False, True
            for path in (*PATHS, *(f"{f}/guide.en-gb.md" for f in FOLDERS), "pages"):
                assert listed(one, path) == listed(by_page, path), path

        clean = stored(root / "by-page", upstream.repo.root, one_pass=False)
        assert stored(root / "one-pass", upstream.repo.root, one_pass=True) == clean


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
@example([("link", 3, 0, 0), ("edit", 3, 0, 0)])  # the page's path becomes a folder
@example([("link", 5, 0, 0), ("folder", 2, 3, 0), ("edit", 5, 0, 0)])  # a skipped text moves away
@example([("edit", 3, 0, 0), ("move", 3, 1, 0), ("delete", 0, 0, 0)])  # a folder left empty
@example([("move-and-edit", 0, 1, 0), ("link", 0, 0, 0), ("move", 1, 3, 0)])  # into a link
def test_pages_taken_in_run_after_run_end_as_one_clean_run(history: list[Step]) -> None:
    """A run lists only the edits since a page's last commit where every commit since edited
    it in place; the store ends as one clean run's, whatever came in between."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        upstream = History(root / "upstream")
        (root / "runs").mkdir()
        for step in history:
            upstream.apply(step)
            update_every_page(root / "runs", upstream.repo.root, one_pass=False)

        clean = stored(root / "clean", upstream.repo.root, one_pass=False)
        assert readable(files(root / "runs"), clean) == readable(clean, clean)


def test_a_page_edited_in_place_is_not_listed_again_and_one_moved_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream = History(tmp_path / "upstream")
    (tmp_path / "store").mkdir()
    update_every_page(tmp_path / "store", upstream.repo.root, one_pass=False)
    asked: list[str] = []
    page_commits = GitSource.page_commits

    def counted(source: GitSource, head: str, path: str) -> list[PageCommit]:
        asked.append(path)
        return page_commits(source, head, path)

    monkeypatch.setattr(GitSource, "page_commits", counted)
    for version in (1, 2):
        upstream.apply(("edit", 0, 0, version))
    update_every_page(tmp_path / "store", upstream.repo.root, one_pass=False)
    edited = list(asked)
    upstream.apply(("move", 0, 2, 0))
    update_every_page(tmp_path / "store", upstream.repo.root, one_pass=False)

    assert PATHS[0] not in edited  # its two edits since its last commit were listed alone
    assert PATHS[0] in asked[len(edited) :]  # moved: its whole history, to follow it
    index = SnapshotStore(tmp_path / "store").load_index("doc-0", "en-gb")
    assert index is not None and len(index.versions) == 4


def readable(store: dict[str, bytes], clean: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a store but those of the pages one clean run cannot read: a page that
    fails keeps what it had (its error, which says why, is compared)."""
    failed = {name.removesuffix(".error") for name in clean if name.endswith(".error")}
    return {name: data for name, data in store.items() if name.split("/")[0] not in failed}


def test_output_the_listing_does_not_understand_is_refused() -> None:
    with pytest.raises(ValueError, match="unexpected git log output"):
        RepositoryLog(b"\x01" + b"0" * 40 + b"\x00" + b"1600000000\x00not a status\x00")


def test_a_run_lists_the_documents_of_one_repository_as_page_by_page(tmp_path: Path) -> None:
    """Two documents in one repository (one moved in from an untracked folder, one whose folder
    moved with its `meta.yaml`) and one with a wrong path: the run stores what a walk page by
    page stores, and the wrong path fails alone, in one line."""
    repo = GitRepo(tmp_path / "upstream")
    repo.write("pages/a/meta.yaml", "id: a\n")
    for locale in ("en-gb", "fr-fr"):
        repo.save(f"pages/a/guide.{locale}.md", text(0))
        repo.save(f"drafts/b/guide.{locale}.md", text(1))
    repo.save("other/unrelated.md", "unrelated\n")
    for locale in ("en-gb", "fr-fr"):
        repo.move(f"drafts/b/guide.{locale}.md", f"pages/b/guide.{locale}.md")
        repo.save(f"pages/b/guide.{locale}.md", text(2, reworded=True))
    repo.move("pages/a", "pages/moved-a")
    repo.save("pages/moved-a/guide.en-gb.md", text(3))
    path = tmp_path / "raci-tracker.toml"
    path.write_text(
        "".join(
            f'[[documents]]\nid = "{name}"\nrepo = "upstream"\n'
            f'path = "pages/{name}/guide.{{locale}}.md"\nlocales = ["en-gb", "fr-fr"]\n'
            for name in ("a", "b", "missing")
        ),
        encoding="utf-8",
    )
    config = load_config(path)

    summary = run(config)

    assert [(p.document, p.status.value) for p in summary.pages] == [
        ("a", "updated"), ("a", "updated"), ("b", "updated"), ("b", "updated"),
        ("missing", "failed"), ("missing", "failed"),
    ]  # fmt: skip
    assert all("\n" not in (page.error or "") for page in summary.pages)
    by_page = tmp_path / "by-page"
    with GitSource(repo.root) as source:
        source.one_pass = False
        for target in targets(config)[:4]:
            update_page(source, SnapshotStore(by_page), target)
            stored_page(SnapshotStore(by_page), target.document, target.locale)  # as a run diffs
    written = {n: b for n, b in files(config.snapshots).items() if not n.startswith(".repos")}
    assert written == files(by_page)
