"""Long changelogs in pages that stay put: the newest revisions on `CHANGELOG.md`/`.html`, and
the older ones in archive pages of 25, counted from the page's first revision:
`CHANGELOG-1-25`, `CHANGELOG-26-50`, ... A new revision changes only the newest page (which
passes its 25 oldest to a new archive page when it would hold 26): a full archive page never
changes, so a run does not render it again and a link to it stays good."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from raci_tracker.compare.changelog import Entry, PageChangelog, RevisionHead
from raci_tracker.model import Revision

PAGE_SIZE = 25
"""Revisions on one changelog page."""

NEWEST = 0
"""The number of the newest page; archive pages are numbered 1, 2, ... from the oldest."""


def changelog_name(number: int, output_format: str, size: int = PAGE_SIZE) -> str:
    """`CHANGELOG.html` for the newest page, `CHANGELOG-26-50.html` for archive page 2: the
    revisions it holds, counted from the page's first."""
    if number == NEWEST:
        return f"CHANGELOG.{output_format}"
    return f"CHANGELOG-{(number - 1) * size + 1}-{number * size}.{output_format}"


def archive_count(revisions: int, size: int = PAGE_SIZE) -> int:
    """Full archive pages: every revision but the newest 1 to `size`."""
    return max(0, (revisions - 1) // size)


@dataclass(frozen=True, slots=True)
class ChangelogPage:
    """One page of a changelog: its revisions, newest first, which of the page's revisions they
    are (`first` and `last`, counted from 1 at the oldest), and the pages it links to."""

    number: int
    archives: int
    entries: Sequence[Entry]
    first: int
    last: int

    @property
    def archive(self) -> bool:
        return self.number != NEWEST

    def name(self, output_format: str) -> str:
        return changelog_name(self.number, output_format)

    def forget_texts(self) -> None:
        """Let its revisions' texts and diffs go (read again if something asks)."""
        for entry in self.entries:
            for step in entry.steps:
                step.text.forget()
                step.forget_diff()

    def newest(self, output_format: str) -> str | None:
        """An archive page links the newest page (the archive after it may not exist yet)."""
        return changelog_name(NEWEST, output_format) if self.archive else None

    def older(self, output_format: str) -> str | None:
        older = self.archives if self.number == NEWEST else self.number - 1
        return changelog_name(older, output_format) if older > 0 else None


def changelog_pages(page: PageChangelog, size: int = PAGE_SIZE) -> list[ChangelogPage]:
    """The newest page, then the archive pages from the newest to the oldest."""
    count = len(page.entries)
    archives = archive_count(count, size)
    return [_page(page, n, archives, size) for n in (NEWEST, *range(archives, 0, -1))]


def _page(page: PageChangelog, number: int, archives: int, size: int) -> ChangelogPage:
    start = (number - 1 if number else archives) * size
    end = number * size if number else len(page.entries)
    return ChangelogPage(number, archives, page.entries[start:end][::-1], start + 1, end)


def page_of(position: int, revisions: int, size: int = PAGE_SIZE) -> int:
    """The page holding the revision at `position` (0 at the oldest)."""
    number = position // size + 1
    return number if number <= archive_count(revisions, size) else NEWEST


def revision_hrefs(
    page: PageChangelog, output_format: str = "html", size: int = PAGE_SIZE
) -> dict[str, str]:
    """Where each revision is, by its key, from the page's folder:
    `CHANGELOG-1-25.html#revision-2023-01-26` (Markdown: the file; its heading anchors are the
    host's to name)."""
    hrefs = {}
    count = len(page.entries)
    for position, entry in enumerate(page.entries):
        name = changelog_name(page_of(position, count, size), output_format, size)
        key = revision_key(entry.head)
        hrefs[key] = f"{name}#revision-{key}" if output_format == "html" else name
    return hrefs


def revision_key(revision: Revision | RevisionHead) -> str:
    """What names a revision in links: its date, `.2` added when the date came back."""
    return revision.key or revision.date
