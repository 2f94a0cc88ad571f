"""Following a page forward when its configured path is moved away.

`git log --follow` follows a page backwards, from the path it has now. A configured path that was
later moved shows, from that path, as a deletion. At that commit, git's rename detection (and,
where the repository keeps one, the `id` of the `meta.yaml` beside each guide, as ovh/docs does)
says where the page went; its later commits are then taken in from its new path.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from raci_tracker.history.source import GitSource
from raci_tracker.lazy import LazyModule
from raci_tracker.model import HistoryNote, PageCommit, Severity

if TYPE_CHECKING:
    from raci_tracker.page import frontmatter
else:  # PyYAML is imported when a moved page's meta.yaml is first read
    frontmatter = LazyModule("raci_tracker.page.frontmatter")

MAX_MOVES = 20
META = "meta.yaml"


@dataclass(frozen=True, slots=True)
class Move:
    """The page left `old_path` for `new_path` in `commit`. `confirmed`: the `meta.yaml` ids of
    both folders agree (True), differ (False), or there is none to compare (None)."""

    commit: str
    old_path: str
    new_path: str
    confirmed: bool | None = None

    def note(self) -> HistoryNote:
        if self.confirmed is False:
            return HistoryNote(
                "page-move-refused",
                Severity.WARNING,
                self.commit,
                f"{self.old_path} was renamed to {self.new_path} by commit {self.commit[:12]}, "
                f"but the {META} ids of the two folders differ; the page is not followed there",
            )
        proof = f" (the same {META} id)" if self.confirmed else ""
        return HistoryNote(
            "page-moved",
            Severity.WARNING,
            self.commit,
            f"{self.old_path} moved to {self.new_path} by commit {self.commit[:12]}{proof}; "
            f"its later versions are followed there: set the page's path to {self.new_path}",
        )


def follow_forward(source: GitSource, head: str, path: str) -> tuple[list[PageCommit], list[Move]]:
    """The page's commits from `path` on, continued at each path it was moved to."""
    commits = source.page_commits(head, path)
    moves: list[Move] = []
    while commits[-1].blob is None and len(moves) < MAX_MOVES:
        move = find_move(source, commits[-1].commit, commits[-1].path)
        if move is not None:
            moves.append(move)
        if move is None or move.confirmed is False:
            break
        tail = _from_commit(source.page_commits(head, move.new_path), move)
        if not tail:
            break
        commits = commits[:-1] + tail
    return commits, moves


def _from_commit(later: list[PageCommit], move: Move) -> list[PageCommit]:
    """The new path's commits from the move on; the move itself as a rename from the old path."""
    at = next((i for i, c in enumerate(later) if c.commit == move.commit), None)
    if at is None:
        return []
    arrival = replace(later[at], status="R", previous_path=move.old_path)
    return [arrival, *later[at + 1 :]]


def find_move(source: GitSource, commit: str, path: str) -> Move | None:
    """Where the page at `path` went in `commit`, or None when it was really deleted."""
    changes = source.changes_at(commit)
    old_id = meta_id(source, f"{commit}^1", path)
    renamed = next((c.path for c in changes if c.status == "R" and c.previous_path == path), None)
    if renamed is None:
        found = _moved_folder(source, changes, old_id, path)
        return None if found is None else Move(commit, path, found, confirmed=True)
    new_id = meta_id(source, commit, renamed)
    confirmed = None if old_id is None or new_id is None else old_id == new_id
    return Move(commit, path, renamed, confirmed)


def _moved_folder(
    source: GitSource, changes: list[PageCommit], old_id: str | None, path: str
) -> str | None:
    """The page's new path, found by the `meta.yaml` id its folder took along, when git's rename
    detection missed it (the page was edited as much as it was moved)."""
    if old_id is None:
        return None
    added = {c.path for c in changes if c.blob is not None}
    for change in changes:
        if posixpath.basename(change.path) != META or change.blob is None:
            continue
        candidate = posixpath.join(posixpath.dirname(change.path), posixpath.basename(path))
        if candidate in added and _id_of(source, change.blob) == old_id:
            return candidate
    return None


def meta_id(source: GitSource, commit: str, page_path: str) -> str | None:
    """The `id` in the `meta.yaml` beside a page at a commit, if there is one."""
    blob = source.blob_at(commit, posixpath.join(posixpath.dirname(page_path), META))
    return None if blob is None else _id_of(source, blob)


def _id_of(source: GitSource, blob: str) -> str | None:
    try:
        text = source.read_blob(blob).decode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return None
    value = frontmatter.read_front_matter(text, 1).data.get("id")
    return value if isinstance(value, str) and value.strip() else None
