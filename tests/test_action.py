"""The reusable action and the example workflows for other repositories: their shape, and the
review mode played on a real pull request's revisions."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from raci_tracker.cli import cli
from raci_tracker.output.lastrun import JOB_SUMMARY_LIMIT
from tests.gitrepo import GitRepo
from tests.test_review import docs  # noqa: F401 (the fixture)
from tests.test_workflow import FAKE_GH as ISSUE_GH
from tests.test_workflow import ROOT, shift_upstream, tracker  # noqa: F401 (the fixture)
from tests.test_workflow import steps as workflow_steps

EXAMPLES = ROOT / "examples/workflows"
PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")


def load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text("utf-8"))
    return data


def action_script(name: str) -> Any:
    """A script of the action's folder, as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "action" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


step_summary = action_script("step_summary")


def action_steps() -> list[dict[str, Any]]:
    return list(load(ROOT / "action.yml")["runs"]["steps"])


def test_the_action_is_composite_pinned_and_documented() -> None:
    action = load(ROOT / "action.yml")

    assert action["runs"]["using"] == "composite"
    assert all(entry["description"].strip() for entry in action["inputs"].values())
    assert all(entry["description"].strip() for entry in action["outputs"].values())
    uses = [step["uses"] for step in action_steps() if "uses" in step]
    assert uses and all(PINNED.fullmatch(use) for use in uses)
    # inputs reach scripts through env, never pasted into a script
    assert not any("${{" in step.get("run", "") for step in action_steps())
    assert any(
        'pip install --quiet "$GITHUB_ACTION_PATH"' in s.get("run", "") for s in action_steps()
    )


@pytest.mark.parametrize("name", ["raci-track.yml", "raci-review.yml"])
def test_the_examples_grant_only_what_their_mode_needs(name: str) -> None:
    workflow = load(EXAMPLES / name)
    (job,) = workflow["jobs"].values()
    (action,) = [step for step in job["steps"] if "raci-tracker@" in step.get("uses", "")]

    assert workflow["permissions"] == {}
    expected = {
        "raci-track.yml": {"contents": "write", "issues": "write"},
        "raci-review.yml": {"contents": "read", "pull-requests": "write"},
    }[name]
    assert job["permissions"] == expected
    assert all(PINNED.fullmatch(step["uses"]) for step in job["steps"] if "uses" in step)
    assert action["with"]["mode"] in {"track", "review"}
    assert set(action["with"]) <= set(load(ROOT / "action.yml")["inputs"])


def test_the_action_runs_commands_and_options_the_cli_has() -> None:
    for step in action_steps():
        script = step.get("run", "").replace("\\\n", " ")
        for words in re.findall(r'/bin/raci-tracker" ([^|>\n]*)', script):
            command, *rest = words.split()
            known = {opt for param in cli.commands[command].params for opt in param.opts}
            assert {w for w in rest if w.startswith("-")} <= known, words


# --- the review mode, played ---------------------------------------------------------------------

FAKE_GH = """#!/usr/bin/env bash
# GitHub's API as the comment script calls it: no comment yet; records each call and body
printf '%s\\n' "$*" >> "$GH_LOG"
for word in "$@"; do
  case "$word" in body=@*) cp "${word#body=@}" "$GH_LOG.body" ;; esac
done
"""


def play(name: str, workspace: Path, runner_temp: Path, **env: str) -> dict[str, str]:
    (step,) = [s for s in action_steps() if s.get("name") == name]
    outputs = runner_temp / "output"
    outputs.write_text("", encoding="utf-8")
    environ = {
        **os.environ,
        **env,
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(runner_temp / "summary"),
        "RUNNER_TEMP": str(runner_temp),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "PATH": f"{runner_temp / 'fake'}{os.pathsep}{Path(sys.executable).parent}"
        f"{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(
        ["bash", "-eo", "pipefail", "-c", step["run"]], cwd=workspace, env=environ, check=True
    )
    return dict(line.split("=", 1) for line in outputs.read_text("utf-8").splitlines())


@pytest.fixture
def runner_temp(tmp_path: Path) -> Path:
    """RUNNER_TEMP with raci-tracker installed where the action installs it, and a fake gh."""
    temp = tmp_path / "runner"
    temp.mkdir()
    if sys.prefix != sys.base_prefix:  # the whole virtual environment: its Python finds its own
        (temp / "raci-tracker").symlink_to(sys.prefix, target_is_directory=True)
    else:
        (temp / "raci-tracker").mkdir()
        (temp / "raci-tracker/bin").symlink_to(Path(sys.executable).parent)
    (temp / "fake").mkdir()
    (temp / "fake/gh").write_text(FAKE_GH, encoding="utf-8")
    (temp / "fake/gh").chmod(0o755)
    return temp


def test_review_mode_comments_and_fails_by_policy(
    docs: tuple[GitRepo, str],  # noqa: F811 (the fixture)
    runner_temp: Path,
) -> None:
    repo, branch = docs
    revisions = {"BASE": "main", "HEAD": branch}
    log = runner_temp / "gh.log"

    ran = play(
        "Review the RACI pages this change touches",
        repo.root,
        runner_temp,
        **revisions,
        FAIL_ON="party-loses:provider accountability",
    )
    play(
        "Post or update the review comment",
        repo.root,
        runner_temp,
        GH_TOKEN="t",
        PR="7",
        REPOSITORY="owner/docs",
        GH_LOG=str(log),
    )
    lenient = play(
        "Review the RACI pages this change touches",
        repo.root,
        runner_temp,
        **revisions,
        FAIL_ON="party-loses:customer",
    )

    calls = log.read_text("utf-8").splitlines()
    body = (runner_temp / "gh.log.body").read_text("utf-8")
    assert ran == {"status": "1"} and lenient == {"status": "0"}
    assert calls[0].startswith("api --paginate repos/owner/docs/issues/7/comments")
    assert calls[1].startswith("api --method POST repos/owner/docs/issues/7/comments -F body=@")
    assert body.startswith("<!-- raci-tracker-review -->\n### RACI review: 2 pages changed")
    assert "R and A moved from OVHcloud to the customer" in body
    assert "provider loses A on 1 activity" in body
    assert "### RACI review" in (runner_temp / "summary").read_text("utf-8")


def test_review_mode_cuts_its_job_summary_to_what_github_takes(
    docs: tuple[GitRepo, str],  # noqa: F811 (the fixture)
    runner_temp: Path,
) -> None:
    """A step's job summary past 1 MiB is dropped whole by GitHub: the review is cut before the
    first page that does not fit, and says how to get it whole."""
    repo, branch = docs
    summary = runner_temp / "summary"
    room = 1200  # the first page fits, the second does not
    summary.write_bytes(b"x" * (JOB_SUMMARY_LIMIT - room))

    play(
        "Review the RACI pages this change touches",
        repo.root,
        runner_temp,
        BASE="main",
        HEAD=branch,
        FAIL_ON="",
    )

    review = (runner_temp / "review.md").read_text("utf-8")
    appended = summary.read_bytes()[JOB_SUMMARY_LIMIT - room :].decode("utf-8")
    kept = appended.removesuffix(step_summary.NOTE)
    assert len(review.encode("utf-8")) > room  # the case this test is about
    assert summary.stat().st_size <= JOB_SUMMARY_LIMIT
    assert appended.endswith(step_summary.NOTE)
    assert review.startswith(kept) and kept.endswith("\n")
    assert "#### pages/managed" in kept  # the first page, whole
    assert review[len(kept) :].startswith("#### ")  # cut before a page, not inside one


def test_the_readme_workflows_use_the_action_as_it_is() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Use it from your repository", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    inputs = set(load(ROOT / "action.yml")["inputs"])

    assert len(blocks) == 2
    for block, mode in zip(blocks, ["track", "review"], strict=True):
        workflow = yaml.safe_load(block)
        assert len(block.strip().splitlines()) <= 12
        (job,) = workflow["jobs"].values()
        (action,) = [s for s in job["steps"] if "raci-tracker@" in s.get("uses", "")]
        assert action["with"]["mode"] == mode and set(action["with"]) <= inputs
        assert workflow["permissions"] == {}


def test_review_mode_outside_a_pull_request_says_what_it_needs(
    tmp_path: Path, runner_temp: Path
) -> None:
    with pytest.raises(subprocess.CalledProcessError):
        play(
            "Review the RACI pages this change touches",
            tmp_path,
            runner_temp,
            BASE="",
            HEAD="",
            FAIL_ON="",
        )

    assert (runner_temp / "output").read_text("utf-8") == "status=2\n"


# --- the track mode, played ----------------------------------------------------------------------

TRACK = {
    "CONFIG": "configs/ovh-docs.toml",
    "REPORTS": "reports/ovh-docs",
    "PATHS": "snapshots reports",
}


def play_track(workspace: Path, runner_temp: Path, **env: str) -> tuple[str, bool, str]:
    """The track mode's steps in order, each when its `if:` says: the run's `shifts`, whether
    the issue step succeeded, whether anything was committed."""
    ran = play("Take in new revisions", workspace, runner_temp, **TRACK)
    github = {"GH_TOKEN": "t", "REPOSITORY": "owner/tracker", "BRANCH": "main", **env}
    try:
        play(
            "Open or comment on the shifts issue",
            workspace,
            runner_temp,
            SHIFTS=ran["shifts"],
            **TRACK,
            **github,
        )
    except subprocess.CalledProcessError:
        delivered = False
    else:
        delivered = True
        play("Record the shifts as alerted", workspace, runner_temp, **TRACK)
    committed = play("Commit snapshots and reports that changed", workspace, runner_temp, **TRACK)
    return ran["shifts"], delivered, committed["committed"]


def test_track_mode_alerts_again_after_a_failed_issue_step(
    tracker: tuple[GitRepo, GitRepo],  # noqa: F811 (the fixture)
    runner_temp: Path,
) -> None:
    upstream, repo = tracker
    (runner_temp / "fake/gh").write_text(ISSUE_GH, encoding="utf-8")
    log = runner_temp / "gh.log"
    shift_upstream(upstream)

    failed = play_track(repo.root, runner_temp, GH_LOG=str(log), GH_DOWN="1")
    retried = play_track(repo.root, runner_temp, GH_LOG=str(log))
    settled = play_track(repo.root, runner_temp, GH_LOG=str(log))

    assert failed == ("2", False, "true")
    assert retried == ("2", True, "true")
    assert settled == ("0", True, "false")
    calls = log.read_text("utf-8").splitlines()
    assert [call.split()[:2] for call in calls] == [
        ["issue", "list"],  # GitHub down: the first call fails
        ["issue", "list"],
        ["issue", "create"],
    ]
    assert repo.git("status", "--porcelain") == ""


@pytest.mark.parametrize("name", ["track.yml", "action.yml"])
def test_the_shifts_are_recorded_only_after_the_issue_step(name: str) -> None:
    """Both the workflow and the action: run --await-ack, the issue, the record only when the
    issue step succeeded, then commit and push whatever the issue step did."""
    listed = action_steps() if name == "action.yml" else workflow_steps(name)
    by_name = {step.get("name"): step for step in listed}
    names = list(by_name)
    order = [
        "Take in new revisions",
        "Open or comment on the shifts issue",
        "Record the shifts as alerted",
        "Commit snapshots and reports that changed",
        "Push, rebasing on what others pushed meanwhile",
    ]

    assert [names.index(step) for step in order] == sorted(names.index(step) for step in order)
    assert "--await-ack" in by_name["Take in new revisions"]["run"]
    assert by_name["Open or comment on the shifts issue"]["id"] == "issue"
    record = by_name["Record the shifts as alerted"]
    assert "ack-alerts --config" in record["run"]
    assert re.fullmatch(
        r"\$\{\{ !cancelled\(\)( && inputs\.mode == 'track')? "
        r"&& steps\.issue\.outcome == 'success' \}\}",
        record["if"],
    )
    for later in order[3:]:
        assert by_name[later]["if"].startswith("${{ !cancelled()"), later
