"""What a scheduled run took in: `reports/last-run.json` and the Markdown summary of a run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from raci_tracker.compare.changelog import NewText, PageChangelog
from raci_tracker.history.walk import RunSummary


@dataclass(frozen=True, slots=True)
class RunOutcome:
    summary: RunSummary
    new_texts: tuple[NewText, ...]
    reports_written: int
    pending: tuple[NewText, ...] = ()
    """Shifts an earlier run took in and never alerted (interrupted, or its notification failed)."""
    pages: tuple[PageChangelog, ...] = ()
    """Every page's changelog after the run."""
    complete: bool = False
    """Every page's reports were written: once its alerts are recorded, the run marks them
    current (a quiet run then renders nothing)."""

    @property
    def shifts(self) -> list[NewText]:
        return [text for text in self.new_texts if text.has_shifts]

    @property
    def changes(self) -> dict[str, int]:
        """Changes this run took in, by severity."""
        return severity_counts(self.new_texts)

    @property
    def shift_count(self) -> int:
        return self.changes["major"] + self.changes["minor"]

    @property
    def did_something(self) -> bool:
        return bool(self.pending) or any(page.status != "unchanged" for page in self.summary.pages)

    @property
    def alerts(self) -> list[NewText]:
        """What this run alerts: its own shifts, then those never alerted before."""
        return [*self.pending, *self.shifts]

    @property
    def alert_count(self) -> int:
        """Role changes (major and minor) in `alerts`: `shifts=<count>` in CI."""
        counts = severity_counts(self.alerts)
        return counts["major"] + counts["minor"]


def severity_counts(texts: Iterable[NewText]) -> dict[str, int]:
    """`{"major": n, "minor": n, "editorial": n}`: the changes in these texts, by severity."""
    counts = {"major": 0, "minor": 0, "editorial": 0}
    for text in texts:
        if text.step.diff is not None:
            summary = text.step.diff.summary
            counts["major"] += summary.major
            counts["minor"] += summary.minor
            counts["editorial"] += summary.editorial
    return counts
