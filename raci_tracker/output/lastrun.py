"""What a scheduled run took in: `reports/last-run.json` and the Markdown summary of a run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from raci_tracker.files import Spool
from raci_tracker.history.walk import PageStatus, PageUpdate, RunSummary

if TYPE_CHECKING:  # what a run took in; the run imports it once it has something to render
    from raci_tracker.compare.changelog import NewText, PageChangelog, ShiftKey


class ShiftsShown:
    """A run's shifts as shown where their diffs were at hand (as each changelog page is
    rendered, by the run or its workers): each one's section of the run's summary (UTF-8,
    `output.render.shift_sections`) and its entry in `last-run.json`
    (`output.views.shift_to_dict`). They wait in temporary files, not in memory: a first run
    shows one of each for every text of a history whose letters moved."""

    def __init__(self) -> None:
        self._sections: Spool[ShiftKey] = Spool()
        self._records: Spool[ShiftKey] = Spool()

    def add(self, key: ShiftKey, section: bytes, record: dict[str, Any]) -> None:
        self._sections.put(key, section)
        self._records.put(key, json.dumps(record).encode("utf-8"))

    @property
    def sections(self) -> Mapping[ShiftKey, bytes]:
        return self._sections

    def record(self, key: ShiftKey) -> dict[str, Any] | None:
        found = self._records.get(key)
        return json.loads(found) if found is not None else None

    def take(self, other: ShiftsShown) -> None:
        for key, section in other.sections.items():
            self._sections.put(key, section)
            self._records.put(key, other._records[key])


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
    shown: ShiftsShown = field(default_factory=ShiftsShown)
    """Its shifts as its workers showed them."""

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
    """`{"major": n, "minor": n, "editorial": n}`: the changes in these texts, by severity
    (from the counts kept with each diff: the diffs themselves are not read)."""
    counts = {"major": 0, "minor": 0, "editorial": 0}
    for text in texts:
        if (found := text.step.counts) is not None:
            counts["major"] += found.major
            counts["minor"] += found.minor
            counts["editorial"] += found.editorial
    return counts


JOB_SUMMARY_LIMIT = 1024 * 1024
"""Bytes GitHub takes from one step's job summary: past it, the whole summary is dropped."""
CUT_NOTE = (
    "\n*This summary is longer than GitHub allows a job summary, so it stops here; "
    "`last-run.md` in the reports has it whole.*\n"
)
CUT_WARNING = "the run's summary is longer than GitHub takes (1 MiB); cut, see last-run.md"


def job_summary(summary: bytes, room: int, note: str = CUT_NOTE, section: str = "## ") -> str:
    """A summary (its UTF-8) in `room` bytes: whole when it fits; else cut before the first
    `section` heading that does not fit whole (at a line end in a summary without one), then
    `note`."""
    if len(summary) <= room:
        return summary.decode("utf-8")
    budget = room - len(note.encode("utf-8"))
    kept = summary[: max(budget, 0)].decode("utf-8", "ignore")
    heading = kept.rfind("\n" + section)
    kept = kept[: heading + 1] if heading >= 0 else kept[: kept.rfind("\n") + 1]
    return kept + note if kept else ""


def run_line(outcome: RunOutcome) -> str:
    """The line a run ends with."""
    summary = outcome.summary
    changes = outcome.changes
    return (
        f"{len(summary.pages)} page(s): "
        f"{sum(len(p.changed_dates) for p in summary.pages)} new revision(s); "
        f"{changes['major']} major, {changes['minor']} minor, {changes['editorial']} editorial "
        f"change(s); {len(summary.failed)} failed; "
        f"{sum(p.files_written for p in summary.pages)} snapshot file(s) and "
        f"{outcome.reports_written} report file(s) written"
        + "".join(
            f"; {p.document} {p.locale} moved to {p.moved_to}" for p in summary.pages if p.moved_to
        )
    )


def page_line(page: PageUpdate) -> str:
    """What a run did to one page, as the console shows it."""
    name = f"{page.document} {page.locale}"
    if page.status is PageStatus.FAILED:
        return f"{name}: failed: {page.error}"
    moved = (
        f"; the page moved to {page.moved_to}: set its path in the config" if page.moved_to else ""
    )
    if not page.changed_dates:
        return f"{name}: up to date{skipped_words(page.skipped)}{moved}"
    rewritten = " (upstream history was rewritten; walked again)" if page.rewritten else ""
    return (
        f"{name}: {len(page.changed_dates)} revision(s) taken in "
        f"({', '.join(page.changed_dates)}), {page.files_written} file(s) written{rewritten}"
        f"{skipped_words(page.skipped)}{moved}"
    )


def skipped_words(count: int) -> str:
    """Revisions a run could not read as a page (binary, not UTF-8 text, too large, a symlink,
    a submodule, a Git LFS pointer)."""
    if not count:
        return ""
    return (
        f"; {count} revision(s) skipped: not a readable page (binary, not UTF-8 text, too large, "
        "a symlink, a submodule or a Git LFS pointer; see last-run.json)"
    )
