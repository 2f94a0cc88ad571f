"""Long changelogs in pages: the newest revisions on `CHANGELOG.md`/`.html`, older ones on
`CHANGELOG-2`, `CHANGELOG-3`, ..., so a page with a thousand revisions stays readable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from raci_tracker.compare.changelog import Entry, PageChangelog
from raci_tracker.model import Revision

PAGE_SIZE = 25
"""Revisions on one changelog page."""


def changelog_name(number: int, output_format: str) -> str:
    """`CHANGELOG.html` for the first (newest) page, `CHANGELOG-2.html` for the next."""
    suffix = "" if number == 1 else f"-{number}"
    return f"CHANGELOG{suffix}.{output_format}"


@dataclass(frozen=True, slots=True)
class ChangelogPage:
    """One page of a changelog: its revisions, newest first, and where the others are."""

    number: int
    count: int
    entries: Sequence[Entry]

    def name(self, output_format: str) -> str:
        return changelog_name(self.number, output_format)

    def newer(self, output_format: str) -> str | None:
        return changelog_name(self.number - 1, output_format) if self.number > 1 else None

    def older(self, output_format: str) -> str | None:
        return changelog_name(self.number + 1, output_format) if self.number < self.count else None


def changelog_pages(page: PageChangelog, size: int = PAGE_SIZE) -> list[ChangelogPage]:
    """The changelog cut in pages of `size` revisions; a page with no revision has one page."""
    entries = page.newest_first()
    chunks = [entries[i : i + size] for i in range(0, len(entries), size)] or [[]]
    return [ChangelogPage(n, len(chunks), chunk) for n, chunk in enumerate(chunks, start=1)]


def revision_hrefs(
    page: PageChangelog, output_format: str = "html", size: int = PAGE_SIZE
) -> dict[str, str]:
    """Where each revision is, by its key, from the page's folder:
    `CHANGELOG-2.html#revision-2023-01-26` (Markdown: the file; its heading anchors are the
    host's to name)."""
    hrefs = {}
    for i, entry in enumerate(page.newest_first()):
        name = changelog_name(i // size + 1, output_format)
        key = revision_key(entry.revision)
        hrefs[key] = f"{name}#revision-{key}" if output_format == "html" else name
    return hrefs


def revision_key(revision: Revision) -> str:
    """What names a revision in links: its date, `.2` added when the date came back."""
    return revision.key or revision.date
