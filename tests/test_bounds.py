"""Pathological pages: each costs at most a second or two and ends in a bounded snapshot, with an
error finding where a bound cut what was read (docs/robustness.md, "Cost")."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from raci_tracker.codec import snapshot_to_json
from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.compare.matching import MAX_CANDIDATES, PAIRING_BUDGET, match
from raci_tracker.model import ChangeKind, Snapshot
from raci_tracker.page.bounds import (
    MAX_ACTIVITIES,
    MAX_CELLS,
    MAX_FINDINGS_PER_RULE,
    MAX_PARTIES_PER_TABLE,
    MAX_PIPES,
)
from raci_tracker.page.parse import parse_page

PAGE = "---\nupdated: 2023-01-01\n---\n### 1. Tout\n\n"
HEADER = "| Activité | Client | OVHcloud |\n| --- | --- | --- |\n"
TWO_COLUMNS = "| Activité | Client |\n| - | - |\n"
# Measured on a shared two-core machine under load: each case takes under a quarter of this.
SECONDS = 2.0
T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = work()
    return result, time.monotonic() - started


def parsed_like_a_normal_page(page: str, rows: int) -> Snapshot:
    """Parse a page of many rows, in at most twice the time of a page of as many distinct rows
    (markdown-it alone takes about a second for 20,000 rows on a loaded machine)."""
    normal = PAGE + TWO_COLUMNS + "".join(f"|Sauvegarder {i}|RA|\n" for i in range(rows))
    _, normal_seconds = timed(lambda: parse_page(normal))
    snapshot, seconds = timed(lambda: parse_page(page))
    assert seconds < 2 * normal_seconds + 0.25
    return snapshot


def bound_findings(snapshot: Snapshot) -> list[str]:
    found = [f for f in snapshot.findings if f.rule == "page-bound-exceeded"]
    assert all(f.severity == "error" for f in found)
    return [f"{f.line}: {f.message}" for f in found]


def test_20000_identical_rows_are_read_up_to_the_activity_bound() -> None:
    page = PAGE + TWO_COLUMNS + "|Sauvegarder|RA|\n" * 20_000

    snapshot = parsed_like_a_normal_page(page, 20_000)

    assert len(snapshot.activities) == MAX_ACTIVITIES == 10_000
    ids = [activity.id for activity in snapshot.activities]
    assert ids[:3] == ["1/sauvegarder", "1/sauvegarder-2", "1/sauvegarder-3"]
    assert len(set(ids)) == len(ids)
    first_unread = 8 + MAX_ACTIVITIES  # the header is on line 6, the first row on line 8
    assert bound_findings(snapshot) == [
        f"{first_unread}: the page has more than 10,000 activities, the most raci-tracker reads: "
        "rows from this line on are not read"
    ]


def party_table(labels: list[str], rows: int) -> str:
    header = "| Activité | " + " | ".join(labels) + " |\n" + "| --- " * (len(labels) + 1) + "|\n"
    return header + "".join(f"| Tâche {r} |" + " R |" * len(labels) + "\n" for r in range(rows))


def test_4000_identical_party_headers_keep_the_first_64() -> None:
    page = PAGE + party_table(["Client"] * 4_000, 3)

    snapshot, seconds = timed(lambda: parse_page(page))

    assert seconds < SECONDS
    assert len(snapshot.parties) == MAX_PARTIES_PER_TABLE
    assert [p.id for p in snapshot.parties[:3]] == ["customer", "customer-2", "customer-3"]
    assert bound_findings(snapshot) == [
        "6: the page has more than 64 party columns in one table, the most raci-tracker reads: "
        "only the first 64 parties of this table are read"
    ]
    assert all(len(a.assignments) == MAX_PARTIES_PER_TABLE for a in snapshot.activities)


def test_2000_party_columns_make_a_small_snapshot() -> None:
    """86 KB with 2,000 teams made an 82 MB snapshot; read up to the bounds it stays small."""
    tables = [party_table([f"Équipe {t}-{c}" for c in range(500)], 7) for t in range(4)]
    page = PAGE + "\n".join(tables)
    assert 80_000 < len(page.encode()) < 120_000

    snapshot, seconds = timed(lambda: parse_page(page))
    size = len(snapshot_to_json(snapshot))

    assert seconds < SECONDS
    assert len(snapshot.parties) == 4 * MAX_PARTIES_PER_TABLE
    assert size < 500_000
    assert len(bound_findings(snapshot)) == 4


def test_cells_past_the_bound_are_not_read() -> None:
    """Many tables of different teams: every activity names every party of the page."""
    tables = [party_table([f"Équipe {t}-{c}" for c in range(64)], 3) for t in range(40)]
    page = PAGE + "\n".join(tables)
    parties = 40 * 64

    snapshot, seconds = timed(lambda: parse_page(page))

    assert seconds < SECONDS
    assert len(snapshot.parties) == parties
    assert len(snapshot.activities) == MAX_CELLS // parties == 78
    [message] = bound_findings(snapshot)
    assert "more than 200,000 cells (activities times parties)" in message
    line = int(message.split(":")[0])
    assert line > snapshot.activities[-1].line
    assert page.split("\n")[line - 1].startswith("| Tâche 0 |")  # the 79th row opens table 27


def test_a_delimiter_row_then_80000_spaces_parses_at_once() -> None:
    page = PAGE + HEADER + "| Sauvegarder | RA | I |\n\nTexte\n|---" + " " * 80_000 + "x\n"

    snapshot, seconds = timed(lambda: parse_page(page))

    assert seconds < SECONDS / 4
    assert len(snapshot.activities) == 1


def test_a_page_past_the_pipe_bound_is_read_up_to_it() -> None:
    """A 1 MB page of tiny cells costs what its first `MAX_PIPES` pipes cost, no more."""
    table = PAGE + HEADER + "| Sauvegarder | RA | I |\n\n"
    filler = "|x" * 50 + "\n"
    page = table + filler * 10_000
    read = table + filler * ((MAX_PIPES - 12) // 50)
    _, read_seconds = timed(lambda: parse_page(read))

    snapshot, seconds = timed(lambda: parse_page(page))

    assert seconds < 2 * read_seconds + 0.25
    assert len(snapshot.activities) == 1
    assert bound_findings(snapshot) == [
        f"{read.count(chr(10)) + 1}: the page has more than 100,000 table pipes (|), the most "
        "raci-tracker reads: the page is not read from this line on"
    ]


def test_findings_of_one_rule_are_listed_up_to_the_bound() -> None:
    """12,000 unreadable cells: 10,000 `unknown-letter` findings and one saying what is left out."""
    table = party_table([f"Équipe {c}" for c in range(6)], 4_000)
    page = PAGE + table.replace(" R | R | R |\n", " x | x | x |\n")

    snapshot = parse_page(page)

    rules = [f.rule for f in snapshot.findings]
    assert rules.count("unknown-letter") == MAX_FINDINGS_PER_RULE == 10_000
    [message] = bound_findings(snapshot)
    assert "10,000 'unknown-letter' findings, the most raci-tracker reads: 2,000 more" in message
    last_listed = [f for f in snapshot.findings if f.rule == "unknown-letter"][-1]
    assert message.startswith(f"{last_listed.line}: ")  # 3 a row: the 10,001st shares a row


@cache
def reworded_pages(size: int) -> tuple[Snapshot, Snapshot, Snapshot, float]:
    """A page, the page with one letter moved, the page with every row reworded, and the time
    parsing the first took (what a diff's time is measured against)."""
    rows = size // 48
    old = "".join(f"| Sauvegarder le volume {i} du client | RA | I |\n" for i in range(rows))
    moved = old.replace("| RA | I |", "| R | AI |", 1)
    reworded = "".join(f"| Restaurer les instantanés {i * 7} | RA | I |\n" for i in range(rows))
    first, seconds = timed(lambda: parse_page(PAGE + HEADER + old))
    return first, parse_page(PAGE + HEADER + moved), parse_page(PAGE + HEADER + reworded), seconds


# Pairing every old row with every new one took 18 s for this pair, over 100 times parsing a page:
# within the bounds the diff takes about 7 parses (more under coverage tracing).
PARSES = 15


def test_an_all_reworded_150_kb_pair_is_diffed_within_the_budget() -> None:
    old, moved, reworded, parse_seconds = reworded_pages(150_000)
    assert len(old.activities) * len(reworded.activities) > 4 * PAIRING_BUDGET

    diff, seconds = timed(lambda: diff_snapshots(old, reworded))

    assert seconds < PARSES * parse_seconds + 0.25
    kinds = {change.kind for change in diff.changes}
    assert ChangeKind.ROLE_CHANGED not in kinds
    assert diff.summary.activities_removed == len(old.activities)
    [note] = [f for f in diff.findings.introduced if f.rule == "pairing-bounded"]
    assert f"at most {MAX_CANDIDATES} candidates each, 250,000 comparisons" in note.message
    one_letter = diff_snapshots(old, moved)
    assert [c.kind for c in one_letter.changes] == [ChangeKind.ROLE_CHANGED] * 2
    assert not [f for f in one_letter.findings.introduced if f.rule == "pairing-bounded"]


def test_rewordings_far_past_the_candidate_window_are_still_found_nearby() -> None:
    """3,000 rows, each reworded in place: the nearest candidates hold the right one."""
    old, _, _, parse_seconds = reworded_pages(150_000)
    lines = [f"| Sauvegarder le volume {i} du client final | RA | I |\n" for i in range(3_000)]
    new = parse_page(PAGE + HEADER + "".join(lines))

    matching, seconds = timed(
        lambda: match(old.sections, new.sections, old.activities, new.activities)
    )

    assert seconds < PARSES * parse_seconds + 0.25
    assert len(matching.pairs) == 3_000
    assert all(p.old.text + " final" in p.new.text for p in matching.pairs[:3])
    assert all(p.old.line == p.new.line for p in matching.pairs)


def test_lint_names_the_bound_in_a_real_process(tmp_path: Path) -> None:
    page = tmp_path / "guide.fr-fr.md"
    page.write_text(PAGE + party_table([f"Équipe {c}" for c in range(2_000)], 2))

    done = subprocess.run(
        [sys.executable, "-m", "raci_tracker", "lint", str(page)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert "page-bound-exceeded" in done.stdout + done.stderr
    assert "more than 64 party columns in one table" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
