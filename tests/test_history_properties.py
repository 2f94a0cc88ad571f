"""Properties: after any sequence of upstream commits, runs taken after each of them leave the
store byte-identical to one clean run over the whole history; and `raci-tracker history`'s outline
lists what the full walk lists."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageTarget, outline_history, update_page, walk_history
from raci_tracker.model import IndexEntry
from tests.gitrepo import GitRepo

FOLDERS = ("pages/a", "pages/b", "pages/c")
DATES = ("2023-01-01", "2023-02-01", "2023-03-01", None)
LETTERS = ("I | RA", "RA | I", "C | RA", "RA | C")

Step = tuple[str, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(("edit", "edit", "delete", "restore", "move", "other")),
        st.integers(0, len(DATES) - 1),
        st.integers(0, len(LETTERS) - 1),
    ),
    min_size=1,
    max_size=7,
)


def text(date: str | None, letters: str) -> str:
    dated = f"updated: {date}\n" if date else ""
    return (
        f"---\ntitle: RACI\n{dated}---\n\n### 1. Service\n\n| Activity | Customer | OVHcloud |\n"
        f"| --- | --- | --- |\n| Back up the data | {letters} |\n| Install | I | RA |\n"
    )


class Upstream:
    """A page's life: edits (dates back and forth, silent edits), deletions, restores, moves."""

    def __init__(self, root: Path) -> None:
        self.repo = GitRepo(root)
        self.folder = FOLDERS[0]
        self.present = True
        self.last = text(DATES[0], LETTERS[0])
        self.repo.save(self.path, self.last)

    @property
    def path(self) -> str:
        return f"{self.folder}/guide.en-gb.md"

    def apply(self, step: Step) -> None:
        kind, date, letters = step
        if kind == "edit" or (kind == "restore" and not self.present):
            self.last = text(DATES[date], LETTERS[letters]) if kind == "edit" else self.last
            self.repo.save(self.path, self.last)
            self.present = True
        elif kind == "delete" and self.present:
            self.repo.remove(self.path)
            self.present = False
        elif kind == "move" and self.present:
            folder = FOLDERS[(FOLDERS.index(self.folder) + 1) % len(FOLDERS)]
            old, self.folder = self.path, folder
            self.repo.move(old, self.path)
        else:
            self.repo.save("other.md", f"unrelated {self.repo.clock}\n")


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def update(repo: GitRepo, store: SnapshotStore) -> None:
    target = PageTarget("kube", "en-gb", "upstream", "tracked", f"{FOLDERS[0]}/guide.en-gb.md")
    repo.git("branch", "-f", "tracked", repo.head())
    with GitSource(repo.root) as source:
        update_page(source, store, target)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_incremental_runs_end_as_one_clean_run(history: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        upstream = Upstream(root / "upstream")
        incremental = SnapshotStore(root / "incremental")
        update(upstream.repo, incremental)
        for step in history:
            upstream.apply(step)
            update(upstream.repo, incremental)
        update(upstream.repo, SnapshotStore(root / "clean"))

        assert files(root / "incremental") == files(root / "clean")
        index = SnapshotStore(root / "clean").load_index("kube", "en-gb")
        assert index is not None
        assert index.versions[-1].ref.path == upstream.path
        assert index.versions[-1].deleted is not upstream.present


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_the_outline_of_a_history_is_the_full_walk_without_snapshots(history: list[Step]) -> None:
    """Silent edits, deletions, restores, moves and dates going back: the same entries, notes,
    renames and versions whether the snapshots are kept or not."""
    with tempfile.TemporaryDirectory() as folder:
        upstream = Upstream(Path(folder) / "upstream")
        for step in history:
            upstream.apply(step)
        target = PageTarget("kube", "en-gb", "upstream", None, f"{FOLDERS[0]}/guide.en-gb.md")
        with GitSource(upstream.repo.root) as source:
            full, outline = walk_history(source, target), outline_history(source, target)

    assert outline.revisions == [IndexEntry.of(revision) for revision in full.revisions]
    assert (outline.notes, outline.renames, outline.versions) == (
        full.notes,
        full.renames,
        full.versions,
    )
