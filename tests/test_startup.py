"""Start-up: `raci-tracker --help` imports neither GitPython, Jinja2, deepdiff nor Apprise."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import CORPUS

PAGES = ("2023-07-05__2255c02.md", "2023-07-06__seed.md")
HEAVY = ("git", "jinja2", "deepdiff", "apprise")
PROBE = """
import sys
from raci_tracker.cli import main
try:
    main({arguments!r})
except SystemExit:
    pass
print("imported:" + ",".join(name for name in {heavy!r} if name in sys.modules))
"""


def imported_by(*arguments: str) -> list[str]:
    code = PROBE.format(arguments=list(arguments), heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    listed = result.stdout.splitlines()[-1].removeprefix("imported:")
    return [name for name in listed.split(",") if name]


def test_help_imports_no_heavy_library() -> None:
    assert imported_by("--help") == []
    assert imported_by("run", "--help") == []


def test_a_command_that_needs_one_imports_it_when_it_runs() -> None:
    old, new = (str(CORPUS / "managed-kubernetes/fr-fr" / name) for name in PAGES)

    assert imported_by("snapshot", new) == []
    assert "deepdiff" in imported_by("diff", old, new)
