"""raci-tracker: track how a published RACI responsibility matrix changes over time.

The Python API, named for what a user does::

    from raci_tracker import parse_page, diff_snapshots
    old = parse_page(open("old.md", encoding="utf-8").read())
    new = parse_page(open("new.md", encoding="utf-8").read())
    for change in diff_snapshots(old, new).changes:
        print(change.severity, change.section, change.activity, change.labels)

Names are imported on first use, so `import raci_tracker` (and the command line's `--help`)
stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from raci_tracker.lazy import exports
from raci_tracker.version import __version__

if TYPE_CHECKING:
    from raci_tracker.app import (
        matrix_in_force,
        net_change_since,
        page_history,
        run_config,
    )
    from raci_tracker.compare.diff import diff_snapshots
    from raci_tracker.compare.diligence import Consistency, consistency
    from raci_tracker.compare.in_force import Version
    from raci_tracker.compare.net import NetChange
    from raci_tracker.errors import InputError, RaciTrackerError
    from raci_tracker.history.walk import HistoryListing
    from raci_tracker.model import (
        Activity,
        Change,
        ChangeKind,
        ChangeSeverity,
        Diff,
        Finding,
        Party,
        Revision,
        Severity,
        Snapshot,
    )
    from raci_tracker.output.lastrun import RunOutcome
    from raci_tracker.page.parse import parse_page

_EXPORTS = {
    # what a user does
    "parse_page": "raci_tracker.page.parse",
    "diff_snapshots": "raci_tracker.compare.diff",
    "page_history": "raci_tracker.app",
    "run_config": "raci_tracker.app",
    "net_change_since": "raci_tracker.app",
    "matrix_in_force": "raci_tracker.app",
    "consistency": "raci_tracker.compare.diligence",
    # what those return
    "Snapshot": "raci_tracker.model",
    "Activity": "raci_tracker.model",
    "Party": "raci_tracker.model",
    "Finding": "raci_tracker.model",
    "Severity": "raci_tracker.model",
    "Diff": "raci_tracker.model",
    "Change": "raci_tracker.model",
    "ChangeKind": "raci_tracker.model",
    "ChangeSeverity": "raci_tracker.model",
    "Revision": "raci_tracker.model",
    "HistoryListing": "raci_tracker.history.walk",
    "NetChange": "raci_tracker.compare.net",
    "Version": "raci_tracker.compare.in_force",
    "Consistency": "raci_tracker.compare.diligence",
    "RunOutcome": "raci_tracker.output.lastrun",
    # what they raise
    "RaciTrackerError": "raci_tracker.errors",
    "InputError": "raci_tracker.errors",
}

__all__ = [
    "Activity",
    "Change",
    "ChangeKind",
    "ChangeSeverity",
    "Consistency",
    "Diff",
    "Finding",
    "HistoryListing",
    "InputError",
    "NetChange",
    "Party",
    "RaciTrackerError",
    "Revision",
    "RunOutcome",
    "Severity",
    "Snapshot",
    "Version",
    "__version__",
    "consistency",
    "diff_snapshots",
    "matrix_in_force",
    "net_change_since",
    "page_history",
    "parse_page",
    "run_config",
]


__getattr__ = exports(__name__, _EXPORTS, globals())  # PEP 562: a name's module on first use


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
