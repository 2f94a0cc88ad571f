"""The docs stay in step with the code: every command, option and choice that `--help` shows is
in docs/commands.md, and every link from the README and the docs reaches a file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click
import pytest

from raci_tracker import run_config
from raci_tracker.cli import cli
from tests.helpers import TESTS

ROOT = TESTS.parent
COMMANDS = ROOT / "docs" / "commands.md"


def sections() -> dict[str, str]:
    """docs/commands.md cut at its `## \\`raci-tracker NAME\\`` headings."""
    text = COMMANDS.read_text(encoding="utf-8")
    parts = re.split(r"^## `raci-tracker ([a-z-]+)`\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def missing_from(name: str, command: click.Command, section: str) -> list[str]:
    """What `--help` shows for one command that its section does not mention."""
    missing = []
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        if param.name == "help":
            continue
        flag = max(param.opts, key=len)
        if f"`{flag}" not in section:
            missing.append(f"option {flag} (a line starting `- \\`{flag} ...\\`: ...`)")
            continue
        if isinstance(param.type, click.Choice):
            missing += [
                f"choice {choice!r} of {flag}"
                for choice in param.type.choices
                if not re.search(rf"\b{re.escape(str(choice))}\b", section)
            ]
    return [f"docs/commands.md, section ## `raci-tracker {name}`: document {m}" for m in missing]


def test_every_command_and_option_is_documented() -> None:
    documented = sections()
    problems = []
    for name, command in sorted(cli.commands.items()):
        if command.hidden:
            continue
        if name not in documented:
            problems.append(
                f"docs/commands.md: add a section ## `raci-tracker {name}` with a usage line "
                f"and a line for each of its options"
            )
            continue
        problems += missing_from(name, command, documented[name])
    assert not problems, "\n".join(problems)


def test_every_documented_command_exists() -> None:
    extra = set(sections()) - set(cli.commands)
    assert not extra, f"docs/commands.md documents commands the CLI does not have: {extra}"


def test_the_check_catches_an_undocumented_option() -> None:
    command = click.Command("lint", params=[click.Option(["--format"], type=click.Choice(["x"]))])

    assert missing_from("lint", command, "- `--format text`") == [
        "docs/commands.md, section ## `raci-tracker lint`: document choice 'x' of --format"
    ]
    (message,) = missing_from("lint", command, "nothing")
    assert message.startswith(
        "docs/commands.md, section ## `raci-tracker lint`: document option --format"
    )


def test_links_in_the_readme_and_docs_reach_files() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#]+?)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if "://" in target:
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_the_readme_excerpt_is_what_the_sample_run_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The changelog excerpt in the README is real: the sample run writes it word for word."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (name,) = re.findall(r"An excerpt of `(reports/sample/[^`]+)`", readme)
    (excerpt,) = re.findall(r"```markdown\n(.*?)```", readme, flags=re.DOTALL)
    shutil.copy(ROOT / "raci-tracker.toml", tmp_path)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)

    run_config("raci-tracker.toml")

    assert excerpt in (tmp_path / name).read_text(encoding="utf-8")
