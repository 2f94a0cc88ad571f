"""The use cases the command line and the Python API call, one module per kind of user:
`run` (the scheduled job), `pages` (where a page is read), `diligence` (compare, matrix, an
activity's history, consistency), `review` (a change to a docs repository), `api`.

Each name is imported from its module on first use, so a command imports only the use case
it runs (a run with nothing new does not import the diligence views, deepdiff or Jinja2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from raci_tracker.lazy import exports

if TYPE_CHECKING:
    from raci_tracker.app.api import matrix_in_force, net_change_since, run_config
    from raci_tracker.app.changelogs import PageFailures
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
        acknowledge_alerts,
        alert,
        load_changelogs,
        lock_outputs,
        record_run,
        run,
        run_and_report,
        write_reports,
    )
    from raci_tracker.app.update import targets

_HOMES = {
    "PageFailures": "raci_tracker.app.changelogs",
    "PageQuery": "raci_tracker.app.pages",
    "acknowledge_alerts": "raci_tracker.app.run",
    "activity_history": "raci_tracker.app.diligence",
    "alert": "raci_tracker.app.run",
    "checked_date": "raci_tracker.app.pages",
    "compare": "raci_tracker.app.diligence",
    "compare_dates": "raci_tracker.app.diligence",
    "compare_portfolio": "raci_tracker.app.diligence",
    "consistency_of_document": "raci_tracker.app.diligence",
    "consistency_of_files": "raci_tracker.app.diligence",
    "load_changelogs": "raci_tracker.app.run",
    "lock_outputs": "raci_tracker.app.run",
    "matrix": "raci_tracker.app.diligence",
    "matrix_in_force": "raci_tracker.app.api",
    "net_change_since": "raci_tracker.app.api",
    "page_comparison": "raci_tracker.app.diligence",
    "page_history": "raci_tracker.app.pages",
    "page_outline": "raci_tracker.app.pages",
    "read_revision": "raci_tracker.app.review",
    "record_run": "raci_tracker.app.run",
    "repository_revisions": "raci_tracker.app.pages",
    "review_changes": "raci_tracker.app.review",
    "run": "raci_tracker.app.run",
    "run_and_report": "raci_tracker.app.run",
    "run_config": "raci_tracker.app.api",
    "stored_revisions": "raci_tracker.app.pages",
    "targets": "raci_tracker.app.update",
    "today": "raci_tracker.app.pages",
    "write_reports": "raci_tracker.app.run",
}

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


__getattr__ = exports(__name__, _HOMES, globals())  # PEP 562: a use case's module on first use
