"""The use cases the command line and the Python API call, one module per kind of user:
`run` (the scheduled job), `pages` (where a page is read), `diligence` (compare, matrix, an
activity's history, consistency), `review` (a change to a docs repository), `api`."""

from __future__ import annotations

from raci_tracker.app.api import matrix_in_force, net_change_since, run_config
from raci_tracker.app.diligence import (
    activity_history,
    compare,
    compare_dates,
    compare_portfolio,
    consistency_of_document,
    consistency_of_files,
    matrix,
    page_comparison,
)
from raci_tracker.app.pages import (
    PageQuery,
    checked_date,
    page_history,
    page_outline,
    repository_revisions,
    stored_revisions,
    today,
)
from raci_tracker.app.review import read_revision, review_changes
from raci_tracker.app.run import (
    PageFailures,
    acknowledge_alerts,
    alert,
    load_changelogs,
    lock_outputs,
    record_run,
    run,
    run_and_report,
    targets,
    write_reports,
)

__all__ = [
    "PageFailures",
    "PageQuery",
    "acknowledge_alerts",
    "activity_history",
    "alert",
    "checked_date",
    "compare",
    "compare_dates",
    "compare_portfolio",
    "consistency_of_document",
    "consistency_of_files",
    "load_changelogs",
    "lock_outputs",
    "matrix",
    "matrix_in_force",
    "net_change_since",
    "page_comparison",
    "page_history",
    "page_outline",
    "read_revision",
    "record_run",
    "repository_revisions",
    "review_changes",
    "run",
    "run_and_report",
    "run_config",
    "stored_revisions",
    "targets",
    "today",
    "write_reports",
]
