"""Append the review to the step's job summary, within what GitHub takes from one step (1 MiB,
less what the step already wrote; past it GitHub drops the whole summary): cut before the first
page that does not fit whole, with a note saying how to get it whole. Run with raci-tracker's
own Python (it uses the run's cut, `raci_tracker.output.lastrun.job_summary`).

Usage: python step_summary.py REVIEW   (GITHUB_STEP_SUMMARY names the summary file)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from raci_tracker.output.lastrun import JOB_SUMMARY_LIMIT, job_summary

NOTE = (
    "\n*This review is longer than GitHub allows a job summary, so it stops here; "
    "`raci-tracker review BASE HEAD --format md` prints it whole.*\n"
)
PAGE = "#### "
"""How the review's Markdown heads each page it reviews (`review.md.j2`)."""


def append(review: Path, summary: Path) -> bool:
    """Append what fits; whether the review had to be cut."""
    text = review.read_bytes()
    written = summary.stat().st_size if summary.exists() else 0
    fitted = job_summary(text, JOB_SUMMARY_LIMIT - written, NOTE, PAGE)
    with summary.open("a", encoding="utf-8") as handle:
        handle.write(fitted)
    return len(fitted.encode("utf-8")) != len(text)


if __name__ == "__main__":
    if append(Path(sys.argv[1]), Path(os.environ["GITHUB_STEP_SUMMARY"])):
        print("::warning title=raci-tracker::the review is longer than a job summary takes; cut")
