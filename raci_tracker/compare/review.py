"""Reviewing a change to a docs repository: every RACI page it touched, diffed, and the policy
that decides whether the check fails.

Pure: the caller reads the two texts of each changed page (from git) and parses them; this module
decides which pages are RACI pages, diffs them and applies `--fail-on`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.errors import UsageError
from raci_tracker.model import Change, ChangeKind, Diff, PartyTally, Snapshot

PARTY_LOSES = "party-loses:"
POLICIES = ("major", "minor", "accountability", f"{PARTY_LOSES}PARTY")


@dataclass(frozen=True, slots=True)
class PageTexts:
    """One changed Markdown file: its two texts, parsed (None where the file does not exist)."""

    path: str
    previous_path: str | None
    status: str  # added, modified, renamed, deleted
    before: Snapshot | None
    after: Snapshot | None

    @property
    def is_raci(self) -> bool:
        """A page with a RACI matrix on either side; other Markdown is not reviewed."""
        return any(side is not None and side.activities for side in (self.before, self.after))


@dataclass(frozen=True, slots=True)
class ReviewedPage:
    texts: PageTexts
    before: Snapshot
    after: Snapshot
    diff: Diff


@dataclass(frozen=True, slots=True)
class Review:
    base: str
    head: str
    pages: tuple[ReviewedPage, ...]
    skipped: tuple[str, ...]  # changed Markdown that is not a RACI page
    policy: tuple[str, ...]
    breaches: tuple[str, ...]  # why the policy fails the check, one reason per line
    errors: tuple[str, ...] = ()  # changed Markdown that could not be read

    @property
    def has_shifts(self) -> bool:
        return any(page.diff.has_shifts for page in self.pages)

    def total(self, severity: str) -> int:
        return sum(getattr(page.diff.summary, severity) for page in self.pages)


def check_policy(rules: Iterable[str]) -> tuple[str, ...]:
    """`--fail-on` values, checked: `major`, `minor`, `accountability`, `party-loses:PARTY`."""
    checked = []
    for rule in rules:
        text = rule.strip()
        party = text.removeprefix(PARTY_LOSES)
        if text in POLICIES[:3] or (text.startswith(PARTY_LOSES) and party):
            checked.append(text)
        else:
            raise UsageError(f"--fail-on: {rule!r} is not one of {', '.join(POLICIES)}")
    return tuple(checked)


def review(
    base: str, head: str, changed: Sequence[PageTexts], empty: Snapshot, policy: Sequence[str]
) -> Review:
    """Diff every RACI page in `changed` (`empty` stands for a side that does not exist)."""
    pages = tuple(
        ReviewedPage(texts, texts.before or empty, texts.after or empty, _diff(texts, empty))
        for texts in changed
        if texts.is_raci
    )
    skipped = tuple(texts.path for texts in changed if not texts.is_raci)
    breaches = tuple(reason for page in pages for reason in _breaches(page, policy))
    return Review(base, head, pages, skipped, tuple(policy), breaches)


def _diff(texts: PageTexts, empty: Snapshot) -> Diff:
    return diff_snapshots(texts.before or empty, texts.after or empty)


def _breaches(page: ReviewedPage, policy: Sequence[str]) -> Iterable[str]:
    """The reasons `page` breaks the policy, in the policy's order."""
    summary = page.diff.summary
    where = page.texts.path
    for rule in policy:
        if rule == "major" and summary.major:
            yield f"{where}: {summary.major} major change(s)"
        elif rule == "minor" and summary.major + summary.minor:
            yield f"{where}: {summary.major + summary.minor} role change(s)"
        elif rule == "accountability":
            yield from _accountability_moves(where, page.diff)
        elif rule.startswith(PARTY_LOSES):
            yield from _party_losses(where, page.diff, rule.removeprefix(PARTY_LOSES))


def _accountability_moves(where: str, diff: Diff) -> Iterable[str]:
    """A moved from or to a party, or an activity with an A added or removed."""
    moved = sorted(
        {p for p, t in diff.summary.parties.items() if t.accountable_gained + t.accountable_lost}
        | {p for change in _added_or_removed(diff) for p in _holders(change, "A")}
    )
    if moved:
        yield f"{where}: accountability moved ({', '.join(moved)})"


def _party_losses(where: str, diff: Diff, party: str) -> Iterable[str]:
    """`party` loses A or R on an activity it keeps, or holds it on an activity removed."""
    tally = diff.summary.parties.get(party, PartyTally())
    removed = [c for c in diff.changes if c.kind is ChangeKind.ACTIVITY_REMOVED]
    for role, lost in (("A", tally.accountable_lost), ("R", tally.responsible_lost)):
        gone = sum(1 for change in removed if party in _holders(change, role))
        if lost + gone:
            yield f"{where}: {party} loses {role} on {_count(lost + gone)}"


def _added_or_removed(diff: Diff) -> list[Change]:
    kinds = (ChangeKind.ACTIVITY_ADDED, ChangeKind.ACTIVITY_REMOVED)
    return [change for change in diff.changes if change.kind in kinds]


def _holders(change: Change, role: str) -> set[str]:
    return {party for party, letters in (change.assignments or {}).items() if role in letters}


def _count(activities: int) -> str:
    return f"{activities} activit{'y' if activities == 1 else 'ies'}"
