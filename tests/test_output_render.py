"""`raci_tracker.output.render`: one wording per change kind and per finding, whatever the
format (diff text and Markdown, changelog Markdown and HTML)."""

from __future__ import annotations

import re

import pytest

from raci_tracker.compare.changelog import PageChangelog, build_entries
from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.compare.in_force import Version
from raci_tracker.compare.net import net_change
from raci_tracker.model import CommitRef, DateSource, Revision, RevisionStatus
from raci_tracker.output.diligence import CompareView, render_compare
from raci_tracker.output.render import render_changelog, render_diff
from raci_tracker.page.parse import parse_page

HEAD = "---\nupdated: {date}\n---\n# RACI\n\n## 1. Run\n\n| Activity | Customer | OVHcloud |\n"
OLD = (
    HEAD.format(date="2024-01-01")
    + "| --- | --- | --- |\n| Back up <b> | I | RA |\n| Patch | R | A |\n"
)
NEW = (
    HEAD.format(date="2024-02-01")
    + "| --- | --- | --- |\n| Back up <b> | RA | I |\n| Patch | | A |\n"
)


def revision(text: str, date: str, commit: str) -> Revision:
    ref = CommitRef(commit, 1_700_000_000, "guide.en-gb.md", f"b{commit}")
    return Revision(
        date, DateSource.FRONT_MATTER, RevisionStatus.PUBLISHED, ref, parse_page(text), (ref,)
    )


def outputs() -> dict[str, str]:
    old, new = parse_page(OLD), parse_page(NEW)
    diff = diff_snapshots(old, new)
    entries = build_entries([revision(OLD, "2024-01-01", "c1"), revision(NEW, "2024-02-01", "c2")])
    page = PageChangelog("doc", "en-gb", "RACI", None, entries)
    return {
        "diff text": render_diff(diff, old, new, "text"),
        "diff md": render_diff(diff, old, new, "md"),
        "changelog md": render_changelog(page, "md"),
        "changelog html": render_changelog(page, "html"),
    }


def words(text: str) -> str:
    """The text without markup: tags, Markdown emphasis and code marks, rule brackets."""
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[`*\[\]]", "", text)


@pytest.mark.parametrize("name", ["diff text", "diff md", "changelog md", "changelog html"])
def test_a_transfer_and_a_finding_read_the_same_in_every_format(name: str) -> None:
    text = words(outputs()[name])

    assert "R and A moved from OVHcloud to the customer" in text
    assert "now responsible (R), now accountable (A), no longer informed (I)" in text
    assert "new finding: warning no-responsible: " in text


def test_page_text_is_escaped_for_each_format() -> None:
    rendered = outputs()

    assert "Back up <b>" in rendered["diff text"]
    assert "Back up \\<b\\>" in rendered["diff md"]
    assert "Back up &lt;b&gt;" in rendered["changelog html"]
    assert "<b>" not in rendered["changelog html"].replace("<body>", "")


def test_every_report_names_a_section_by_number_and_title() -> None:
    rendered = outputs()
    old, new = (revision(OLD, "2024-01-01", "c1"), revision(NEW, "2024-02-01", "c2"))
    versions = [Version(r.ref, r.snapshot, r) for r in (old, new)]
    view = CompareView(
        net_change(versions, versions[0], versions[1]),
        "RACI",
        "en-gb",
        "2024-01-01",
        "2024-02-01",
        lambda ref: None,
    )
    rendered["compare md"] = render_compare(view, "md")

    assert "| 1 Run | Back up \\<b\\> | the customer |" in rendered["changelog md"]
    assert "<td>1 Run</td>" in rendered["changelog html"]
    assert "major     1 Run - Back up <b>: the customer" in rendered["diff text"]
    assert "| 1 Run | Back up \\<b\\> | the customer |" in rendered["diff md"]
    assert "| Back up \\<b\\> | 1 Run | the customer I, OVHcloud RA |" in rendered["compare md"]
    for text in rendered.values():
        assert "| 1 |" not in text and "<td>1</td>" not in text
