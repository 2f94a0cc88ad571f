"""Parse time of one RACI page, as a ratio to markdown-it-py's own parse of the same text.

    python benchmarks/bench_parse.py [PAGE ...]

Both are measured in this process, interleaved, best of several rounds, so the ratio holds on
a noisy shared machine where absolute times do not. Target: at most 1.5x.

"warm" is the tool's real workload: walking a page's history, the same activity texts and cells
recur in every revision, and the parser's small caches serve them. "cold" clears those caches
before every parse: the first page ever seen.
"""

from __future__ import annotations

import sys
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin
from timing import best_ms

from raci_tracker.page.parse import parse_page
from raci_tracker.text import fold, slugify

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAGES = [
    ROOT / "tests/fixtures/corpus/managed-kubernetes/fr-fr/2023-07-06__seed.md",
    ROOT / "tests/fixtures/corpus/logs-data-platform/en-gb/2023-01-26__08070d4.md",
]


def parse_cold(data: bytes) -> None:
    for cache in (fold, slugify):
        cache.cache_clear()
    parse_page(data)


def measure(markdown: MarkdownIt, data: bytes) -> list[float]:
    text = data.decode("utf-8")
    return best_ms(lambda: markdown.parse(text), lambda: parse_page(data), lambda: parse_cold(data))


def main(paths: list[Path]) -> None:
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
    print(f"{'page':44} {'markdown-it':>11} {'warm':>9} {'ratio':>6} {'cold':>9} {'ratio':>6}")
    for path in paths:
        floor, warm, cold = measure(markdown, path.read_bytes())
        name = "/".join(path.parts[-3:])
        print(
            f"{name[-44:]:44} {floor:8.2f} ms {warm:6.2f} ms {warm / floor:5.2f}x"
            f" {cold:6.2f} ms {cold / floor:5.2f}x"
        )


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or DEFAULT_PAGES)
