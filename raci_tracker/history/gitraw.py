"""git's raw output read into our types: `log --raw -z` records of a page's commits, and
`diff --raw -z` records of the Markdown files two revisions differ on."""

from __future__ import annotations

from dataclasses import dataclass

from raci_tracker.model import PageCommit

NULL_BLOB = "0" * 40


def read_page_commit(chunk: bytes) -> PageCommit | None:
    """A `log --raw -z` record of one commit (after its `%x01`): its first change."""
    tokens = [t for t in chunk.split(b"\x00") if t.strip()]
    if len(tokens) < 4:
        return None
    return page_commit_of(tokens[0].decode(), int(tokens[1]), tokens[2], tokens[3:5])


def page_commit_of(commit: str, commit_time: int, raw: bytes, names: list[bytes]) -> PageCommit:
    """One change of a commit: its `:mode mode blob blob status` token and the path(s) after."""
    old_mode, new_mode, old_blob, new_blob, status = raw.strip().decode().lstrip(":").split()
    paths = [p.decode("utf-8", "backslashreplace") for p in names]
    renamed = status[0] in "RC" and len(paths) == 2
    return PageCommit(
        commit=commit,
        commit_time=commit_time,
        path=paths[-1] if renamed else paths[0],
        blob=None if new_blob == NULL_BLOB else new_blob,
        status=status[0],
        previous_path=paths[0] if renamed else None,
        previous_blob=None if old_blob == NULL_BLOB else old_blob,
        mode=old_mode if new_blob == NULL_BLOB else new_mode,
    )


@dataclass(frozen=True, slots=True)
class ChangedPage:
    """A Markdown file that differs between two revisions; a rename keeps its old path."""

    path: str
    previous_path: str | None
    status: str
    old_blob: str | None
    new_blob: str | None


def changed_page(tokens: list[bytes], index: int) -> tuple[ChangedPage, int]:
    """One `--raw -z` record from `index`: the status line, then one path or two (a rename)."""
    _, _, old_blob, new_blob, status = tokens[index].decode().lstrip(":").split()
    count = 2 if status[0] in "RC" else 1
    paths = [p.decode("utf-8", "backslashreplace") for p in tokens[index + 1 : index + 1 + count]]
    page = ChangedPage(
        path=paths[-1],
        previous_path=paths[0] if count == 2 else None,
        status=status[0],
        old_blob=None if old_blob == NULL_BLOB else old_blob,
        new_blob=None if new_blob == NULL_BLOB else new_blob,
    )
    return page, index + 1 + count
