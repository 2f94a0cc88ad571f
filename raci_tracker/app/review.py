"""Reviewing a change to a docs repository: every RACI page two revisions differ on, diffed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from raci_tracker.compare.review import PageTexts, Review, check_policy, review
from raci_tracker.errors import InputError
from raci_tracker.files import guess_locale
from raci_tracker.history.gitraw import ChangedPage
from raci_tracker.history.source import (
    GitSource,
    changed_markdown,
    open_local,
    read_at,
    review_base,
)
from raci_tracker.model import Snapshot
from raci_tracker.page.parse import parse_page


def review_changes(repository: Path, base: str, head: str, policy: Sequence[str]) -> Review:
    """`raci-tracker review`: every RACI page changed from `base` to `head`, diffed.

    Like a pull request's "Files changed", the change starts at the merge base of the two.
    """
    rules = check_policy(policy)
    with open_local(repository) as source:
        start, end = review_base(source, base, head), source.resolve(head)
        texts, errors = [], []
        for page in changed_markdown(source, start, end):
            try:
                texts.append(_page_texts(source, page, start, end))
            except InputError as error:
                errors.append(str(error))
    result = review(start, end, texts, parse_page(b"", path="(no page)"), rules)
    return replace(result, errors=tuple(errors))


def _page_texts(source: GitSource, page: ChangedPage, start: str, end: str) -> PageTexts:
    def parsed(blob: str | None, path: str, commit: str) -> Snapshot | None:
        if blob is None:
            return None
        data, locale = source.read_blob(blob), guess_locale(Path(path))
        return parse_page(data, path=path, locale=locale, commit=commit, blob=blob)

    before = parsed(page.old_blob, page.previous_path or page.path, start)
    after = parsed(page.new_blob, page.path, end)
    return PageTexts(page.path, page.previous_path, page.status, before, after)


def read_revision(repository: Path, rev: str, path: str) -> bytes:
    """`diff REV:PATH`: a file's bytes at a revision of a local repository."""
    with open_local(repository) as source:
        return read_at(source, rev, path)
