"""The Python API's use cases (see `raci_tracker.__init__`): run a config, net change since a
date, the text in force."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from raci_tracker.app.diligence import _checked_at, _in_force_at, compare_dates
from raci_tracker.app.run import alert, record_run, run_and_report
from raci_tracker.compare.in_force import Version, text_in_force, versions
from raci_tracker.compare.net import NetChange, net_change
from raci_tracker.config import load_config
from raci_tracker.errors import InputError
from raci_tracker.model import Revision
from raci_tracker.output.lastrun import RunOutcome


def run_config(
    config_file: Path | str = "raci-tracker.toml", environ: Mapping[str, str] | None = None
) -> RunOutcome:
    """Run a configuration as `raci-tracker run` does: update snapshots, write every report and
    the last-run summary, and record the shifts it returns (`outcome.alerts`) as alerted.
    `environ` carries `GITHUB_STEP_SUMMARY`/`GITHUB_OUTPUT` if wanted."""
    config = load_config(Path(config_file))
    outcome = run_and_report(config)
    record_run(config, outcome, environ or {})
    alert(config, outcome, ())
    return outcome


def net_change_since(
    revisions: Sequence[Revision], start: str, end: str | None = None
) -> NetChange:
    """The net change between the texts in force on `start` and on `end` (default: today)."""
    start_date, end_date = compare_dates(start, end)
    if not revisions:
        raise InputError("the page has no revision")
    end_version = _in_force_at(revisions, end_date, "the page")
    return net_change(versions(revisions), text_in_force(revisions, start_date), end_version)


def matrix_in_force(revisions: Sequence[Revision], at: str | None = None) -> Version:
    """The text in force on `at` (default: today): the last one committed on or before it."""
    return _in_force_at(revisions, _checked_at(at), "the page")
