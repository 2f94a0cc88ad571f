"""`review` of a pull request touching six RACI pages and forty other Markdown files, as a ratio
to parsing and diffing the same six pairs in memory: what reading git and skipping the other
files cost on top of the work itself.

    python benchmarks/bench_review.py

Both are measured in this process, interleaved, best of several rounds. Target: at most 2x.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from timing import best_ms

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from raci_tracker.app import review_changes
from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.page.parse import parse_page
from tests.gitrepo import GitRepo

CORPUS = Path(__file__).resolve().parents[1] / "tests/fixtures/corpus"
PAIRS = [
    (
        "managed-kubernetes/fr-fr/2023-07-05__2255c02.md",
        "managed-kubernetes/fr-fr/2023-07-06__seed.md",
    ),
    (
        "logs-data-platform/en-ie/unknown__d636c06.md",
        "logs-data-platform/en-ie/2023-01-26__08070d4.md",
    ),
    ("block-storage/fr-fr/unknown__3217656.md", "block-storage/fr-fr/unknown__025ffae.md"),
    ("block-storage/en-gb/unknown__0e26d7c.md", "block-storage/en-gb/2022-12-23__02ab130.md"),
    (
        "logs-data-platform/en-asia/unknown__bfe2525.md",
        "logs-data-platform/en-asia/2023-01-26__08070d4.md",
    ),
    ("block-storage/en-gb/2022-12-23__02ab130.md", "block-storage/en-gb/unknown__0e26d7c.md"),
]
OTHERS = 40


def pull_request(root: Path) -> GitRepo:
    """`main` with the old texts, `change` with the new ones and forty other files edited."""
    repo = GitRepo(root)
    for index, (old, _) in enumerate(PAIRS):
        repo.write(f"pages/{index}/guide.md", (CORPUS / old).read_bytes())
    for index in range(OTHERS):
        repo.write(f"notes/{index}.md", f"# Note {index}\n\nText.\n")
    repo.commit("Docs")
    repo.git("checkout", "-q", "-b", "change")
    for index, (_, new) in enumerate(PAIRS):
        repo.write(f"pages/{index}/guide.md", (CORPUS / new).read_bytes())
    for index in range(OTHERS):
        repo.write(f"notes/{index}.md", f"# Note {index}\n\nText, edited.\n")
    repo.commit("Change")
    return repo


def in_memory() -> None:
    for old, new in PAIRS:
        diff_snapshots(
            parse_page((CORPUS / old).read_bytes()), parse_page((CORPUS / new).read_bytes())
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        repo = pull_request(Path(folder) / "docs")
        result = review_changes(repo.root, "main", "change", [])
        assert len(result.pages) == len(PAIRS) and len(result.skipped) == OTHERS
        work, review = best_ms(in_memory, lambda: review_changes(repo.root, "main", "change", []))
    print(f"parse + diff in memory {work:7.2f} ms")
    print(f"review from git        {review:7.2f} ms  {review / work:5.2f}x")


if __name__ == "__main__":
    main()
