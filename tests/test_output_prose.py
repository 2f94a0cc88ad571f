"""`raci_tracker.output.prose` called directly: the one-line summary of a diff, who holds A,
open findings, and the role words."""

from __future__ import annotations

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.model import ROLES
from raci_tracker.output.pages import matrix_sections
from raci_tracker.output.prose import (
    LABEL_WORDS,
    PartyNames,
    SectionNames,
    holdings,
    label_words,
    plural,
    section_name,
    summary_sentence,
    upper_first,
)
from raci_tracker.output.render import render_diff
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
    """A and R on an activity added or removed are gained or lost by the parties that hold them."""
    assert summary("| Back up | R | A |\n", "| Back up | R | A |\n| Patch | R | A |\n") == (
        "The customer gained R on 1 activity; OVHcloud gained A on 1 activity; 1 activity added"
    )
    assert summary("| Back up | R | A |\n| Patch | RA | C |\n", "| Back up | R | A |\n") == (
        "The customer gave up A and R on 1 activity; 1 activity removed"
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


def test_a_section_is_named_by_its_number_and_title() -> None:
    assert section_name("2.2", "Reversibility model") == "2.2 Reversibility model"
    assert section_name("3.1.5", "") == "3.1.5"  # no title: the number alone
    assert section_name("3.1.5", None) == "3.1.5"
    assert section_name(None, None) == ""


def test_a_section_named_by_its_headings_is_said_once() -> None:
    assert section_name("Backup", "Backup") == "Backup"
    assert section_name("Services › Backup", "Backup") == "Services › Backup"


def test_a_page_home_names_a_nested_heading_once() -> None:
    snapshot = parse_page(
        "# RACI\n\n## Services\n\n### Backup\n\n| Activity | Customer | Provider |\n"
        "| --- | --- | --- |\n| Back up | RA | I |\n"
    )

    assert [s.heading for s in matrix_sections(snapshot)] == ["Services › Backup"]
    assert SectionNames.of(snapshot).name("Services › Backup") == "Services › Backup"


def test_each_change_takes_its_section_title_from_its_own_text() -> None:
    old = parse_page(
        "# RACI\n\n## 1. Old run\n\n| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        "| Back up | I | RA |\n| Patch | R | A |\n"
    )
    new = parse_page(
        "# RACI\n\n## 1. New run\n\n| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        "| Back up | RA | I |\n\n## 2. Care\n\n| Activity | Customer | OVHcloud |\n"
        "| --- | --- | --- |\n| Patch | R | A |\n"
    )
    sections = SectionNames.of(new, old)
    by_kind = {c.kind.value: c for c in diff_snapshots(old, new).changes}

    assert sections.name(by_kind["role-changed"].section) == "1 New run"
    assert sections.name("1", before=True) == "1 Old run"
    moved = by_kind["activity-moved"]
    assert (sections.name(moved.section), sections.previous_title(moved)) == ("2 Care", "Old run")
    assert sections.name("9") == "9"  # in neither text


def test_a_section_title_is_escaped_where_it_is_printed() -> None:
    hostile = "Run <script>alert(1)</script> | x @here"
    old = parse_page(page("| Back up | I | RA |\n").replace("1. Run", f"1. {hostile}"))
    new = parse_page(page("| Back up | RA | I |\n").replace("1. Run", f"1. {hostile}"))
    diff = diff_snapshots(old, new)

    markdown = render_diff(diff, old, new, "md")
    row = next(line for line in markdown.splitlines() if "Back up" in line)
    assert row.startswith(r"| 1 Run \<script\>alert(1)\</script\> \| x \@here | Back up |")
    assert "<script>" not in markdown
    assert "1 Run <script>alert(1)</script> | x @here" in render_diff(diff, old, new, "text")
