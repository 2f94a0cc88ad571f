"""Walking a long history: raci-tracker against bare git and markdown-it-py, from one run.

    pip install '.[bench]'            # git-history, the peer tool compared against
    python benchmarks/bench_history.py [--commits 20000] [--changes 2000]

Builds a repository with `git fast-import` in which the Managed Kubernetes page changes
`--changes` times among `--commits` commits (and a short one, a tenth of both), then prints, as
ratios to the floor (`git log` for the page, one `git cat-file --batch` for its blobs, and
markdown-it-py's parse of each blob) or to the first run, all from the same run:

- the walk (list + read + parse) in process, and `raci-tracker history` as a whole process
  (target 1.25x the floor); the first store update in process;
- peak Python memory of a store update on both histories (streaming, not accumulating);
- the same walk done by `git-history file` with a `--convert` that splits the page into rows;
- whole `raci-tracker run` processes on both histories: the first run with reports (target 1.5x
  the floor; the best of two), a run with nothing new (target 0.02x the first, and flat from the
  short history to the long one; the best of five), both with the two histories' runs taken in
  turn; then one unrelated upstream commit and two new page commits one after the other (target
  0.05x; each the best of three from the same state), the store's bytes against the page's
  distinct texts (target 3x), and the first run's peak RSS. On the long history (400
  revisions), the first page commit is the 401st revision: it starts a changelog page, as one
  revision in 25 does, and moves the newest 25 to an archive page (whose links the feed
  follows); the second is a revision like the other 24.
"""

from __future__ import annotations

import argparse
import os
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
    read_and_parse(repo, blobs)


def read_and_parse(repo: Path, blobs: list[str]) -> None:
    """The floor's last two steps: one `git cat-file --batch` of `blobs`, markdown-it's parse of
    each."""
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


CONFIG = """\
[output]
snapshots = "snapshots"
reports = "reports"

[[documents]]
id = "bench"
repo = "{repo}"
path = "{path}"
locales = ["fr-fr"]
"""


LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""
"""Runs a command and prints its seconds, peak RSS (KiB) and exit code. A process keeps the peak
RSS of the one it was forked from, so the benchmark, which holds whole histories, starts the
command from this small one."""


COMMAND_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The commands' environment: their modules compiled once, as an installed package's are (with
`PYTHONDONTWRITEBYTECODE` set, a command would compile every module it imports, every time)."""


def compile_package() -> None:
    """The package's modules compiled before any command is timed."""
    package = str(ROOT / "raci_tracker")
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True)


def command(*arguments: str, cwd: Path) -> tuple[float, float]:
    """Run `raci-tracker` as a user does, in its own process: seconds, and peak RSS in MiB (of
    its largest process). The file system is synced first, so that the setup's writes are not
    flushed by the command's own sync."""
    executable = str(Path(sys.executable).parent / "raci-tracker")
    launched = [sys.executable, "-c", LAUNCHER, executable, *arguments]
    os.sync()
    done = subprocess.run(
        launched, cwd=cwd, capture_output=True, text=True, check=True, env=COMMAND_ENVIRONMENT
    )
    seconds, rss, code = done.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"raci-tracker {' '.join(arguments)} exited {code}")
    return float(seconds), int(rss) / 1024


def page_commit(repo: Path, number: int) -> None:
    """One more commit that changes the page: a new date, so one new revision."""
    lines = (repo / PAGE).read_text(encoding="utf-8").split("\n")
    lines[3] = f"updated: 2099-01-{number:02d}"
    (repo / PAGE).write_text("\n".join(lines), encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", f"page {number}"], cwd=repo, check=True)


def git(*arguments: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def unrelated_commit(repo: Path, number: int) -> None:
    (repo / "unrelated.md").write_text(f"{number}\n", encoding="utf-8")
    subprocess.run(["git", "add", "unrelated.md"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", f"other {number}"], cwd=repo, check=True)


def store_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


RUN = ("run", "--no-progress")


def after(change: Callable[[], None], repo: Path, work: Path, times: int = 3) -> float:
    """The least time of `times` runs that each take in `change`, from the same repository and
    run folder (restored between them): one run on this shared machine can be 10% off. The
    folder is left as the last run left it."""
    head = git("rev-parse", "HEAD", cwd=repo).strip()
    saved = work.with_name(f"{work.name}-saved")
    shutil.copytree(work, saved, symlinks=True)
    best = float("inf")
    for attempt in range(times):
        if attempt:
            git("reset", "-q", "--hard", head, cwd=repo)
            shutil.rmtree(work)
            shutil.copytree(saved, work, symlinks=True)
        change()
        best = min(best, command(*RUN, cwd=work)[0])
    shutil.rmtree(saved)
    return best


def first_runs(repos: list[Path], folders: list[Path], times: int = 2) -> list[dict[str, float]]:
    """The first `run` (with reports) of each repository in a new run folder: the least time of
    `times`, the repositories taken in turn (every ratio to the first run divides by it, and one
    run on this shared machine can be 10% off), and the least peak RSS."""
    best = [{"first": float("inf"), "rss": float("inf")} for _ in repos]
    for _ in range(times):
        for repo, folder, result in zip(repos, folders, best, strict=True):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            config = CONFIG.format(repo=repo, path=PAGE)
            (folder / "raci-tracker.toml").write_text(config, encoding="utf-8")
            seconds, rss = command(*RUN, cwd=folder)
            result["first"], result["rss"] = min(result["first"], seconds), min(result["rss"], rss)
    return best


def no_op_runs(folders: list[Path], times: int = 5) -> list[float]:
    """The least time of `times` runs with nothing new in each folder, the folders taken in
    turn: drift on a shared machine then slows the long history's runs and the short one's
    alike, and the ratio of the two holds."""
    best = [float("inf")] * len(folders)
    for _ in range(times):
        for number, folder in enumerate(folders):
            best[number] = min(best[number], command(*RUN, cwd=folder)[0])
    return best


def later_runs(repo: Path, work: Path, distinct: int) -> dict[str, float]:
    """One unrelated and two page commits, each the best of three, and the store's bytes
    against the page's `distinct` texts."""
    unrelated = after(lambda: unrelated_commit(repo, 1), repo, work)
    one_page = after(lambda: page_commit(repo, 2), repo, work)
    next_page = after(lambda: page_commit(repo, 3), repo, work)
    stored = store_bytes(work / "snapshots")
    return {"unrelated": unrelated, "page": one_page, "next page": next_page,
            "store": stored / distinct}  # fmt: skip


def whole_runs(long: Path, short: Path, work: Path, changes: int) -> dict[str, dict[str, float]]:
    """Whole `run` processes on both histories: the first runs and the runs with nothing new,
    the histories taken in turn, then each history's later runs."""
    histories = {"long": (long, changes), "short": (short, changes // 10)}
    folders = {name: work / f"run-{name}" for name in histories}
    repos = [repo for repo, _ in histories.values()]
    runs = dict(zip(histories, first_runs(repos, list(folders.values())), strict=True))
    for name, seconds in zip(runs, no_op_runs(list(folders.values())), strict=True):
        runs[name]["noop"] = seconds
    for name, (repo, distinct_changes) in histories.items():
        runs[name].update(later_runs(repo, folders[name], distinct_bytes(distinct_changes)))
    return runs


def distinct_bytes(changes: int) -> int:
    return sum(len(text) for text in set(page_versions(changes)))


def walks(long: Path) -> float:
    """The walk against the floor, in process and as a whole `raci-tracker history`."""
    base = ours = whole = float("inf")
    revisions: list[int] = []
    history = ("history", "--repo", str(long), "--path", PAGE, "--locale", "fr-fr")
    for _ in range(2):  # interleaved, best of two: drift on a shared machine hits all three
        base = min(base, timed(lambda: floor(long)))
        ours = min(ours, timed(lambda: revisions.append(list_read_parse(long))))
        whole = min(whole, command(*history, cwd=long)[0])
    print(f"floor (git log + cat-file --batch + markdown-it): {base:7.2f} s")
    print(
        f"raci-tracker list + read + parse ({revisions[0]} versions): {ours:7.2f} s"
        f"  {ours / base:5.2f}x"
    )
    print(f"raci-tracker history, whole process:         {whole:7.2f} s  {whole / base:5.2f}x"
          "  (target 1.25x)")  # fmt: skip
    return base


def report_runs(runs: dict[str, dict[str, float]], base: float) -> None:
    long, short = runs["long"], runs["short"]
    print(f"first run with reports: {long['first']:.2f} s, {long['first'] / base:.2f}x the "
          "floor (target 1.5x)")  # fmt: skip
    for name, values in runs.items():
        print(
            f"  {name}: first {values['first']:.2f} s; no-op {values['noop'] * 1000:.0f} ms = "
            f"{values['noop'] / values['first']:.4f}x the first run; unrelated commit "
            f"{values['unrelated'] * 1000:.0f} ms; a page commit {values['page']:.2f} s = "
            f"{values['page'] / values['first']:.3f}x, the next {values['next page']:.2f} s = "
            f"{values['next page'] / values['first']:.3f}x (target 0.05x); store "
            f"{values['store']:.2f}x the distinct texts (target 3x); "
            f"peak RSS {values['rss']:.0f} MiB"
        )
    print(
        f"no-op long/short {long['noop'] / short['noop']:.2f} (target within 1.2); peak RSS "
        f"long/short {long['rss'] / short['rss']:.2f} (flat)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--changes", type=int, default=2000)
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        long, short = work / "long", work / "short"
        built = timed(lambda: build_repository(long, args.commits, args.changes))
        build_repository(short, args.commits // 10, args.changes // 10)
        print(
            f"history: {args.commits} commits, the page changed {args.changes} times "
            f"(built with git fast-import in {built:.1f} s); short: a tenth of both"
        )
        base = walks(long)
        first = timed(lambda: store_run(long, work / "store-long"))
        print(f"first store update (in process):             {first:7.2f} s  "
              f"{first / base:5.2f}x the floor")  # fmt: skip
        long_peak = peak_memory(long, work / "memory-long")
        short_peak = peak_memory(short, work / "memory-short")
        print(
            f"peak Python memory of a store update: {long_peak:.1f} MiB, {short_peak:.1f} MiB on "
            f"the short history: ratio {long_peak / short_peak:.2f}"
        )
        peer = git_history(long, work / "git-history.db")
        if peer is None:
            print("git-history: not installed (pip install '.[bench]')")
        else:
            print(
                f"git-history file --convert (rows): {peer:7.2f} s; raci-tracker's store update "
                f"is {first / peer:.2f}x its time"
            )
        report_runs(whole_runs(long, short, work, args.changes), base)


if __name__ == "__main__":
    main()
