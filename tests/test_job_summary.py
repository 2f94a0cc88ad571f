"""A run's summary as GitHub's job summary takes it: GitHub drops a step's whole summary past
1 MiB, so a longer one is cut before the first section that does not fit, and says so."""

from __future__ import annotations

import os
from pathlib import Path

from raci_tracker.output.lastrun import CUT_NOTE, JOB_SUMMARY_LIMIT, job_summary
from tests.test_failures import cli_env
from tests.test_robustness import sample

HEAD = "# RACI responsibility shifts\n\nThis run took in 3 new texts.\n\n- a fr failed: bad\n\n"


def section(n: int) -> str:
    return f"## Page {n} (fr-fr), 2024-01-0{n}\n\n**Customer gained A.**\n\n" + "| é | A |\n" * 20


SUMMARY = HEAD + "\n".join(section(n) for n in (1, 2, 3))


def test_a_summary_that_fits_is_whole() -> None:
    assert job_summary(SUMMARY.encode(), len(SUMMARY.encode("utf-8"))) == SUMMARY


def test_a_long_summary_stops_before_the_first_section_that_does_not_fit() -> None:
    room = len((HEAD + section(1) + "\n" + section(2)).encode("utf-8")) + len(CUT_NOTE) - 1

    cut = job_summary(SUMMARY.encode(), room)

    assert cut == HEAD + section(1) + "\n" + CUT_NOTE
    assert len(cut.encode("utf-8")) <= room


def test_a_first_section_too_long_for_the_room_leaves_the_head() -> None:
    room = len(HEAD.encode("utf-8")) + 100 + len(CUT_NOTE)

    assert job_summary(SUMMARY.encode(), room) == HEAD + CUT_NOTE


def test_a_summary_without_sections_is_cut_at_a_line_end() -> None:
    text = "é line\n" * 1000  # a template of the user's own, without "## " headings
    room = 500 + len(CUT_NOTE.encode("utf-8"))

    cut = job_summary(text.encode(), room)

    assert cut == "é line\n" * (500 // len("é line\n".encode())) + CUT_NOTE
    assert len(cut.encode("utf-8")) <= room


def test_no_room_leaves_nothing() -> None:
    assert job_summary(SUMMARY.encode(), 10) == ""


def test_a_run_cuts_its_job_summary_where_github_would_drop_it(tmp_path: Path) -> None:
    folder = sample(tmp_path / "sample")
    written = tmp_path / "summary"
    earlier = "x" * (JOB_SUMMARY_LIMIT - 2000) + "\n"  # what the step wrote before the run
    written.write_text(earlier, encoding="utf-8")

    done = cli_env(folder, {**os.environ, "GITHUB_STEP_SUMMARY": str(written)}, "run")

    assert done.returncode == 0, done.stderr
    assert "warning: GITHUB_STEP_SUMMARY: the run's summary is longer" in done.stderr
    whole = (folder / "reports/sample/last-run.md").read_text("utf-8")
    appended = written.read_text("utf-8").removeprefix(earlier)
    assert written.stat().st_size <= JOB_SUMMARY_LIMIT
    assert appended.endswith(CUT_NOTE)
    assert whole.startswith(appended.removesuffix(CUT_NOTE))
    assert appended.startswith("# RACI responsibility shifts\n")
    assert appended.count("\n## ") < whole.count("\n## ")
