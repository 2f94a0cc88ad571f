"""Start-up: `raci-tracker --help` imports neither GitPython, Jinja2, deepdiff nor Apprise, and a
run with nothing new neither Jinja2, deepdiff, markdown-it, PyYAML nor (without a progress bar)
rich."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.gitrepo import GitRepo
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


def imported_by(
    *arguments: str, cwd: Path | None = None, heavy: tuple[str, ...] = HEAVY
) -> list[str]:
    code = PROBE.format(arguments=list(arguments), heavy=heavy)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd
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


def test_a_run_with_nothing_new_imports_no_renderer_and_no_parser(tmp_path: Path) -> None:
    upstream = GitRepo(tmp_path / "upstream")
    upstream.save("guide.fr-fr.md", (CORPUS / "managed-kubernetes/fr-fr" / PAGES[1]).read_bytes())
    (tmp_path / "raci-tracker.toml").write_text(
        '[[documents]]\nid = "kube"\nrepo = "upstream"\npath = "guide.fr-fr.md"\n'
        'locales = ["fr-fr"]\n',
        encoding="utf-8",
    )
    renderers = ("jinja2", "deepdiff", "markdown_it", "yaml", "apprise", "rich")

    first = imported_by("run", "--no-progress", cwd=tmp_path, heavy=renderers)
    again = imported_by("run", "--no-progress", cwd=tmp_path, heavy=renderers)

    assert first == ["jinja2", "deepdiff", "markdown_it", "yaml"]  # the probe can see them
    assert again == []
