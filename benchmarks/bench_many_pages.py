"""Many pages in one repository shaped like ovh/docs, as whole `raci-tracker run` processes.

    python benchmarks/bench_many_pages.py [--documents 15] [--locales 15] [--commits 20000]
                                          [--distinct]

Builds with `git fast-import` a repository of `--documents` x `--locales` tracked pages (each a
real OVHcloud page with 20 to 60 dated revisions, silent edits between them, and, for every third
document, its folder moved half-way through with the `meta.yaml` that names it), among
`--commits` commits that otherwise touch thousands of unrelated files. Then prints, from one run:
the floor (one `git log` of the repository, one `cat-file --batch` of its pages' distinct texts,
markdown-it-py's parse of each), a first `run --jobs 1` (one document after the other), the
first `run` (store and reports; its documents in parallel, ADR 18) and its ratios to both, a run
with nothing new, a run after one unrelated upstream commit, and a run after one page commit,
with the files each changed and peak RSS (of the largest process). Targets: a first run under a
minute on this machine, a no-op run under 2 seconds.

Every locale of a document holds the same texts, so a run parses and diffs each once for all of
them (ADR 15); with `--distinct` each locale's texts are its own (a link to its site added), as
on ovh/docs, where locales differ at least by a few bytes, and every text is parsed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_history import (  # noqa: E402
    command,
    compile_package,
    page_versions,
    read_and_parse,
)

LOCALES = [f"{chr(97 + n)}{chr(97 + n)}-{chr(122 - n)}{chr(122 - n)}" for n in range(20)]


def folder(document: int, moved: bool) -> str:
    return f"pages/moved/doc-{document}" if moved else f"pages/doc-{document}"


def localised(text: bytes, locale: str) -> bytes:
    """The text as a locale of its own has it: a link to the locale's site, as real pages do."""
    return text.replace(b"\n---\n", f"\n---\n\n[Home](https://example.org/{locale}/)\n".encode(), 1)


def plan(
    documents: int, locales: int, commits: int, distinct: bool = False
) -> list[tuple[str, bytes | None]]:
    """What each commit writes: (path, content), or (folder, None) for a folder move. Every
    locale holds the same texts, or, with `distinct`, texts of its own."""
    rng = random.Random(18)
    texts = page_versions(60 * 5)
    edits: list[tuple[str, bytes | None]] = []
    for document in range(documents):
        for locale in LOCALES[:locales]:
            revisions = rng.randint(20, 60)
            for change in range(revisions * 2):  # a silent edit after each dated revision
                text = texts[change * 5 // 2]
                text = localised(text, f"{document}-{locale}") if distinct else text
                edits.append((f"{document}/{locale}/{change}", text))
        if document % 3 == 0:
            edits.append((str(document), None))
    rng.shuffle(edits)
    moves = {int(path) for path, content in edits if content is None}
    moved: set[int] = set()
    writes: list[tuple[str, bytes | None]] = []
    for path, content in sorted(edits, key=lambda e: _order(e, moves)):
        if content is None:
            moved.add(int(path))
            writes.append((path, None))
            continue
        document, locale, _ = path.split("/")
        writes.append(
            (f"{folder(int(document), int(document) in moved)}/guide.{locale}.md", content)
        )
    return _spread(writes, commits)


def _order(edit: tuple[str, bytes | None], moves: set[int]) -> tuple[int, str]:
    """Keeps each page's edits in change order; a move comes half-way through its document."""
    path, content = edit
    if content is None:
        return (30, path)
    return (int(path.rsplit("/", 1)[1]), path)


def _spread(writes: list[tuple[str, bytes | None]], commits: int) -> list[tuple[str, bytes | None]]:
    every = max(1, commits // max(1, len(writes)))
    spread: list[tuple[str, bytes | None]] = []
    for write in writes:
        spread.append(write)
        spread.extend((f"other/area-{len(spread) % 40}/file-{len(spread) % 4000}.md",
                       f"{len(spread)}\n".encode()) for _ in range(every - 1))  # fmt: skip
    return spread[:commits] if len(spread) > commits else spread


def build(repo: Path, documents: int, locales: int, commits: int, distinct: bool = False) -> int:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = bytearray()
    for number, (path, content) in enumerate(plan(documents, locales, commits, distinct), start=1):
        stream += (
            f"commit refs/heads/main\nmark :{number}\n"
            f"committer Bench <bench@example.invalid> {1600000000 + number * 600} +0000\n"
            f"data 8\ncommit {number % 10}\n"
        ).encode()
        if number > 1:
            stream += f"from :{number - 1}\n".encode()
        if content is None:
            document = int(path)
            old, new = folder(document, False), folder(document, True)
            stream += f'R "{old}" "{new}"\n'.encode()
        else:
            stream += _modify(path, content)
            meta = f"{path.rsplit('/', 1)[0]}/meta.yaml"
            stream += _modify(meta, f"id: {path.split('/')[-2]}\n".encode())
    subprocess.run(["git", "fast-import", "--quiet"], input=bytes(stream), cwd=repo, check=True)
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=repo, check=True)
    return number


def _modify(path: str, content: bytes) -> bytes:
    return f"M 100644 inline {path}\ndata {len(content)}\n".encode() + content + b"\n"


def config(repo: Path, documents: int, locales: int) -> str:
    lines = ['[output]\nsnapshots = "snapshots"\nreports = "reports"\n']
    for document in range(documents):
        lines.append(
            f'[[documents]]\nid = "doc-{document}"\nrepo = "{repo}"\n'
            f'path = "{folder(document, False)}/guide.{{locale}}.md"\n'
            f"locales = {LOCALES[:locales]!r}\n".replace("'", '"')
        )
    return "\n".join(lines)


def page_blobs(repo: Path) -> list[str]:
    """The distinct blobs the repository's history gave its tracked pages, from one `git log`."""
    log = subprocess.run(
        ["git", "log", "--format=%x01%H", "--raw", "--no-abbrev", "-z"],
        cwd=repo, check=True, capture_output=True,
    ).stdout  # fmt: skip
    tokens = log.split(b"\x00")
    blobs: dict[str, None] = {}
    for index, token in enumerate(tokens):
        if token.lstrip(b"\n").startswith(b":"):
            fields = token.split()
            paths = tokens[index + 1 : index + (3 if fields[4][:1] in b"RC" else 2)]
            if paths[-1].startswith(b"pages/") and paths[-1].endswith(b".md"):
                blobs.setdefault(fields[3].decode())
    blobs.pop("0" * 40, None)
    return list(blobs)


def floor(repo: Path) -> float:
    """The least any tool can do, in seconds: one `git log` of the repository, one batch read of
    its pages' distinct blobs, markdown-it-py's parse of each."""
    start = time.perf_counter()
    read_and_parse(repo, page_blobs(repo))
    return time.perf_counter() - start


def changed_files(work: Path, before: dict[Path, int]) -> int:
    now = {p: p.stat().st_mtime_ns for p in work.rglob("*") if p.is_file()}
    return sum(1 for p, stamp in now.items() if before.get(p) != stamp)


def timed_run(work: Path, label: str, *options: str) -> float:
    before = {p: p.stat().st_mtime_ns for p in work.rglob("*") if p.is_file()}
    seconds, rss = command("run", "--no-progress", *options, cwd=work)
    print(f"{label:<34} {seconds:8.2f} s  {changed_files(work, before):5d} file(s) written  "
          f"peak RSS {rss:.0f} MiB")  # fmt: skip
    return seconds


def commit(repo: Path, path: str, text: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", path], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", path], cwd=repo, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=15)
    parser.add_argument("--locales", type=int, default=15)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--distinct", action="store_true", help="a text of its own per locale")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        total = build(work / "repo", args.documents, args.locales, args.commits, args.distinct)
        texts = "texts of its own per locale" if args.distinct else "the same texts in all locales"
        print(f"{args.documents * args.locales} tracked pages, {total} commits, {texts}")
        run_folder = work / "run"
        run_folder.mkdir()
        toml = config(work / "repo", args.documents, args.locales)
        (run_folder / "raci-tracker.toml").write_text(toml, encoding="utf-8")
        least = floor(work / "repo")
        print(f"{'floor (git log + cat-file + parse)':<34} {least:8.2f} s  "
              f"({len(page_blobs(work / 'repo'))} distinct page texts)")  # fmt: skip
        alone = work / "run-alone"
        alone.mkdir()
        (alone / "raci-tracker.toml").write_text(toml, encoding="utf-8")
        serial = timed_run(alone, "first run, --jobs 1", "--jobs", "1")
        shutil.rmtree(alone)
        first = timed_run(run_folder, "first run")
        print(f"{'':<34} {first / serial:8.2f}x the first run with --jobs 1")
        if args.distinct:  # shared texts are parsed once for all locales: no floor to compare
            print(f"{'':<34} {first / least:8.2f}x the floor")
        timed_run(run_folder, "nothing new")
        commit(work / "repo", "other/unrelated.md", "unrelated\n")
        timed_run(run_folder, "one unrelated commit")
        page = next((work / "repo/pages").glob("**/guide.*.md")).relative_to(work / "repo")
        text = (work / "repo" / page).read_text(encoding="utf-8")
        commit(work / "repo", str(page), text.replace("updated: ", "updated: 2099-01-01\nx: ", 1))
        timed_run(run_folder, "one page commit")


if __name__ == "__main__":
    main()
