"""Every page of a repository listed from one `git log`, as `git log --follow` lists each one.

One `git log --first-parent --raw --no-renames -z` of the whole repository says, commit by commit,
which paths changed. A page's listing is then read from it backwards from the head, path by path,
exactly as `git log --follow` walks: a commit is the page's when it changed the followed path (or
a file under it, as a literal pathspec matches). Rename detection is git's own, asked only where
`--follow` does it: at a commit that creates the followed path, git is asked for its `--follow`
view of that one commit (a rename or copy into the path, from anywhere in the tree, or a plain
addition). So every page of a repository costs one pass over its history, plus one small git
call per creation, instead of one pass over the whole history per page.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from raci_tracker.history.gitraw import page_commit_of
from raci_tracker.model import PageCommit

FollowAt = Callable[[str, bytes], tuple[PageCommit, bytes] | None]
"""git's `--follow` view of one commit for one path: the page's change there and the path the
walk goes on with (the rename's source, else the same path); None when git lists nothing."""


class NestedRename(Exception):
    """A rename between a path and a file inside it (a page that was a folder's file): git's
    `--follow` goes on there in ways this walk does not reproduce, so the page is listed alone."""


@dataclass(frozen=True, slots=True)
class _Commit:
    commit: str
    commit_time: int
    changes: tuple[tuple[bytes, bytes], ...]  # (path, raw `:mode mode blob blob status`)


class RepositoryLog:
    """The first-parent history of one head, newest commit first, indexed by changed path."""

    def __init__(self, output: bytes) -> None:
        self._commits: list[_Commit] = []
        self._touched: dict[bytes, list[int]] = {}
        for commit in _records(output.split(b"\x00")):
            self._add(commit)
        self._names: list[bytes] | None = None
        self._positions: dict[bytes, list[int]] = {}

    def _add(self, commit: _Commit) -> None:
        position = len(self._commits)
        self._commits.append(commit)
        for path, _ in commit.changes:
            touched = self._touched.setdefault(path, [])
            if not touched or touched[-1] != position:
                touched.append(position)

    def follow(self, path: bytes, follow_at: FollowAt, start: int = 0) -> list[PageCommit]:
        """The commits `git log --follow` lists for `path` from the commit at `start` (the head
        is 0), oldest first; a copy into the path ends the listing, as in `GitSource`."""
        newest_first: list[PageCommit] = []
        followed, position = path, start
        while (position := self._next(followed, position)) >= 0:
            found = self._change(position, followed, follow_at)
            position += 1
            if found is None:
                continue
            page_commit, previous = found
            if _under(previous, followed) != _under(followed, previous):
                raise NestedRename(page_commit.commit)
            followed = previous
            if page_commit.status == "C":
                earlier = self.follow(path, follow_at, position)
                if earlier:
                    page_commit = replace(page_commit, status="A", previous_path=None)
                return earlier + [*newest_first, page_commit][::-1]
            newest_first.append(page_commit)
        return newest_first[::-1]

    def _change(
        self, position: int, path: bytes, follow_at: FollowAt
    ) -> tuple[PageCommit, bytes] | None:
        """The page's change at a commit that touched `path`: git's own answer where `--follow`
        looks for a rename (the path was created), else the first matching change."""
        commit = self._commits[position]
        matching = [(name, raw) for name, raw in commit.changes if _under(name, path)]
        if any(raw.split()[-1].startswith(b"A") for _, raw in matching):
            return follow_at(commit.commit, path)
        name, raw = matching[0]
        return page_commit_of(commit.commit, commit.commit_time, raw, [name]), path

    def _next(self, path: bytes, start: int) -> int:
        """The first position from `start` of a commit that touched `path`, or -1."""
        positions = self._positions_of(path)
        at = bisect_left(positions, start)
        return positions[at] if at < len(positions) else -1

    def _positions_of(self, path: bytes) -> list[int]:
        if path not in self._positions:
            lists = [self._touched.get(path, [])]
            lists += [self._touched[name] for name in self._below(path)]
            merged = lists[0] if len(lists) == 1 else sorted({p for ps in lists for p in ps})
            self._positions[path] = merged
        return self._positions[path]

    def _below(self, path: bytes) -> Iterator[bytes]:
        """Changed paths inside `path` taken as a folder (a literal pathspec matches them)."""
        if self._names is None:
            self._names = sorted(self._touched)
        prefix = path + b"/"
        at = bisect_left(self._names, prefix)
        while at < len(self._names) and self._names[at].startswith(prefix):
            yield self._names[at]
            at += 1


def _under(name: bytes, path: bytes) -> bool:
    return name == path or name.startswith(path + b"/")


def _records(tokens: list[bytes]) -> Iterator[_Commit]:
    """Commits from `log --format=%x01%H%x00%ct --raw -z` split at NULs, read token by token:
    after a status token come its one or two paths, whatever bytes a path holds."""
    at = 0
    while at + 1 < len(tokens) and tokens[at].startswith(b"\x01"):
        commit, commit_time = tokens[at][1:].decode(), int(tokens[at + 1])
        changes: list[tuple[bytes, bytes]] = []
        at += 2
        while at < len(tokens) and tokens[at].lstrip(b"\n").startswith(b":"):
            raw = tokens[at]
            count = 2 if raw.split()[-1][:1] in (b"R", b"C") else 1
            changes.append((tokens[at + count], raw))
            at += count + 1
        yield _Commit(commit, commit_time, tuple(changes))
    if tokens[at:] not in ([], [b""]):
        raise ValueError(f"unexpected git log output at token {at}")
