"""`raci-tracker review`, `diff REV:PATH` and `diff -`: a pull request in a real docs repository,
reviewed as a reviewer and a CI check see it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from raci_tracker.cli import main
from tests.gitrepo import GitRepo
from tests.helpers import corpus_page

KUBE = "pages/managed_kubernetes/responsibility-model/guide.fr-fr.md"
BLOCK = "pages/block_storage/responsibility-model/guide.en-gb.md"
BLOCK_MOVED = "pages/storage/block/responsibility-model/guide.en-gb.md"
CONTINUITY = "| Déployer la politique de continuité d’activité sur le service Kubernetes managé |"
SCALE = "Choose the Block Storage scale following business needs (Classic, High speed, ...)"


def kube_seed() -> str:
    return corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md").decode("utf-8")


def block_page() -> str:
    return corpus_page("block-storage/en-gb/2022-12-23__02ab130.md").decode("utf-8")


@pytest.fixture
def docs(tmp_path: Path) -> tuple[GitRepo, str]:
    """A docs repository on `main`, and a branch `change` that moves a role on the Kubernetes
    page, renames the Block Storage page and rewords one of its activities, and edits a README."""
    repo = GitRepo(tmp_path / "docs")
    repo.write(KUBE, kube_seed())
    repo.write(BLOCK, block_page())
    repo.write("README.md", "# Docs\n\nHow to contribute.\n")
    repo.commit("Seed the docs")
    repo.git("checkout", "-q", "-b", "change")
    repo.save(KUBE, kube_seed().replace(f"{CONTINUITY}  | RA |", f"{CONTINUITY} RA | I |"))
    repo.move(BLOCK, BLOCK_MOVED)
    repo.save(BLOCK_MOVED, block_page().replace(SCALE, SCALE.replace("Choose", "Select")))
    repo.save("README.md", "# Docs\n\nHow to contribute, in detail.\n")
    repo.git("checkout", "-q", "main")
    repo.save("CONTRIBUTING.md", "Be kind.\n")  # main moved on: the review starts at the merge base
    return repo, "change"


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def test_review_json_names_each_page_and_its_shifts(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, branch = docs

    code, out, err = cli(
        ["review", "main", branch, "--repo", str(repo.root), "--format", "json"], capsys
    )
    result = json.loads(out)
    pages = {page["path"]: page for page in result["pages"]}

    assert code == 0 and err == ""
    assert list(pages) == [KUBE, BLOCK_MOVED]  # README.md and CONTRIBUTING.md are not reviewed
    kube, block = pages[KUBE], pages[BLOCK_MOVED]
    assert kube["status"] == "modified" and kube["previous_path"] is None
    assert kube["summary"]["major"] == 2
    assert kube["summary"]["parties"]["provider"]["accountable_lost"] == 1
    assert kube["summary"]["parties"]["customer"]["accountable_gained"] == 1
    assert block["status"] == "renamed" and block["previous_path"] == BLOCK
    assert [c["kind"] for c in block["changes"]] == ["activity-reworded"]
    assert block["changes"][0]["previous_activity"] == SCALE
    assert result["summary"] == {
        "pages": 2,
        "pages_with_shifts": 1,
        "major": 2,
        "minor": 0,
        "editorial": 1,
        "policy": [],
        "breaches": [],
    }
    assert result["skipped"] == ["README.md"]
    assert result["head"] == repo.git("rev-parse", branch)
    assert result["base"] == repo.git("merge-base", "main", branch)
    assert block["from"] == {"path": BLOCK, "updated": "2022-12-23", "commit": result["base"]}
    assert block["to"] == {"path": BLOCK_MOVED, "updated": "2022-12-23", "commit": result["head"]}


def test_review_markdown_is_a_pull_request_comment(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, branch = docs

    code, out, _ = cli(
        ["review", "main", branch, "--repo", str(repo.root), "--format", "md"], capsys
    )
    kube_part, block_part = out.split(f"#### {md_path(BLOCK_MOVED)}")

    assert code == 0
    assert out.startswith(
        "<!-- raci-tracker-review -->\n### RACI review: 2 pages changed, 1 with role shifts\n"
    )
    assert "R and A moved from OVHcloud to the customer" in kube_part
    assert "| major: no longer accountable" not in kube_part  # the table says it in full
    assert "| RA | I | major: no longer responsible (R), no longer accountable (A)" in kube_part
    assert "<details>" not in kube_part
    assert f"(renamed from {md_path(BLOCK)})" in block_part
    assert "| major:" not in block_part
    assert "<details><summary>1 editorial change" in block_part
    assert (
        "- 1.1 Specify service as needed: ~~Choose~~ **Select** the Block Storage scale"
        in block_part
    )


def md_path(path: str) -> str:
    return path.replace("_", "\\_")


def test_review_exit_codes_follow_the_policy(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, branch = docs
    base = ["review", "main", branch, "--repo", str(repo.root)]

    assert cli([*base, "--exit-code"], capsys)[0] == 1
    assert cli([*base, "--fail-on", "party-loses:customer"], capsys)[0] == 0
    code, out, _ = cli([*base, "--fail-on", "party-loses:provider"], capsys)
    assert code == 1
    assert f"{KUBE}: provider loses A on 1 activity" in out
    assert f"{KUBE}: provider loses R on 1 activity" in out
    assert cli([*base, "--fail-on", "accountability"], capsys)[0] == 1
    assert cli([*base, "--fail-on", "major"], capsys)[0] == 1
    # the rename and rewording alone break no policy
    rename_only = ["review", f"{branch}~3", f"{branch}~1", "--repo", str(repo.root)]
    assert cli([*rename_only, "--fail-on", "minor", "--exit-code"], capsys)[0] == 0
    code, _, err = cli([*base, "--fail-on", "provider"], capsys)
    assert code == 2 and "--fail-on: 'provider' is not one of" in err


def test_non_raci_markdown_is_skipped_silently_unless_verbose(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, branch = docs
    base = ["review", "main", branch, "--repo", str(repo.root)]

    quiet = cli(base, capsys)
    loud = cli([*base, "-v"], capsys)

    assert "README" not in quiet[1] + quiet[2]
    assert loud[2] == "skipped, not a RACI page: README.md\n"
    assert loud[1] == quiet[1]


def test_review_of_an_added_and_a_deleted_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "docs")
    repo.save(KUBE, kube_seed())
    first = repo.head()
    repo.remove(KUBE)
    repo.save(BLOCK, block_page())

    code, out, _ = cli(
        ["review", first, "HEAD", "--repo", str(repo.root), "--format", "json"], capsys
    )
    pages = {page["path"]: page for page in json.loads(out)["pages"]}

    assert code == 0
    assert pages[KUBE]["status"] == "deleted"
    assert pages[KUBE]["summary"]["activities_removed"] > 0
    assert pages[BLOCK]["status"] == "added"
    assert pages[BLOCK]["summary"]["activities_removed"] == 0
    assert pages[BLOCK]["summary"]["activities_added"] > 0


def test_review_of_a_bad_revision_is_one_message(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _ = docs

    code, out, err = cli(["review", "main", "no-such-branch", "--repo", str(repo.root)], capsys)

    assert (code, out) == (2, "")
    assert "'no-such-branch' does not exist" in err and "Traceback" not in err


# --- diff REV:PATH and diff - ------------------------------------------------------------------


def test_diff_reads_rev_path_and_standard_input(docs: tuple[GitRepo, str], tmp_path: Path) -> None:
    repo, branch = docs
    command = [sys.executable, "-m", "raci_tracker", "diff", "--format", "json"]

    from_git = subprocess.run(
        [*command, f"main:{KUBE}", f"{branch}:{KUBE}", "--repo", str(repo.root)],
        capture_output=True,
        check=True,
    )
    piped = subprocess.run(
        [*command, f"main:{KUBE}", "-"],
        input=repo.git("show", f"{branch}:{KUBE}").encode("utf-8") + b"\n",
        capture_output=True,
        check=True,
        cwd=repo.root / "pages",  # the current repository, found from a folder inside it
    )

    git_json, piped_json = json.loads(from_git.stdout), json.loads(piped.stdout)
    assert git_json["summary"]["major"] == 2
    assert git_json["from"]["path"] == f"main:{KUBE}"
    assert git_json["to"]["path"] == f"{branch}:{KUBE}" and piped_json["to"]["path"] == "<stdin>"
    assert {**piped_json, "to": None} == {**git_json, "to": None}


def test_diff_of_a_path_missing_at_a_revision(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, branch = docs

    code, _, err = cli(
        ["diff", f"main:{BLOCK_MOVED}", f"{branch}:{BLOCK_MOVED}", "--repo", str(repo.root)], capsys
    )

    assert code == 2
    assert f"main:{BLOCK_MOVED}: no such file at that revision" in err


def test_each_reviewed_page_is_the_diff_of_its_two_texts(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, branch = docs
    root = str(repo.root)
    _, out, _ = cli(["review", "main", branch, "--repo", root, "--format", "json"], capsys)

    for page in json.loads(out)["pages"]:
        before = f"main:{page['previous_path'] or page['path']}"
        _, alone, _ = cli(
            ["diff", before, f"{branch}:{page['path']}", "--repo", root, "--format", "json"],
            capsys,
        )
        own = {"path", "previous_path", "status", "from", "to"}
        shape = {k: v for k, v in page.items() if k not in own}
        alone_shape = {k: v for k, v in json.loads(alone).items() if k not in {"from", "to"}}
        assert shape == alone_shape


def test_diff_takes_standard_input_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["diff", "-", "-"], capsys)

    assert (code, out) == (2, "")
    assert "only one of OLD and NEW can be standard input" in err


def test_an_unreadable_page_is_named_and_the_others_are_reviewed(
    docs: tuple[GitRepo, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, branch = docs
    repo.git("checkout", "-q", branch)
    repo.save("notes/latin1.md", "caf\xe9\n".encode("latin-1"))

    code, out, err = cli(
        ["review", "main", branch, "--repo", str(repo.root), "--format", "json"], capsys
    )
    result = json.loads(out)

    assert code == 2
    assert [page["path"] for page in result["pages"]] == [KUBE, BLOCK_MOVED]
    assert result["errors"] == ["notes/latin1.md:1: is not UTF-8 text (byte 3)"]
    assert "raci-tracker: notes/latin1.md:1: is not UTF-8 text (byte 3)" in err
