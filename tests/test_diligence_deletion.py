"""Diligence views over a page deleted and restored, and over documents whose provider is named
differently: a real git history, committed on the days below.

object-storage fr-fr (the real 2022-12-23 page): on 2023-05-10 a silent edit moves "Administrer
le service de stockage" from OVHcloud to the customer; on 06-01 the page is moved (`git mv`); on
07-01 it is deleted; on 08-01 it is restored with the customer no longer accountable for the
incidents row. Cloud Temple IaaS (its real 2025-01-06 page, committed 2023-03-01): a provider
column named "Rôle Cloud Temple"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from raci_tracker import matrix_in_force
from raci_tracker.app import stored_revisions
from raci_tracker.config import load_config
from tests.diligence_history import noon
from tests.gitrepo import GitRepo
from tests.helpers import FIXTURES, corpus_page, run_cli

OLD = "pages/os/guide.fr-fr.md"
NEW = "pages/storage/os/guide.fr-fr.md"
ADMIN = "Administrer le service de stockage"
INCIDENTS = "Traiter les incidents sur le service (tickets et contacts téléphoniques)"
BACKUPS = "Réaliser les backups"
SEED = corpus_page("object-storage/fr-fr/2022-12-23__1fb28ea.md").decode("utf-8")
CLOUD_TEMPLE = FIXTURES / "external/cloud-temple-iaas/2025-01-06__d293284.md"

CONFIG = f"""\
[[documents]]
id = "os"
repo = "upstream"
path = "{NEW}"
locales = ["fr-fr"]

[[documents]]
id = "ct"
repo = "upstream"
path = "ct/raci.md"
locales = ["fr"]
"""


def replaced(text: str, *pairs: tuple[str, str]) -> str:
    for before, after in pairs:
        assert before in text, before
        text = text.replace(before, after)
    return text


SILENT = replaced(SEED, (f"| {ADMIN} | I | RA  |", f"| {ADMIN} | RA | I |"))
RESTORED = replaced(SILENT, (f"| {INCIDENTS} | AI | RA |", f"| {INCIDENTS} | I | RA |"))


def build(root: Path) -> dict[str, str]:
    repo = GitRepo(root / "upstream")
    repo.write(OLD, SEED)
    commits = {"seed": repo.commit("seed", at=noon("2022-12-23"))}
    repo.write("ct/raci.md", CLOUD_TEMPLE.read_bytes())
    commits["ct"] = repo.commit("ct", at=noon("2023-03-01"))
    repo.write(OLD, SILENT)
    commits["silent"] = repo.commit("silent", at=noon("2023-05-10"))
    (repo.root / NEW).parent.parent.mkdir(parents=True)
    repo.git("mv", "pages/os", "pages/storage/os")
    commits["move"] = repo.commit("move", at=noon("2023-06-01"))
    repo.git("rm", "-q", NEW)
    commits["delete"] = repo.commit("delete", at=noon("2023-07-01"))
    repo.write(NEW, RESTORED)
    commits["restore"] = repo.commit("restore", at=noon("2023-08-01"))
    (root / "raci-tracker.toml").write_text(CONFIG, encoding="utf-8")
    return commits


@pytest.fixture
def history(tmp_path: Path) -> dict[str, str]:
    commits = build(tmp_path)
    assert run_cli("run", "--config", str(tmp_path / "raci-tracker.toml")) == 0
    return commits


def command(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run_cli(*args[:1], "--config", str(tmp_path / "raci-tracker.toml"), *args[1:])
    out, err = capsys.readouterr()
    return code, out, err


def test_each_document_names_its_own_provider_in_the_portfolio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    code, out, err = command(tmp_path, capsys, "compare", "--from", "2023-01-01")
    code_html, html, _ = command(
        tmp_path, capsys, "compare", "--from", "2023-01-01", "--format", "html"
    )

    assert (code, code_html, err) == (0, 0, "")
    table = [line for line in out.splitlines() if line.startswith("| ct |")]
    assert table and all("OVHcloud" not in line for line in table)
    assert any("Cloud Temple" in line for line in table)
    assert "<td>ct</td><td>OVHcloud</td>" not in html


def test_a_document_with_no_shift_says_so_in_the_portfolio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    code, out, _ = command(tmp_path, capsys, "compare", "--from", "2023-09-01")

    assert code == 0
    assert "| nobody |" not in out
    assert "| os | no party lost or gained A or R | 0 | 0 | 0 | 0 |" in out


def test_compare_traces_changes_through_a_deletion_and_restore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    args = ("compare", "--doc", "os", "--from", "2023-04-01")
    code, out, err = command(tmp_path, capsys, *args, "--format", "json")
    code_md, markdown, _ = command(tmp_path, capsys, *args)

    assert (code, code_md, err) == (0, 0, "")
    data = json.loads(out)
    cited = {r["activity"]: [c["commit"] for c in r["commits"]] for r in data["rows"]}
    assert cited == {ADMIN: [history["silent"]], INCIDENTS: [history["restore"]]}
    assert all(change["commits"] for change in data["changes"] if change["kind"] == "role_changed")
    gaps = data["deletions"]
    assert [(g["commit"], g["restored_commit"]) for g in gaps] == [
        (history["delete"], history["restore"])
    ]
    assert "(not traced)" not in markdown
    assert (
        f"The page was deleted on 2023-07-01 (commit `{history['delete'][:12]}`) and restored"
        f" on 2023-08-01 (commit `{history['restore'][:12]}`)"
    ) in markdown


def test_history_of_follows_an_activity_through_a_deletion_and_restore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    code, out, err = command(tmp_path, capsys, "history-of", BACKUPS, "--doc", "os")
    code_json, raw, _ = command(
        tmp_path, capsys, "history-of", BACKUPS, "--doc", "os", "--format", "json"
    )

    assert (code, code_json, err) == (0, 0, "")
    activities = json.loads(raw)["activities"]
    assert len(activities) == 1
    assert activities[0]["removed"] is False
    assert "(removed)" not in out
    gap = json.loads(raw)["deletions"]
    assert [(g["commit"], g["restored_commit"]) for g in gap] == [
        (history["delete"], history["restore"])
    ]
    assert f"The page was deleted on 2023-07-01 (commit `{history['delete'][:12]}`)" in out


def test_history_of_shows_the_change_the_restore_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    args = ("history-of", "Traiter les incidents", "--doc", "os", "--format", "json")
    code, raw, _ = command(tmp_path, capsys, *args)

    (found,) = json.loads(raw)["activities"]
    moves = [(c["commit"]["commit"], c["before"], c["after"]) for c in found["changes"]]
    assert code == 0
    assert moves[1:] == [
        (
            history["restore"],
            {"customer": "AI", "provider": "RA"},
            {"customer": "I", "provider": "RA"},
        )
    ]


def test_matrix_on_a_day_the_page_was_deleted_says_no_matrix_was_in_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    args = ("matrix", "--doc", "os", "--at", "2023-07-15")
    said = f"the page was deleted by commit `{history['delete'][:12]}`, committed 2023-07-01"
    code, out, err = command(tmp_path, capsys, *args)
    code_party, by_party, err_party = command(tmp_path, capsys, *args, "--party", "provider")
    code_html, html, _ = command(tmp_path, capsys, *args, "--format", "html")
    code_json, raw, _ = command(tmp_path, capsys, *args, "--format", "json")
    code_csv, table, err_csv = command(tmp_path, capsys, *args, "--format", "csv")

    assert (code, code_party, code_html, code_json, err, err_party) == (0, 0, 0, 0, "", "")
    assert f"No matrix was in force on 2023-07-15: {said}" in out
    assert "Findings" not in out and "exactly one A" not in out
    assert said in by_party and "not a party" not in by_party
    assert "No matrix was in force on 2023-07-15" in html and "exactly one A" not in html
    data = json.loads(raw)
    assert (data["deleted"], data["in_force"]["commit"]) == (True, history["delete"])
    assert (code_csv, table) == (2, "")
    assert f"no matrix was in force on 2023-07-15: {said.replace('`', '')}" in err_csv


def test_matrix_after_the_restore_is_the_restored_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    code, raw, _ = command(
        tmp_path, capsys, "matrix", "--doc", "os", "--at", "2023-08-15", "--format", "json"
    )

    data = json.loads(raw)
    assert (code, data["deleted"], data["in_force"]["commit"]) == (0, False, history["restore"])
    assert any(
        a["text"] == INCIDENTS and a["assignments"]["customer"] == "I" for a in data["activities"]
    )


def test_compare_from_a_day_the_page_was_deleted_reports_the_restored_rows_as_added(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    code, out, err = command(tmp_path, capsys, "compare", "--doc", "os", "--from", "2023-07-15")

    assert (code, err) == (0, "")
    assert (
        f"On 2023-07-15 the page was deleted (commit `{history['delete'][:12]}`, committed"
        " 2023-07-01): everything it lists later is reported as added;"
    ) in out
    assert "reported as removed" not in out


def test_consistency_on_a_day_the_page_was_deleted_compares_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], history: dict[str, str]
) -> None:
    code, out, err = command(tmp_path, capsys, "consistency", "--doc", "os", "--at", "2023-07-15")

    assert (code, out) == (2, "")
    assert "agree" not in err
    assert (
        f"fr-fr: no matrix was in force on 2023-07-15: the page was deleted by commit"
        f" {history['delete'][:12]}, committed 2023-07-01"
    ) in err


def test_matrix_in_force_from_the_api_says_when_the_page_was_deleted(
    tmp_path: Path, history: dict[str, str]
) -> None:
    config = load_config(tmp_path / "raci-tracker.toml")
    _, revisions = stored_revisions(config, "os", None)

    deleted = matrix_in_force(revisions, "2023-07-15")
    restored = matrix_in_force(revisions, "2023-08-15")

    assert (deleted.deleted, deleted.ref.commit, deleted.snapshot.activities) == (
        True,
        history["delete"],
        (),
    )
    assert (restored.deleted, restored.ref.commit) == (False, history["restore"])
    assert restored.snapshot.activities
