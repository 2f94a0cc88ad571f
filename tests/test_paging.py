"""Changelog pages cut from the oldest revision: a new revision changes only the newest page,
and every revision is on exactly one page, where its link points."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from raci_tracker.compare.changelog import PageChangelog, build_entries
from raci_tracker.model import CommitRef, DateSource, Revision, RevisionStatus
from raci_tracker.output.paging import changelog_pages, revision_hrefs
from raci_tracker.page.parse import parse_page

TEXT = parse_page("---\ntitle: RACI\n---\n\n| Activity | Customer |\n| --- | --- |\n| Do | RA |\n")


def changelog(count: int) -> PageChangelog:
    revisions = []
    for n in range(count):
        ref = CommitRef(f"{n:040x}", 1_700_000_000 + n, "guide.md", f"{n:040x}")
        date = f"{2000 + n // 365:04d}-01-01.{n}"
        revisions.append(
            Revision(date, DateSource.COMMIT, RevisionStatus.PUBLISHED, ref, TEXT, (ref,))
        )
    return PageChangelog("doc", "en-gb", "RACI", None, build_entries(revisions))


def files(page: PageChangelog) -> dict[str, list[str]]:
    return {
        part.name("html"): [e.revision.date for e in part.entries] for part in changelog_pages(page)
    }


@given(st.integers(0, 130))
def test_a_new_revision_changes_only_the_newest_page(count: int) -> None:
    before, after = files(changelog(count)), files(changelog(count + 1))

    changed = {name for name in after if before.get(name) != after[name]}
    new = set(after) - set(before)
    assert changed - new == {"CHANGELOG.html"}
    assert len(new) <= 1 and all(len(after[name]) == 25 for name in new)
    assert all(1 <= len(dates) <= 25 for dates in after.values())


@given(st.integers(0, 130))
def test_every_revision_is_on_the_page_its_link_names(count: int) -> None:
    page = changelog(count)
    hrefs = revision_hrefs(page, "md")
    placed = {
        date: name.removesuffix(".html") for name, dates in files(page).items() for date in dates
    }

    assert sorted(placed) == sorted(hrefs)
    assert all(hrefs[date] == f"{placed[date]}.md" for date in placed)
