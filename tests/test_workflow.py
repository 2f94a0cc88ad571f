"""The scheduled pipeline: the workflows' shape, their commands against the CLI, the workflow's
steps played locally, and the embedded sample that works offline."""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from raci_tracker.cli import cli, main
from tests.gitrepo import GitRepo, run_git
from tests.helpers import corpus_page

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github/workflows"
PAGE = (
    "pages/public_cloud/containers_orchestration/managed_kubernetes/responsibility-model/"
    "guide.fr-fr.md"
)
CONTINUITY = "| Déployer la politique de continuité d’activité sur le service Kubernetes managé |"


def workflow(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    return data


def steps(name: str) -> list[dict[str, Any]]:
    (job,) = workflow(name)["jobs"].values()
    return list(job["steps"])


def tracker_commands(name: str) -> list[list[str]]:
    commands = []
    for step in steps(name):
        for line in step.get("run", "").splitlines():
            words = shlex.split(line.split("||")[0])
            if words[:1] == ["raci-tracker"]:
                commands.append(words[1:])
    return commands


def test_track_workflow_shape() -> None:
    """Daily cron and manual dispatch, nothing granted by default, exactly what the job needs."""
    track = workflow("track.yml")
    triggers = track.get("on", track.get(True))  # YAML 1.1 reads `on` as True
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    minute, hour, *rest = cron.split()
    (job,) = track["jobs"].values()

    assert "workflow_dispatch" in triggers
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 24 and rest == ["*", "*", "*"]
    assert track["permissions"] == {}
    assert job["permissions"] == {"contents": "write", "issues": "write"}
    assert track["concurrency"]["cancel-in-progress"] is False
    assert job["timeout-minutes"] <= 60


@pytest.mark.parametrize("name", ["ci.yml", "track.yml"])
def test_actions_are_pinned_by_commit(name: str) -> None:
    uses = [step["uses"] for step in steps(name) if "uses" in step]

    assert uses
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use) for use in uses), uses


def test_ci_workflow_runs_ci_run() -> None:
    ci = workflow("ci.yml")

    assert ci["permissions"] == {}
    assert "concurrency" in ci
    assert any(step.get("run") == "bash .ci/run" for step in steps("ci.yml"))


def test_the_workflow_uses_commands_and_options_the_cli_has() -> None:
    commands = tracker_commands("track.yml")

    assert commands
    for words in commands:
        command = cli.commands[words[0]]
        known = {opt for param in command.params for opt in param.opts}
        assert {word for word in words[1:] if word.startswith("-")} <= known, words


# --- the workflow's steps, played on disk ------------------------------------------------------


def play(step_id: str, tracker: Path, outputs: Path) -> dict[str, str]:
    """Run one step's script as the runner would, in the tracker repository."""
    (step,) = [s for s in steps("track.yml") if s.get("id") == step_id]
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(outputs),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GITHUB_STEP_SUMMARY": str(outputs.with_suffix(".summary")),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    outputs.write_text("", encoding="utf-8")
    outputs.with_suffix(".summary").write_text("", encoding="utf-8")  # one per step, as on GitHub
    subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tracker, env=env, check=True, capture_output=True
    )
    return dict(line.split("=", 1) for line in outputs.read_text("utf-8").splitlines())


@pytest.fixture
def tracker(tmp_path: Path) -> tuple[GitRepo, GitRepo]:
    """An upstream docs repository with the Managed Kubernetes page, and a tracker repository
    configured like this one (configs/ovh-docs.toml), already up to date."""
    upstream = GitRepo(tmp_path / "upstream")
    upstream.save(PAGE, corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md"))
    tracker = GitRepo(tmp_path / "tracker")
    tracker.write(
        "configs/ovh-docs.toml",
        f"""\
[output]
snapshots = "../snapshots/ovh-docs"
reports = "../reports/ovh-docs"
cache = "../.cache/raci-tracker"

[[documents]]
id = "managed-kubernetes"
repo = "{upstream.root}"
path = "{PAGE.replace("fr-fr", "{locale}")}"
locales = ["fr-fr"]
""",
    )
    tracker.write(".gitignore", ".cache/\n")
    tracker.commit("Track the Managed Kubernetes page")
    outputs = tmp_path / "outputs"
    play("run", tracker.root, outputs)
    play("commit", tracker.root, outputs)
    return upstream, tracker


def test_workflow_steps_catch_an_accountability_transfer(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    """Upstream moves business continuity's A and R from OVHcloud to the customer: the run step
    exits 1, the commit step commits the new snapshot and changelog, the issue body says it."""
    upstream, repo = tracker
    seed = corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md").decode("utf-8")
    upstream.save(
        PAGE,
        seed.replace("updated: 2023-07-06", "updated: 2023-09-01").replace(
            f"{CONTINUITY}  | RA |", f"{CONTINUITY} RA | I |"
        ),
    )
    before = repo.head()
    outputs = tmp_path / "outputs"

    ran = play("run", repo.root, outputs)
    job_summary = (tmp_path / "outputs.summary").read_text("utf-8")
    committed = play("commit", repo.root, outputs)
    body = (repo.root / "reports/ovh-docs/last-run.md").read_text("utf-8")
    changelog = (repo.root / "reports/ovh-docs/managed-kubernetes/fr-fr/CHANGELOG.md").read_text(
        "utf-8"
    )
    last_run = json.loads((repo.root / "reports/ovh-docs/last-run.json").read_bytes())

    assert ran == {"shifts": "2", "status": "1"}  # shifts= is written by raci-tracker itself
    assert committed == {"committed": "true"}
    assert repo.head() != before
    changed = run_git(repo.root, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert "snapshots/ovh-docs/managed-kubernetes/fr-fr/index.json" in changed
    assert any(
        name.startswith("snapshots/ovh-docs/managed-kubernetes/fr-fr/objects/") for name in changed
    )
    assert "reports/ovh-docs/managed-kubernetes/fr-fr/CHANGELOG.md" in changed
    assert "## 2023-09-01" in changelog
    assert "R and A moved from OVHcloud to the customer" in body
    assert last_run["totals"]["shifts"] == 2
    assert job_summary == body


def test_workflow_steps_with_nothing_new_change_nothing(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    _, repo = tracker
    before = repo.head()

    ran = play("run", repo.root, tmp_path / "outputs")
    committed = play("commit", repo.root, tmp_path / "outputs")

    assert ran == {"shifts": "0", "status": "0"}
    assert committed == {"committed": "false"}
    assert repo.head() == before
    assert run_git(repo.root, "status", "--porcelain") == ""


def test_github_outputs(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`shifts=<count>` in GITHUB_OUTPUT and a job summary, even when nothing moved."""
    _, repo = tracker
    outputs, summary = tmp_path / "gh-output", tmp_path / "gh-summary"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(repo.root)

    with pytest.raises(SystemExit) as done:
        main(["run", "--config", "configs/ovh-docs.toml", "--exit-code"])

    assert done.value.code == 0
    assert outputs.read_text("utf-8") == "shifts=0\n"
    assert "This run took in 0 new texts" in summary.read_text("utf-8")


# --- the embedded default ----------------------------------------------------------------------


def test_the_sample_runs_offline_and_shows_real_shifts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's first command, in a copy of the repository's config and sample bundle."""
    shutil.copy(ROOT / "raci-tracker.toml", tmp_path)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)

    with pytest.raises(SystemExit) as done:
        main(["run", "--exit-code"])
    out = capsys.readouterr().out
    reports = tmp_path / "reports/sample"
    ldp = (reports / "logs-data-platform/fr-fr/CHANGELOG.md").read_text("utf-8")
    mk = json.loads(
        (tmp_path / "snapshots/sample/managed-kubernetes/fr-fr/index.json").read_bytes()
    )

    assert done.value.code == 1  # the first run takes in every shift of the sample
    assert "6 page(s): 10 new revision(s)" in out
    assert "R and A moved from OVHcloud to the customer" in ldp
    assert [r["date"] for r in mk["revisions"]] == ["2023-07-05", "2023-07-06"]
    assert [r["silent_edits"] for r in mk["revisions"]] == [1, 0]
    assert mk["renames"][0]["to"] == PAGE
    assert (reports / "managed-kubernetes/consistency.md").exists()
    assert (reports / "feed.xml").exists()


def test_the_sample_bundle_rebuilds_to_the_same_history(tmp_path: Path) -> None:
    rebuilt = tmp_path / "sample.bundle"

    subprocess.run(
        [sys.executable, str(ROOT / "scripts/build_sample_bundle.py"), str(rebuilt)], check=True
    )

    heads = ["git", "bundle", "list-heads"]
    shipped = subprocess.run(
        [*heads, str(ROOT / "examples/sample-docs.bundle")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert (
        subprocess.run([*heads, str(rebuilt)], check=True, capture_output=True, text=True).stdout
        == shipped
    )


# --- what a person at a terminal sees ------------------------------------------------------------


def run_in_terminal(folder: Path, **env: str) -> str:
    """`raci-tracker run` on a pseudo-terminal, as a person at a terminal runs it."""
    leader, follower = pty.openpty()
    environ = {key: value for key, value in os.environ.items() if key != "CI"} | env
    process = subprocess.Popen(
        [sys.executable, "-m", "raci_tracker", "run"],
        cwd=folder,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environ,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_progress_bar_on_a_terminal_and_no_colour_with_no_color(tmp_path: Path) -> None:
    colour = re.compile("\x1b\\[[0-9;]*3[0-9]m")
    for name, env in (("plain", {}), ("no-color", {"NO_COLOR": "1"})):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(ROOT / "raci-tracker.toml", folder)
        shutil.copytree(ROOT / "examples", folder / "examples")

        screen = run_in_terminal(folder, **env)

        assert "Tracking pages" in screen
        assert "6 page(s): 10 new revision(s)" in screen
        assert bool(colour.search(screen)) is (name == "plain")
