"""The command JSON contract, straight from `raci_tracker.output.views`: `activity` is the text,
`activity_id` the id, counts end in `_count`, and a comparison names what it compared."""

from __future__ import annotations

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.output.views import diff_to_dict, finding_view, lint_to_dict
from raci_tracker.page.parse import parse_page

HEADER = "---\nupdated: {date}\n---\n# Page\n\n## 1. Run\n\n| Activity | Customer | OVHcloud |\n"
ROWS = "| --- | --- | --- |\n| Back up the data | {customer} | {provider} |\n| Patch | R | A |\n"


def page(date: str, customer: str, provider: str, path: str) -> str:
    return HEADER.format(date=date) + ROWS.format(customer=customer, provider=provider)


def test_a_finding_names_its_activity_by_text_and_by_id() -> None:
    snapshot = parse_page(page("2024-01-01", "", "A", "p.md"), path="p.md")
    (finding,) = [f for f in snapshot.findings if f.rule == "no-responsible"]

    view = finding_view(finding, snapshot)

    assert view["activity"] == "Back up the data"
    assert view["activity_id"] == finding.activity
    assert view["activity_id"].startswith("1/")
    assert set(view) == {"rule", "severity", "line", "activity", "activity_id", "message"}


def test_lint_json_counts_activities_under_a_count_name() -> None:
    snapshot = parse_page(page("2024-01-01", "R", "A", "p.md"), path="p.md")

    data = lint_to_dict("p.md", snapshot)

    assert (data["path"], data["activity_count"]) == ("p.md", 2)
    assert "activities" not in data


def test_diff_json_says_what_it_compared_and_words_findings_by_text() -> None:
    old = parse_page(page("2024-01-01", "R", "A", "a.md"), path="a.md")
    new = parse_page(page("2024-02-01", "", "A", "b.md"), path="b.md")

    data = diff_to_dict(diff_snapshots(old, new), old, new)

    assert data["from"] == {"path": "a.md", "updated": "2024-01-01", "commit": None}
    assert data["to"] == {"path": "b.md", "updated": "2024-02-01", "commit": None}
    (introduced,) = data["findings"]["introduced"]
    assert (introduced["rule"], introduced["activity"]) == ("no-responsible", "Back up the data")
    assert data["findings"]["resolved"] == []
    back = diff_to_dict(diff_snapshots(new, old), new, old)
    assert back["findings"]["resolved"][0]["activity"] == "Back up the data"


def test_a_finding_without_an_activity_has_neither_text_nor_id() -> None:
    snapshot = parse_page("# Nothing here\n", path="empty.md")
    (finding,) = [f for f in snapshot.findings if f.rule == "no-raci-table"]

    view = finding_view(finding, snapshot)

    assert (view["activity"], view["activity_id"]) == (None, None)
