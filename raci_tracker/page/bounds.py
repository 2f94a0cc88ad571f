"""How much one page may hold: limits far above any real RACI page, so that a hostile or broken
page costs bounded time and makes a bounded snapshot.

The largest page in the corpora (65 OVHcloud revisions and the external pages) has 109
activities, 7 parties, 218 cells and 558 pipes. A page past a limit is read up to it, with one
`page-bound-exceeded` finding (an error) naming the limit and the first line not read: never a
stall, never a matrix that looks complete when it is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import accumulate

from raci_tracker.model import Finding
from raci_tracker.page.rules import finding

MAX_ACTIVITIES = 10_000
"""Activities (rows of RACI tables) per page: 90 times the largest real page."""
MAX_PARTIES_PER_TABLE = 64
"""Party columns per RACI table (parties in rows, for a transposed table): 9 times the most."""
MAX_CELLS = 200_000
"""Activities times the page's parties: every activity names every party in a snapshot, so this
bounds the snapshot (about 4 MB at most); 900 times the largest real page."""
MAX_PIPES = 100_000
"""Pipes (`|`) in a page's text, read before markdown-it tokenises the tables: 180 times the most
in a real page (558). markdown-it costs about 30 microseconds per table cell, so a 5 MiB page of
tiny cells would take minutes; past this line, the text is not read."""
MAX_FINDINGS_PER_RULE = MAX_ACTIVITIES
"""Findings of one rule per page (one per activity on average): 200,000 unreadable cells would
otherwise make a 30 MB snapshot."""


def exceeded(limit: int, what: str, line: int | None, consequence: str) -> Finding:
    """The finding for a page past one limit: which limit, where, and what was not read."""
    return finding(
        "page-bound-exceeded",
        line,
        f"the page has more than {limit:,} {what}, the most raci-tracker reads: {consequence}",
    )


def listed(findings: Iterable[Finding]) -> list[Finding]:
    """The page's findings in order, at most `MAX_FINDINGS_PER_RULE` of each rule; for a rule past
    it, one more finding says how many are not listed, at the line of the first one left out."""
    counts: Counter[str] = Counter()
    kept: list[Finding] = []
    first_left_out: dict[str, Finding] = {}
    for found in sorted(findings, key=Finding.sort_key):
        counts[found.rule] += 1
        if counts[found.rule] <= MAX_FINDINGS_PER_RULE:
            kept.append(found)
        else:
            first_left_out.setdefault(found.rule, found)
    for rule, found in first_left_out.items():
        more = f"{counts[rule] - MAX_FINDINGS_PER_RULE:,} more are not listed"
        kept.append(exceeded(MAX_FINDINGS_PER_RULE, f"'{rule}' findings", found.line, more))
    return sorted(kept, key=Finding.sort_key)


def bounded_text(text: str) -> tuple[str, list[Finding]]:
    """The page's text up to the line where its pipes pass `MAX_PIPES`, and the finding if cut."""
    if text.count("|") <= MAX_PIPES:
        return text, []
    lines = text.split("\n")
    totals = accumulate(line.count("|") for line in lines)
    number = next(n for n, total in enumerate(totals, start=1) if total > MAX_PIPES)
    offset = sum(len(line) + 1 for line in lines[: number - 1])
    consequence = "the page is not read from this line on"
    return text[:offset], [exceeded(MAX_PIPES, "table pipes (|)", number, consequence)]
