"""Worst cases of a page parse, as ratios to a normal page of the same size.

    python benchmarks/bench_pathological.py [SIZE_KB]

Each hostile page is measured against an ordinary RACI page of the same number of bytes, in
this process, interleaved, best of several rounds. A ratio near 1 means the shape of the page
costs nothing extra; a ratio that grows with SIZE_KB is a quadratic cost. The delimiter-row and
id-counting rows time the linear checks in `raci_tracker.text` against the expression and the
counter the parser used before them; the diff row compares a revision where every row was
reworded (scored against at most `MAX_CANDIDATES` rows each, `PAIRING_BUDGET` in all) with a
one-letter change. The page bounds (`raci_tracker.page.bounds`) cut the largest cases short.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import timing
from timing import best_ms

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.model import Snapshot
from raci_tracker.page.parse import parse_page
from raci_tracker.text import UniqueIds, has_delimiter_row

HEADER = (
    "---\nupdated: 2023-01-01\n---\n### 1. Tout\n\n"
    "| Activité | Client | OVHcloud |\n| --- | --- | --- |\n"
)
_REFERENCE_DELIMITER = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.MULTILINE)


def normal_page(size: int) -> bytes:
    rows, index = [], 0
    while sum(map(len, rows)) < size:
        rows.append(f"| Activité numéro {index} du client | RA | I |\n")
        index += 1
    return (HEADER + "".join(rows)).encode()[: len(HEADER) + size]


def party_columns(labels: list[str], rows: int) -> bytes:
    header = "### 1. A\n\n| Activité | " + " | ".join(labels) + " |\n"
    delimiter = "| --- " * (len(labels) + 1) + "|\n"
    body = "".join(f"| Tâche {r}" + " | R" * len(labels) + " |\n" for r in range(rows))
    return (header + delimiter + body).encode()


def hostile_pages(size: int) -> dict[str, bytes]:
    row = "| Sauvegarder les données | RA | I |\n"
    columns = size // 24
    return {
        "identical rows (id counting)": (HEADER + row * (size // len(row))).encode(),
        "delimiter row then spaces": (HEADER + "\nTexte\n|---" + " " * size + "x\n").encode(),
        "identical party columns": party_columns(["Client"] * columns, 1),
        "distinct party columns, 10 rows": party_columns(
            [f"Équipe {c}" for c in range(size // 60)], 10
        ),
    }


def reworded_pair(size: int) -> tuple[Snapshot, Snapshot, Snapshot]:
    """A page, the same page with one letter moved, and the page with every row reworded."""
    rows = size // 48
    old = "".join(f"| Sauvegarder le volume {i} du client | RA | I |\n" for i in range(rows))
    moved = old.replace("| RA | I |", "| R | AI |", 1)
    reworded = "".join(f"| Restaurer les instantanés {i * 7} | RA | I |\n" for i in range(rows))
    return (
        parse_page((HEADER + old).encode()),
        parse_page((HEADER + moved).encode()),
        parse_page((HEADER + reworded).encode()),
    )


def reference_ids(count: int) -> None:
    taken: set[str] = set()
    for _ in range(count):
        candidate, suffix = "x", 2
        while candidate in taken:
            candidate = f"x-{suffix}"
            suffix += 1
        taken.add(candidate)


def linear_ids(count: int) -> None:
    ids = UniqueIds()
    for _ in range(count):
        ids.add("x")


def report(label: str, baseline: Callable[[], object], hostile: Callable[[], object]) -> None:
    base, worst = best_ms(baseline, hostile)
    print(f"{label:<40} {base:9.2f} ms {worst:10.2f} ms {worst / base:8.1f}x")


def main() -> None:
    size = int(sys.argv[1]) * 1024 if len(sys.argv) > 1 else 8 * 1024
    timing.ROUNDS, timing.NUMBER = 3, 1
    normal = normal_page(size)
    print(f"page of {size // 1024} KB: {'case':<29} {'normal':>12} {'hostile':>13} {'ratio':>9}")
    for label, page in hostile_pages(size).items():
        report(f"parse: {label}", lambda: parse_page(normal), lambda p=page: parse_page(p))
    spaces = "---" + " " * min(size, 40 * 1024) + "x"  # the expression takes minutes past 40 KB
    report(
        "delimiter check: linear vs expression",
        lambda: has_delimiter_row(spaces),
        lambda: _REFERENCE_DELIMITER.search(spaces),
    )
    old, moved, reworded = reworded_pair(size)
    report(
        "diff: every row reworded vs one letter",
        lambda: diff_snapshots(old, moved),
        lambda: diff_snapshots(old, reworded),
    )
    count = size // 40
    report(
        "ids of identical rows: linear vs before",
        lambda: linear_ids(count),
        lambda: reference_ids(count),
    )


if __name__ == "__main__":
    main()
