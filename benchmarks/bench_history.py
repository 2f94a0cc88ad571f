"""Walking a long history: raci-tracker against bare git and markdown-it-py, in one process.

    pip install '.[bench]'            # git-history, the peer tool compared against
    python benchmarks/bench_history.py [--commits 20000] [--changes 2000]

Builds a repository with `git fast-import` in which the Managed Kubernetes page changes
`--changes` times among `--commits` commits, then prints:

- listing + reading + parsing every revision, as a ratio to the floor: `git log` for the page,
  one `git cat-file --batch` for its blobs, and markdown-it-py's parse of each blob (target 1.5x);
  the first full store update (writing every snapshot) is shown beside it;
- a second run with nothing new, as a ratio to the first run (target 0.05x), on this history and
  on one ten times shorter (the no-op cost must not grow with history: within 20%);
- peak Python memory of the first run on both histories (streaming, not accumulating);
- the same walk done by `git-history file` with a `--convert` that splits the page into rows.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from raci_tracker.history.reading import Reader
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageTarget, update_page

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests/fixtures/corpus/managed-kubernetes/fr-fr/2023-07-06__seed.md"
PAGE = "pages/managed_kubernetes/responsibility-model/guide.fr-fr.md"
LETTERS = ["RA", "I", "A", "C", "CI", ""]


def page_versions(changes: int) -> list[bytes]:
    """The seed page, one row's letters changed per version, the date bumped every 5 changes."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    rows = [
        i
        for i, line in enumerate(lines)
        if line.startswith("| ")
        and "Activité" not in line
        and not line.startswith("| ---")
        and line.count("|") == 4
    ]
    versions = []
    for change in range(changes):
        text = list(lines)
        row = rows[change % len(rows)]
        cells = text[row].split("|")
        cells[2] = f" {LETTERS[change % len(LETTERS)]} "
        text[row] = "|".join(cells)
        day = 20000 + change // 5  # days since 1970: a new date every fifth change
        text[3] = f"updated: {time.strftime('%Y-%m-%d', time.gmtime(day * 86400))}"
        versions.append(("\n".join(text) + "\n").encode("utf-8"))
    return versions


def build_repository(folder: Path, commits: int, changes: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    versions = page_versions(changes)
    every = commits // changes
    stream = bytearray()
    for number in range(1, commits + 1):
        stream += (
            f"commit refs/heads/main\nmark :{number}\n"
            f"committer Bench <bench@example.invalid> {1600000000 + number * 60} +0000\n"
            f"data 8\ncommit {number % 10}\n"
        ).encode()
        if number > 1:
            stream += f"from :{number - 1}\n".encode()
        if number % every == 0 and number // every <= changes:
            path, content = PAGE, versions[number // every - 1]
        else:
            path, content = f"pages/other/file-{number % 997}.md", f"other {number}\n".encode()
        stream += f"M 100644 inline {path}\ndata {len(content)}\n".encode() + content + b"\n"
    subprocess.run(["git", "fast-import", "--quiet"], input=bytes(stream), cwd=folder, check=True)
    subprocess.run(["git", "repack", "-adq", "--depth=50"], cwd=folder, check=True)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=folder, check=True)  # git-history reads it


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def floor(repo: Path) -> None:
    """The least any tool can do: list the page's blobs, read them in one batch, parse each."""
    log = subprocess.run(
        [
            "git",
            "log",
            "--first-parent",
            "--follow",
            "--format=%x01%H",
            "--raw",
            "--no-abbrev",
            "-z",
            "--",
            PAGE,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout
    blobs = [token.split()[3].decode() for token in log.split(b"\x00") if token.startswith(b"\n:")]
    batch = subprocess.run(
        ["git", "cat-file", "--batch"],
        input="\n".join(blobs).encode() + b"\n",
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
    position = 0
    while position < len(batch):
        header_end = batch.index(b"\n", position)
        size = int(batch[position:header_end].split()[2])
        markdown.parse(batch[header_end + 1 : header_end + 1 + size].decode("utf-8"))
        position = header_end + 1 + size + 1


def list_read_parse(repo: Path) -> int:
    """The walk: list the page's commits, read and parse each distinct blob into a version."""
    with GitSource(repo) as source:
        commits = source.page_commits(source.resolve(None), PAGE)
        return len(Reader(source, "fr-fr", {}, lambda *_: None).read(commits).versions)


def store_run(repo: Path, store: Path) -> None:
    with GitSource(repo) as source:
        update_page(
            source, SnapshotStore(store), PageTarget("bench", "fr-fr", str(repo), None, PAGE)
        )


def peak_memory(repo: Path, store: Path) -> float:
    tracemalloc.start()
    store_run(repo, store)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def git_history(repo: Path, database: Path) -> float | None:
    executable = shutil.which("git-history") or str(Path(sys.executable).parent / "git-history")
    if not Path(executable).exists():
        return None
    convert = (
        "[{'row': i, 'text': line} for i, line in "
        "enumerate(content.decode('utf-8').splitlines()) if line.startswith('|')]"
    )
    command = [
        executable,
        "file",
        str(database),
        PAGE,
        "--repo",
        str(repo),
        "--branch",
        "main",
        "--id",
        "row",
        "--convert",
        convert,
        "--silent",
    ]
    return timed(lambda: subprocess.run(command, check=True, capture_output=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--changes", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        long, short = work / "long", work / "short"
        built = timed(lambda: build_repository(long, args.commits, args.changes))
        build_repository(short, args.commits // 10, args.changes)
        print(
            f"history: {args.commits} commits, the page changed {args.changes} times "
            f"(built with git fast-import in {built:.1f} s)"
        )

        base = ours = float("inf")
        revisions: list[int] = []
        for _ in range(2):  # interleaved, best of two: drift on a shared machine hits both
            base = min(base, timed(lambda: floor(long)))
            ours = min(ours, timed(lambda: revisions.append(list_read_parse(long))))
        print(f"floor (git log + cat-file --batch + markdown-it): {base:7.2f} s")
        print(
            f"raci-tracker list + read + parse ({revisions[0]} versions): {ours:7.2f} s"
            f"  {ours / base:5.2f}x  (target 1.5x)"
        )

        first = timed(lambda: store_run(long, work / "store-long"))
        first_short = timed(lambda: store_run(short, work / "store-short"))
        noop, noop_short = float("inf"), float("inf")
        for _ in range(20):  # interleaved, best of twenty: these are milliseconds
            noop = min(noop, timed(lambda: store_run(long, work / "store-long")))
            noop_short = min(noop_short, timed(lambda: store_run(short, work / "store-short")))
        print(
            f"first store update (snapshots written):        {first:7.2f} s  "
            f"{first / base:5.2f}x the floor"
        )
        print(
            f"second run, nothing new:                       {noop * 1000:7.1f} ms "
            f"{noop / first:7.4f}x the first run  (target 0.05x)"
        )
        print(
            f"  on {args.commits // 10} commits: first {first_short:.2f} s, nothing new "
            f"{noop_short * 1000:.1f} ms; no-op long/short = {noop / noop_short:.2f} "
            "(target within 1.2)"
        )

        long_peak = peak_memory(long, work / "memory-long")
        short_peak = peak_memory(short, work / "memory-short")
        print(
            f"peak Python memory, first run: {long_peak:.1f} MiB on {args.commits} commits, "
            f"{short_peak:.1f} MiB on {args.commits // 10}: ratio {long_peak / short_peak:.2f}"
        )

        peer = git_history(long, work / "git-history.db")
        if peer is None:
            print("git-history: not installed (pip install '.[bench]')")
        else:
            print(
                f"git-history file --convert (rows): {peer:7.2f} s; raci-tracker's first store "
                f"update is {first / peer:.2f}x its time"
            )


if __name__ == "__main__":
    main()
