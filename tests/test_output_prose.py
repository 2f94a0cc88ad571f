"""`raci_tracker.output.prose` called directly: the one-line summary of a diff, who holds A,
open findings, and the role words."""

from __future__ import annotations

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.model import ROLES
from raci_tracker.output.prose import (
    LABEL_WORDS,
    PartyNames,
    holdings,
    label_words,
    plural,
    summary_sentence,
    upper_first,
)
from raci_tracker.page.parse import parse_page


def page(rows: str) -> str:
    return "# RACI\n\n## 1. Run\n\n| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n" + rows


def summary(old_rows: str, new_rows: str) -> str:
    old, new = parse_page(page(old_rows)), parse_page(page(new_rows))
    return summary_sentence(diff_snapshots(old, new), PartyNames.of(new, old))


def test_the_party_that_gave_up_a_role_comes_first() -> None:
    sentence = summary("| Back up | I | RA |\n", "| Back up | RA | I |\n")

    assert sentence == (
        "OVHcloud gave up A and R on 1 activity; the customer gained A and R on 1 activity"
    )


def test_unequal_counts_are_spelled_letter_by_letter() -> None:
    sentence = summary(
        "| Back up | I | RA |\n| Patch | I | A |\n", "| Back up | RA | I |\n| Patch | A | I |\n"
    )

    assert sentence.startswith("OVHcloud gave up A on 2 activities and R on 1 activity")


def test_added_removed_minor_and_nothing() -> None:
    assert summary("| Back up | R | A |\n", "| Back up | R | A |\n| Patch | R | A |\n") == (
        "1 activity added"
    )
    assert summary("| Back up | R | A |\n| Patch | R | A |\n", "| Back up | R | A |\n") == (
        "1 activity removed"
    )
    assert summary("| Back up | R | A |\n", "| Back up | RC | A |\n") == "C or I changed only"
    assert summary("| Back up | R | A |\n", "| Back up | R | A |\n") == "No responsibility shift"


def test_holdings_counts_who_is_accountable() -> None:
    snapshot = parse_page(page("| Back up | R | A |\n| Patch | RA | |\n| Log | R | |\n"))

    assert holdings(snapshot, PartyNames.of(snapshot)) == (
        "The customer is accountable for 1 activity; OVHcloud is accountable for 1 activity"
    )
    empty = parse_page(page("| Log | R | |\n"))
    assert holdings(empty, PartyNames.of(empty)) == "Nobody is accountable for any activity"


def test_role_words_come_from_the_one_vocabulary() -> None:
    assert len(LABEL_WORDS) == 2 * len(ROLES)
    assert label_words("accountability-lost") == "no longer accountable (A)"
    assert label_words("consulted-gained") == "now consulted (C)"
    assert label_words("something-else") == "something-else"


def test_small_words() -> None:
    assert (plural(1, "page", "pages"), plural(0, "page", "pages")) == ("1 page", "0 pages")
    assert upper_first("oVHcloud") == "OVHcloud"
    assert upper_first("") == ""
