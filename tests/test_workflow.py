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
    """Every step of every job of the workflow, in order."""
    return [step for job in workflow(name)["jobs"].values() for step in job["steps"]]


def tracker_commands(name: str) -> list[list[str]]:
    commands = []
    for step in steps(name):
        for line in step.get("run", "").splitlines():
            if line.strip().startswith("raci-tracker "):
                commands.append(shlex.split(line.split("||")[0])[1:])
    return commands


def test_track_workflow_shape() -> None:
    """Daily cron and manual dispatch, nothing granted by default, exactly what the job needs."""
    track = workflow("track.yml")
    triggers = track.get("on", track.get(True))  # YAML 1.1 reads `on` as True
    (cron,) = [entry["cron"] for entry in triggers["schedule"]]
    minute, hour, *rest = cron.split()
    job = track["jobs"]["track"]

    assert "workflow_dispatch" in triggers
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 24 and rest == ["*", "*", "*"]
    assert track["permissions"] == {}
    assert job["permissions"] == {"contents": "write", "issues": "write"}
    assert track["concurrency"]["cancel-in-progress"] is False
    assert job["timeout-minutes"] <= 60


def test_pages_are_deployed_by_a_job_of_their_own_with_least_privilege() -> None:
    """Only the deploy job may write Pages; it runs when the reports were uploaded, which the
    track job does when the repository turns Pages on."""
    jobs = workflow("track.yml")["jobs"]
    pages, track = jobs["pages"], jobs["track"]
    (upload,) = [s for s in track["steps"] if "upload-pages-artifact" in s.get("uses", "")]
    (deploy,) = pages["steps"]

    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["needs"] == "track" and "needs.track.outputs.pages == 'success'" in pages["if"]
    assert track["outputs"]["pages"] == "${{ steps.pages.outcome }}"
    assert upload["id"] == "pages" and "vars.RACI_TRACKER_PAGES == 'true'" in upload["if"]
    assert upload["with"]["path"] == "reports/ovh-docs"
    assert deploy["uses"].startswith("actions/deploy-pages@")
    assert pages["environment"]["name"] == "github-pages"


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


def play(step_id: str, tracker: Path, outputs: Path, **env: str) -> dict[str, str]:
    """Run one step's script as the runner would, in the tracker repository."""
    play_step(step_id, tracker, outputs, **env)
    return dict(line.split("=", 1) for line in outputs.read_text("utf-8").splitlines())


def play_step(
    step: str, tracker: Path, outputs: Path, *, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the step with this id or name, with its literal `env:`; `env` stands for the values
    GitHub fills in (`${{ ... }}`) and the tools put first on PATH. With `check`, a failed
    step raises; without, its exit status is in the result."""
    (found,) = [s for s in steps("track.yml") if step in (s.get("id"), s.get("name"))]
    literal = {k: str(v) for k, v in found.get("env", {}).items() if "${{" not in str(v)}
    environ = {
        **os.environ,
        **literal,
        "GITHUB_OUTPUT": str(outputs),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GITHUB_STEP_SUMMARY": str(outputs.with_suffix(".summary")),
        **env,
        "PATH": f"{env.get('PATH_FIRST', '')}{os.pathsep}{Path(sys.executable).parent}"
        f"{os.pathsep}{os.environ['PATH']}",
    }
    outputs.write_text("", encoding="utf-8")
    outputs.with_suffix(".summary").write_text("", encoding="utf-8")  # one per step, as on GitHub
    return subprocess.run(
        ["bash", "-e", "-c", found["run"]],
        cwd=tracker,
        env=environ,
        check=check,
        capture_output=True,
        text=True,
    )


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
    # the workflow's scripts, not the bytecode that tests importing them write beside them (a
    # file that another test's import may be renaming as it is copied)
    shutil.copytree(
        ROOT / "action", tracker.root / "action", ignore=shutil.ignore_patterns("__pycache__")
    )
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


# --- the workflow never loses or swallows an alert ---------------------------------------------

FAKE_GH = """#!/usr/bin/env bash
# GitHub's CLI as the workflow calls it: records each call; no issue is open yet
printf '%s\\n' "$*" >> "$GH_LOG"
if [ -n "${GH_DOWN:-}" ]; then echo "HTTP 503: Service Unavailable" >&2; exit 1; fi
[ "$1 $2" = "issue list" ] && exit 0
while [ $# -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cp "$2" "$GH_LOG.body"; fi
  shift
done
"""


def fake_gh(tmp_path: Path) -> dict[str, str]:
    """A `gh` on PATH that records what the issue step asks of GitHub."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / "gh").write_text(FAKE_GH, encoding="utf-8")
    (folder / "gh").chmod(0o755)
    return {"PATH_FIRST": str(folder), "GH_LOG": str(tmp_path / "gh.log")}


def shift_upstream(upstream: GitRepo) -> None:
    seed = corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md").decode("utf-8")
    upstream.save(
        PAGE,
        seed.replace("updated: 2023-07-06", "updated: 2023-09-01").replace(
            f"{CONTINUITY}  | RA |", f"{CONTINUITY} RA | I |"
        ),
    )


def add_failing_document(repo: GitRepo, tmp_path: Path) -> None:
    """A second document whose repository cannot be read (two locales: two failed pages)."""
    config = repo.root / "configs/ovh-docs.toml"
    config.write_text(
        config.read_text("utf-8")
        + f"""
[[documents]]
id = "gone"
repo = "{tmp_path / "no-such-repository"}"
path = "{PAGE.replace("fr-fr", "{locale}")}"
locales = ["fr-fr", "en-gb"]
""",
        encoding="utf-8",
    )
    repo.commit("Track a page whose repository is gone")


def test_the_issue_opens_when_one_page_failed_and_another_shifted(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    upstream, repo = tracker
    add_failing_document(repo, tmp_path)
    shift_upstream(upstream)
    outputs, gh = tmp_path / "outputs", fake_gh(tmp_path)

    ran = play("run", repo.root, outputs)
    reasons = play_step("Say why pages failed, once per reason", repo.root, outputs).stdout
    play_step(
        "Open or comment on the shifts issue",
        repo.root,
        outputs,
        SHIFTS=ran["shifts"],
        REPOSITORY="owner/tracker",
        **gh,
    )
    calls = Path(gh["GH_LOG"]).read_text("utf-8").splitlines()
    body = Path(gh["GH_LOG"] + ".body").read_text("utf-8")

    assert ran == {"shifts": "2", "status": "2"}
    assert calls[0].startswith("issue list --state open")
    assert (
        calls[1]
        == f"issue create --title RACI responsibility shifts --body-file {calls[1].split()[-1]}"
    )
    assert "R and A moved from OVHcloud to the customer" in body
    assert "gone fr-fr failed" in body
    (reason,) = reasons.splitlines()  # two pages, one repository: said once
    assert reason.startswith("::error title=raci-tracker run::")
    assert reason.endswith("(pages: gone fr-fr, gone en-gb)")


def test_no_issue_when_nothing_moved(tracker: tuple[GitRepo, GitRepo], tmp_path: Path) -> None:
    _, repo = tracker
    outputs, gh = tmp_path / "outputs", fake_gh(tmp_path)

    ran = play("run", repo.root, outputs)
    play_step(
        "Open or comment on the shifts issue",
        repo.root,
        outputs,
        SHIFTS=ran["shifts"],
        REPOSITORY="o/r",
        **gh,
    )

    assert ran["shifts"] == "0"
    assert not Path(gh["GH_LOG"]).exists()


def test_a_long_issue_body_is_trimmed_with_a_link(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    _, repo = tracker
    report = repo.root / "reports/ovh-docs/last-run.md"
    report.write_text("# Shifts\n\n" + "| a | b | é |\n" * 9000, encoding="utf-8")
    gh = fake_gh(tmp_path)

    play_step(
        "Open or comment on the shifts issue",
        repo.root,
        tmp_path / "outputs",
        SHIFTS="3",
        REPOSITORY="owner/tracker",
        BRANCH="track/2026#1",
        **gh,
    )
    body = Path(gh["GH_LOG"] + ".body").read_text("utf-8")

    assert len(body) < 65536
    assert body.startswith("# Shifts\n\n| a | b | é |\n")
    # the issue comes before the push: the link names the branch, not a commit
    link = "https://github.com/owner/tracker/blob/track/2026%231/reports/ovh-docs/last-run.md"
    assert body.endswith(f"[read it whole]({link}).*\n")
    assert "| a | b | é |\n\n*This report" in body  # cut at a line end


def test_the_commit_message_names_what_moved(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    upstream, repo = tracker
    shift_upstream(upstream)

    play("run", repo.root, tmp_path / "outputs")
    play("commit", repo.root, tmp_path / "outputs")

    assert repo.git("log", "-1", "--format=%B").splitlines() == [
        "Track RACI pages: managed-kubernetes fr-fr",
        "",
        "- managed-kubernetes fr-fr: 2023-09-01 (2 major, 0 minor, 1 editorial)",
    ]


def remote(repo: GitRepo, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A bare clone standing for GitHub, and the git settings that send the push step's
    `https://x-access-token:…@github.com/owner/tracker.git` to it."""
    origin = tmp_path / "origin.git"
    run_git(tmp_path, "clone", "-q", "--bare", str(repo.root), str(origin))
    url = "https://x-access-token:token@github.com/owner/tracker.git"
    return origin, {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": f"url.{origin}.insteadOf",
        "GIT_CONFIG_VALUE_0": url,
        "GIT_CONFIG_KEY_1": "pull.rebase",
        "GIT_CONFIG_VALUE_1": "true",
    }


def checkout(origin: Path, folder: Path) -> Path:
    """What the next scheduled job starts from: a fresh clone of what was pushed."""
    run_git(origin.parent, "clone", "-q", str(origin), str(folder))
    return folder


def test_the_push_rebases_on_what_was_pushed_meanwhile(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    upstream, repo = tracker
    origin, insteadof = remote(repo, tmp_path)
    other = checkout(origin, tmp_path / "other")
    (other / "NOTES.md").write_text("Someone else's change.\n", encoding="utf-8")
    run_git(other, "add", "NOTES.md")
    run_git(
        other, "-c", "user.name=A", "-c", "user.email=a@example.invalid", "commit", "-qm", "Notes"
    )
    run_git(other, "push", "-q", "origin", "HEAD:main")
    shift_upstream(upstream)
    play("run", repo.root, tmp_path / "outputs")
    play("commit", repo.root, tmp_path / "outputs")

    play_step(
        "Push, rebasing on what others pushed meanwhile",
        repo.root,
        tmp_path / "outputs",
        GH_TOKEN="token",
        REPOSITORY="owner/tracker",
        BRANCH="main",
        **insteadof,
    )

    pushed = run_git(origin, "log", "--format=%s", "main").splitlines()
    assert pushed[:2] == ["Track RACI pages: managed-kubernetes fr-fr", "Notes"]


# --- an alert is recorded only once delivered -----------------------------------------------------


def play_job(tracker: Path, tmp_path: Path, **env: str) -> dict[str, str]:
    """The job's alerting steps in the workflow's order, each when its `if:` says (pinned in
    tests/test_action.py): run, issue, record when the issue step succeeded, commit, push when
    it committed and a remote is given in `env`."""
    outputs = tmp_path / "outputs"
    ran = play("run", tracker, outputs)
    github = {"REPOSITORY": "owner/tracker", "BRANCH": "main", "GH_TOKEN": "token", **env}
    issue = play_step("issue", tracker, outputs, check=False, SHIFTS=ran["shifts"], **github)
    if issue.returncode == 0:
        play_step("Record the shifts as alerted", tracker, outputs)
    committed = play("commit", tracker, outputs)
    if committed["committed"] == "true" and "GIT_CONFIG_COUNT" in env:
        play_step("Push, rebasing on what others pushed meanwhile", tracker, outputs, **github)
    return {**ran, "issue": "success" if issue.returncode == 0 else "failure", **committed}


def pushed_files(origin: Path) -> list[str]:
    return run_git(origin, "show", "--name-only", "--format=", "main").splitlines()


def test_a_failed_issue_step_leaves_the_shifts_for_the_next_run(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    """GitHub's API is down when the issue step runs: the snapshots are committed and pushed, the
    shifts are not recorded as alerted, so the next job, from a fresh checkout, counts them in
    `shifts=` again and opens the issue; the job after that has nothing to tell."""
    upstream, repo = tracker
    origin, push = remote(repo, tmp_path)
    shift_upstream(upstream)
    gh = fake_gh(tmp_path)
    log = Path(gh["GH_LOG"])

    failed = play_job(repo.root, tmp_path, GH_DOWN="1", **gh, **push)
    first_push = pushed_files(origin)
    log.unlink()
    retried = play_job(checkout(origin, tmp_path / "next"), tmp_path, **gh, **push)
    second_push = pushed_files(origin)
    calls = log.read_text("utf-8").splitlines()
    body = Path(gh["GH_LOG"] + ".body").read_text("utf-8")
    log.unlink()
    settled = play_job(checkout(origin, tmp_path / "after"), tmp_path, **gh, **push)

    assert failed == {"shifts": "2", "status": "1", "issue": "failure", "committed": "true"}
    assert "snapshots/ovh-docs/managed-kubernetes/fr-fr/index.json" in first_push
    assert "reports/ovh-docs/awaiting-ack.json" in first_push
    assert "reports/ovh-docs/alerted.json" not in first_push
    assert retried == {"shifts": "2", "status": "1", "issue": "success", "committed": "true"}
    assert calls[1].startswith("issue create --title RACI responsibility shifts --body-file")
    assert "Shifts taken in earlier and not alerted until now" in body
    assert "2023-09-01: OVHcloud gave up A and R on 1 activity; the customer gained A and R" in body
    assert {"reports/ovh-docs/alerted.json", "reports/ovh-docs/awaiting-ack.json"} <= set(
        second_push
    )
    assert not (tmp_path / "next/reports/ovh-docs/awaiting-ack.json").exists()
    assert settled == {"shifts": "0", "status": "0", "issue": "success", "committed": "false"}
    assert not log.exists()  # no issue, no comment


def test_a_delivered_alert_is_not_sent_again(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    upstream, repo = tracker
    origin, push = remote(repo, tmp_path)
    shift_upstream(upstream)
    gh = fake_gh(tmp_path)

    first = play_job(repo.root, tmp_path, **gh, **push)
    calls = Path(gh["GH_LOG"]).read_text("utf-8").splitlines()
    following = play_job(checkout(origin, tmp_path / "next"), tmp_path, **gh, **push)

    assert first == {"shifts": "2", "status": "1", "issue": "success", "committed": "true"}
    assert "reports/ovh-docs/awaiting-ack.json" not in pushed_files(origin)
    assert following == {"shifts": "0", "status": "0", "issue": "success", "committed": "false"}
    assert Path(gh["GH_LOG"]).read_text("utf-8").splitlines() == calls  # nothing more asked


def test_a_job_cancelled_after_the_issue_alerts_again(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    """Cancelled between the issue and the record: nothing was pushed, so the next job takes the
    revision in again and alerts it again (a repeated alert, not a lost one)."""
    upstream, repo = tracker
    origin, push = remote(repo, tmp_path)
    shift_upstream(upstream)
    gh = fake_gh(tmp_path)
    outputs = tmp_path / "outputs"

    ran = play("run", repo.root, outputs)
    play_step("issue", repo.root, outputs, SHIFTS=ran["shifts"], REPOSITORY="o/t", **gh)
    again = play_job(checkout(origin, tmp_path / "next"), tmp_path, **gh, **push)

    assert ran["shifts"] == again["shifts"] == "2"
    assert again["issue"] == "success"
    creates = [c for c in Path(gh["GH_LOG"]).read_text("utf-8").splitlines() if "create" in c]
    assert len(creates) == 2


def test_the_cache_key_follows_the_upstream_head(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    upstream, repo = tracker
    (cache_step,) = [
        s for s in steps("track.yml") if s.get("uses", "").startswith("actions/cache@")
    ]
    outputs = tmp_path / "outputs"

    first = play("head", repo.root, outputs)
    same = play("head", repo.root, outputs)
    shift_upstream(upstream)
    moved = play("head", repo.root, outputs)
    shutil.rmtree(upstream.root)
    gone = play_step("head", repo.root, outputs)

    assert cache_step["with"] == {
        "path": "${{ steps.head.outputs.path }}",
        "key": "${{ steps.head.outputs.key }}",
        "restore-keys": "${{ steps.head.outputs.prefix }}",
    }
    assert first == same and first["key"] != moved["key"]
    assert first["key"].startswith(first["prefix"]) and first["prefix"] == "raci-tracker-ovh-docs-"
    assert first["path"] == ".cache/raci-tracker"  # the config's clone folder
    assert gone.stdout.startswith(f"::warning title=cannot read {upstream.root}::")
    assert "does not appear to be a git repository" in gone.stdout  # git's own reason
    assert play("head", repo.root, outputs)["key"] not in {first["key"], moved["key"]}


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


def run_in_terminal(folder: Path, *options: str, **env: str) -> str:
    """`raci-tracker run` on a pseudo-terminal, as a person at a terminal runs it."""
    leader, follower = pty.openpty()
    environ = {key: value for key, value in os.environ.items() if key != "CI"} | env
    process = subprocess.Popen(
        [sys.executable, "-m", "raci_tracker", "run", *options],
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


def test_a_heartbeat_commit_says_nothing_moved(
    tracker: tuple[GitRepo, GitRepo], tmp_path: Path
) -> None:
    """A week after the last check the status file is rewritten and committed, even with nothing
    new; the commit does not repeat what an earlier run took in."""
    upstream, repo = tracker
    shift_upstream(upstream)
    play_job(repo.root, tmp_path, **fake_gh(tmp_path))
    status = repo.root / "reports/ovh-docs/status.json"
    data = json.loads(status.read_bytes())
    status.write_text(json.dumps({**data, "checked": "2020-01-01"}), encoding="utf-8")
    repo.commit("A week goes by")

    ran = play("run", repo.root, tmp_path / "outputs")
    committed = play("commit", repo.root, tmp_path / "outputs")

    assert ran == {"shifts": "0", "status": "0"}
    assert committed == {"committed": "true"}
    assert repo.git("log", "-1", "--format=%B") == "Track RACI pages: checked, nothing moved"
    changed = run_git(repo.root, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert changed == ["reports/ovh-docs/status.json"]
    assert json.loads(status.read_bytes())["checked"] != "2020-01-01"


def test_the_alerting_steps_run_whatever_the_exit_status() -> None:
    """A page failing fails the run's exit status, not the issue: the steps that alert run unless
    the job was cancelled; the failure reasons only when this run failed (not a stale report)."""
    by_name = {step.get("name"): step for step in steps("track.yml")}

    assert by_name["Open or comment on the shifts issue"]["if"] == "${{ !cancelled() }}"
    assert by_name["Say why pages failed, once per reason"]["if"] == (
        "${{ !cancelled() && steps.run.outputs.status == '2' }}"
    )
    run_step = by_name["Take in new revisions"]["run"]
    assert "|| status=$?" in run_step  # the run step itself never fails the job
