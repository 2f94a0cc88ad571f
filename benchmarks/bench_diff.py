"""Diff time of a pair of ~60-activity revisions, as a ratio to parsing one page of the pair.

    python benchmarks/bench_diff.py

Both are measured in this process, interleaved, best of several rounds. Target: at most 1x.
"""

from __future__ import annotations

from pathlib import Path

from timing import best_ms

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.page.parse import parse_page

CORPUS = Path(__file__).resolve().parents[1] / "tests/fixtures/corpus"
PAIRS = [
    # 20 rewordings, no role change: the similarity stages do the most work here
    (
        "managed-kubernetes/fr-fr/2023-07-05__2255c02.md",
        "managed-kubernetes/fr-fr/2023-07-06__seed.md",
    ),
    # two rows inserted, two rewordings
    (
        "logs-data-platform/en-ie/unknown__d636c06.md",
        "logs-data-platform/en-ie/2023-01-26__08070d4.md",
    ),
    # a section removed, two renumbered, rows rewritten, a role change
    ("block-storage/fr-fr/unknown__3217656.md", "block-storage/fr-fr/unknown__025ffae.md"),
    # the same text twice: the fast path
    (
        "managed-kubernetes/fr-fr/2023-07-06__seed.md",
        "managed-kubernetes/fr-fr/2023-07-06__seed.md",
    ),
]


def measure(old_name: str, new_name: str) -> list[float]:
    new_data = (CORPUS / new_name).read_bytes()
    old, new = parse_page((CORPUS / old_name).read_bytes()), parse_page(new_data)
    return best_ms(lambda: parse_page(new_data), lambda: diff_snapshots(old, new))


def main() -> None:
    print(f"{'pair':64} {'parse':>9} {'diff':>9} {'ratio':>6}")
    for old_name, new_name in PAIRS:
        parse, diff = measure(old_name, new_name)
        doc = old_name.split("/")[0]
        name = f"{doc} {Path(old_name).stem} -> {Path(new_name).stem}"
        print(f"{name:64} {parse:6.2f} ms {diff:6.2f} ms {diff / parse:5.2f}x")


if __name__ == "__main__":
    main()
