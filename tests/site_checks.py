"""Checks over a generated site: every link and anchor resolves, pages parse."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)

    handle_startendtag = handle_starttag


def parse_html(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


def _ids(pages: dict[Path, _Page], target: Path) -> set[str]:
    return pages[target].ids if target in pages else set()


def broken_links(root: Path) -> list[str]:
    """Every href/src of every HTML page under `root` that names no file or no anchor there.
    Absolute URLs (http, https) are left alone: the tests have no network."""
    root = root.resolve()
    pages = {path: parse_html(path) for path in root.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if parts.scheme or not target.is_file() or root not in target.parents:
                broken.append(f"{path.relative_to(root)}: {link}")
            elif parts.fragment and unquote(parts.fragment) not in _ids(pages, target):
                broken.append(f"{path.relative_to(root)}: {link} (no such anchor)")
    return broken


def broken_markdown_links(root: Path) -> list[str]:
    """Relative links of every Markdown page under `root` that name no file."""
    broken = []
    for path in root.rglob("*.md"):
        for link in re.findall(r"\]\(([^)\s]+)\)", path.read_text("utf-8")):
            if urlsplit(link).scheme:
                continue
            if not (path.parent / urlsplit(link).path).is_file():
                broken.append(f"{path.relative_to(root)}: {link}")
    return broken


CHECKED = re.compile(rb"Last checked upstream: \d{4}-\d{2}-\d{2}\.")


def without_check_day(index: bytes) -> bytes:
    """The index with the day of the last check (the run's own clock) as `DAY`, for golden files."""
    return CHECKED.sub(b"Last checked upstream: DAY.", index)
