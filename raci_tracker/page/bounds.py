"""How much one page may hold: limits far above any real RACI page, so that a hostile or broken
page costs bounded time and makes a bounded snapshot.

The largest page in the corpora (65 OVHcloud revisions and the external pages) has 109
activities, 7 parties and 218 cells. A page past a limit is read up to it, with one
`page-bound-exceeded` finding (an error) naming the limit and the first line not read: never a
stall, never a matrix that looks complete when it is not.
"""

from __future__ import annotations

from raci_tracker.model import Finding
from raci_tracker.page.rules import finding

MAX_ACTIVITIES = 10_000
"""Activities (rows of RACI tables) per page: 90 times the largest real page."""
MAX_PARTIES_PER_TABLE = 64
"""Party columns per RACI table (parties in rows, for a transposed table): 9 times the most."""
MAX_CELLS = 200_000
"""Activities times the page's parties: every activity names every party in a snapshot, so this
bounds the snapshot (about 4 MB at most); 900 times the largest real page."""


def exceeded(limit: int, what: str, line: int, consequence: str) -> Finding:
    """The finding for a page past one limit: which limit, where, and what was not read."""
    return finding(
        "page-bound-exceeded",
        line,
        f"the page has more than {limit:,} {what}, the most raci-tracker reads: {consequence}",
    )
