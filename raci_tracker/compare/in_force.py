"""The text in force on a date: in force means published, so it is the last text of the page
committed on or before that day (end of day, UTC), whatever date the page itself carries.

A page's texts are its revisions' silent edits and final texts; each is named with the revision
(the `updated:` date) it was published under, and cites the commit that first published it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from raci_tracker.compare.changelog import commit_day, texts
from raci_tracker.errors import InputError
from raci_tracker.model import CommitRef, Revision, RevisionStatus, Snapshot

__all__ = ["Version", "check_dates", "commit_day", "text_in_force", "versions"]


@dataclass(frozen=True, slots=True)
class Version:
    """One text of a page: the commit that first published it, the text, and its revision."""

    ref: CommitRef
    snapshot: Snapshot
    revision: Revision

    @property
    def date(self) -> str:
        """The date the page carried (its revision's date)."""
        return self.revision.date

    @property
    def committed(self) -> str:
        """The day (UTC) the commit that published this text was made."""
        return commit_day(self.ref)

    @property
    def deleted(self) -> bool:
        """The commit deleted the page: no matrix was in force (the snapshot is empty)."""
        return self.revision.status is RevisionStatus.DELETED


def versions(revisions: Sequence[Revision]) -> list[Version]:
    """Every text of the page in history order (revisions come in commit order). Not sorted by
    commit time: a rebased or clock-skewed commit can carry an earlier time than its parent, and
    the text after it in history is still the one that superseded it."""
    return [version for revision in revisions for version in _revision_versions(revision)]


def _revision_versions(revision: Revision) -> list[Version]:
    """A revision's texts, each with the first commit that carried it (a commit that left the
    text alone is not a new text)."""
    return [Version(ref, snapshot, revision) for ref, snapshot in texts(revision)]


def text_in_force(revisions: Sequence[Revision], date: str) -> Version | None:
    """The text in force on `date` (`YYYY-MM-DD`): the last text committed on or before the end
    of that day, UTC; None when the page did not exist yet."""
    earlier = [version for version in versions(revisions) if version.committed <= date]
    return earlier[-1] if earlier else None


def check_dates(start: str, end: str, today: str) -> None:
    """`--from` and `--to` as a comparison takes them: not in the future, not reversed."""
    for option, value in (("--from", start), ("--to", end)):
        if value > today:
            raise InputError(f"{option}: {value} is in the future (today is {today})")
    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
