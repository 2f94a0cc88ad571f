"""Turn a page's commits into dated revisions: pure rules, no I/O.

A revision is keyed by its date: front-matter `updated`, else the in-body date, else the commit
date (with a note). The revision for a date is the last commit carrying it; earlier commits with
the same date and different text are kept as silent edits. A date older than one already seen is
noted as going backwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from raci_tracker.model import (
    CommitRef,
    DateSource,
    DocumentInfo,
    HistoryNote,
    PageCommit,
    Revision,
    RevisionStatus,
    Severity,
    SilentEdit,
    Snapshot,
    SourceInfo,
)
from raci_tracker.page.rules import finding


def commit_ref(page_commit: PageCommit) -> CommitRef:
    return CommitRef(
        page_commit.commit, page_commit.commit_time, page_commit.path, page_commit.blob
    )


def commit_date(commit_time: int) -> str:
    return datetime.fromtimestamp(commit_time, tz=UTC).date().isoformat()


def deleted_snapshot(ref: CommitRef) -> Snapshot:
    """The page as published after a deletion: nothing."""
    message = f"the page was deleted at {ref.path} by commit {ref.commit[:12]}"
    return Snapshot(
        document=DocumentInfo(title=None, excerpt=None, updated=None, date_source=DateSource.NONE),
        source=SourceInfo(sha256=hashlib.sha256(b"").hexdigest(), path=ref.path, commit=ref.commit),
        legend={},
        parties=(),
        sections=(),
        activities=(),
        findings=(finding("page-deleted", None, message),),
    )


def dated(snapshot: Snapshot, ref: CommitRef) -> tuple[str, DateSource, list[HistoryNote]]:
    """The date a revision is keyed by, where it came from, and a note when it is the commit's.

    A deletion is dated by its commit, without a note: a deleted page has no date of its own.
    """
    if ref.blob is None:
        return commit_date(ref.commit_time), DateSource.COMMIT, []
    if snapshot.document.updated is not None:
        return snapshot.document.updated, snapshot.document.date_source, []
    date = commit_date(ref.commit_time)
    note = HistoryNote(
        "date-from-commit",
        Severity.WARNING,
        ref.commit,
        f"{ref.path} at {ref.commit[:12]} carries no date; using the commit date {date}",
    )
    return date, DateSource.COMMIT, [note]


def merge(
    revision: Revision | None,
    date: str,
    date_source: DateSource,
    ref: CommitRef,
    snapshot: Snapshot,
) -> Revision:
    """Add one commit to the revision of its date; the newest commit's text becomes the revision."""
    status = RevisionStatus.DELETED if ref.blob is None else RevisionStatus.PUBLISHED
    if revision is None:
        return Revision(date, date_source, status, ref, snapshot, commits=(ref,))
    if any(known.commit == ref.commit for known in revision.commits):
        return revision  # already taken in, by a run that stopped before writing its index
    edits = revision.silent_edits
    if _content(revision.snapshot) != _content(snapshot):
        edits = (*edits, SilentEdit(revision.ref, revision.snapshot))
    return replace(
        revision,
        date_source=date_source,
        status=status,
        ref=ref,
        snapshot=snapshot,
        commits=(*revision.commits, ref),
        silent_edits=edits,
    )


def _content(snapshot: Snapshot) -> str:
    return snapshot.source.sha256


def backwards_note(date: str, latest: str | None, ref: CommitRef) -> HistoryNote | None:
    if latest is None or date >= latest:
        return None
    return HistoryNote(
        "date-backwards",
        Severity.WARNING,
        ref.commit,
        f"{ref.path} at {ref.commit[:12]} is dated {date}, before {latest} of an earlier commit",
    )
