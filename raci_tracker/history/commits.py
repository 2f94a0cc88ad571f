"""The commits a run takes a page in from, oldest first: listed whole (`git log --follow`,
followed forward where the page moved, `moves.py`), or, for a page every commit of which since
its last one edited it in place, its stored commits and those edits alone (ADR 12).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from raci_tracker.history.moves import follow_forward
from raci_tracker.history.source import GitSource
from raci_tracker.model import HistoryNote, PageCommit, PageIndex, Rename


def renames(commits: Iterable[PageCommit]) -> list[Rename]:
    return [
        Rename(c.commit, c.previous_path, c.path)
        for c in commits
        if c.status == "R" and c.previous_path
    ]


MOVE_RULES = frozenset({"page-moved", "page-move-refused"})


@dataclass(frozen=True, slots=True)
class Listing:
    """A page's commits as `git log --follow` lists them, oldest first, with its renames and
    the notes on where it moved."""

    commits: list[PageCommit]
    renames: list[Rename]
    moved: list[HistoryNote]


def listing(source: GitSource, head: str, path: str) -> Listing:
    commits, moves = follow_forward(source, head, path)
    return Listing(commits, renames(commits), [move.note() for move in moves])


def listing_since(source: GitSource, head: str, path: str, previous: PageIndex | None) -> Listing:
    """The listing of the page stored as `previous`: the stored one and the edits since, where
    every commit since its last one edited it in place (the usual upstream commit); else the
    page listed again, whole."""
    last = previous.last_commit if previous is not None else None
    if previous is None or last is None or previous.current_path is not None:
        return listing(source, head, path)
    edits = source.page_edits_after(last, head, path)
    if edits is None:
        return listing(source, head, path)
    moved = [note for note in previous.notes if note.rule in MOVE_RULES]
    return Listing(_stored_commits(previous) + edits, list(previous.renames), moved)


def _stored_commits(index: PageIndex) -> list[PageCommit]:
    """The commits an index holds, as far as taking in new ones asks (`_known`, `_merged`):
    each commit with the path and blob it left, versions and skipped commits each in order."""
    versions = [
        PageCommit(v.ref.commit, v.ref.commit_time, v.ref.path, v.ref.blob, "M")
        for v in index.versions
    ]
    return versions + [PageCommit(s.commit, 0, s.path, None, "M") for s in index.skipped]
