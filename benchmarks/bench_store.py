"""The snapshot store's size on a long history, before and after content-addressed versions.

    python benchmarks/bench_store.py [--commits 10000] [--changes 2000] [--before 005aff9]

Builds a repository with `git fast-import` in which the Managed Kubernetes page changes
`--changes` times among `--commits` commits, the way docs repositories edit: a new date every
tenth change, silent edits between, a revert of the previous edit every seventh change, and a
deletion restored the next day every 500 changes. Then fills two stores from it:

- **before**: the store written by the code at `--before` (one file per dated revision, holding
  the revision's text and every silent edit's), run from `git archive` of that commit;
- **after**: today's store (an index of versions and one object per distinct text).

It prints both sizes, their ratio, and the page's own distinct texts for scale.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_history import PAGE, page_versions  # noqa: E402

RUN = """
import sys
from pathlib import Path
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageTarget, update_page
repo, store, page = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
with GitSource(repo) as source:
    update_page(source, SnapshotStore(store), PageTarget("bench", "fr-fr", "repo", None, page))
"""


def texts(changes: int) -> list[bytes | None]:
    """The page's text at each change (None: deleted), with reverts and restores."""
    edits = page_versions(changes)
    history: list[bytes | None] = []
    for change in range(changes):
        if change % 500 == 499:
            history.append(None)
        elif change % 7 == 6 and len(history) > 1 and history[-2] is not None:
            history.append(history[-2])  # the previous edit reverted
        else:
            history.append(edits[change])
    return history


def build(folder: Path, commits: int, changes: int) -> int:
    """The repository; returns the bytes of the page's distinct texts."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    history, every = texts(changes), commits // changes
    stream = bytearray()
    for number in range(1, commits + 1):
        stream += (
            f"commit refs/heads/main\nmark :{number}\n"
            f"committer Bench <bench@example.invalid> {1600000000 + number * 600} +0000\n"
            f"data 8\ncommit {number % 10}\n"
        ).encode()
        if number > 1:
            stream += f"from :{number - 1}\n".encode()
        change = number // every - 1
        if number % every == 0 and change < changes:
            text = history[change]
            stream += f"D {PAGE}\n".encode() if text is None else _modify(PAGE, text)
        else:
            stream += _modify(f"pages/other/file-{number % 997}.md", f"{number}\n".encode())
    subprocess.run(["git", "fast-import", "--quiet"], input=bytes(stream), cwd=folder, check=True)
    return sum(len(text) for text in {t for t in history if t is not None})


def _modify(path: str, content: bytes) -> bytes:
    return f"M 100644 inline {path}\ndata {len(content)}\n".encode() + content + b"\n"


def fill(code: Path, repo: Path, store: Path) -> float:
    start = time.perf_counter()
    command = [sys.executable, "-c", RUN, str(repo), str(store), PAGE]
    # run from the store's folder, so that the package comes from PYTHONPATH, not the checkout
    subprocess.run(command, check=True, env={"PYTHONPATH": str(code)}, cwd=store.parent)
    return time.perf_counter() - start


def checkout(commit: str, folder: Path) -> Path:
    """The package as it was at `commit`, unpacked from git."""
    archive = subprocess.run(
        ["git", "archive", commit, "raci_tracker"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10000)
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--before", default="005aff9")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        distinct = build(work / "repo", args.commits, args.changes)
        print(
            f"history: {args.commits} commits, the page changed {args.changes} times; "
            f"its distinct texts: {distinct / 2**20:.1f} MiB"
        )
        old = checkout(args.before, work / "before")
        timings = {
            "before": fill(old, work / "repo", work / "store-before"),
            "after": fill(ROOT, work / "repo", work / "store-after"),
        }
        before, after = size(work / "store-before"), size(work / "store-after")
        for name, (total, count) in (("before", before), ("after", after)):
            print(
                f"{name:>6} ({args.before if name == 'before' else 'today'}): "
                f"{total / 2**20:7.1f} MiB in {count} files, {total / distinct:4.1f}x the "
                f"distinct texts; first run {timings[name]:.1f} s"
            )
        print(f"after / before: {after[0] / before[0]:.2f} (smaller is better)")
        assert b'"versions"' not in (work / "store-before/bench/fr-fr/index.json").read_bytes()


if __name__ == "__main__":
    main()
