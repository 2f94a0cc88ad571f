"""`raci-tracker history` and `raci-tracker run` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from raci_tracker.cli import main
from raci_tracker.history.source import GitSource
from raci_tracker.history.store import SnapshotStore
from raci_tracker.history.walk import PageTarget, update_page
from tests.gitrepo import GitRepo
from tests.helpers import corpus_page

PAGE = "pages/logs-data-platform/guide.{locale}.md"


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def upstream(tmp_path: Path) -> GitRepo:
    """Logs Data Platform in two locales: July 2022, then January 2023."""
    repo = GitRepo(tmp_path / "upstream")
    for locale, old in (("fr-fr", "unknown__93f68c9"), ("en-gb", None)):
        if old:
            repo.save(
                PAGE.format(locale=locale), corpus_page(f"logs-data-platform/{locale}/{old}.md")
            )
    repo.save(
        PAGE.format(locale="fr-fr"), corpus_page("logs-data-platform/fr-fr/2023-01-26__08070d4.md")
    )
    repo.save(
        PAGE.format(locale="en-gb"), corpus_page("logs-data-platform/en-gb/2023-01-26__08070d4.md")
    )
    return repo


def test_history_json(upstream: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        "history",
        "--repo",
        str(upstream.root),
        "--path",
        PAGE.format(locale="fr-fr"),
        "--format",
        "json",
        capsys=capsys,
    )
    data = json.loads(out)

    assert code == 0
    assert set(data) == {"revisions", "versions", "renames", "findings"}
    assert [v["date"] for v in data["versions"]] == ["2022-07-28", "2023-01-26"]
    assert [(r["date"], r["date_source"], r["activity_count"]) for r in data["revisions"]] == [
        ("2022-07-28", "body", 61),
        ("2023-01-26", "front-matter", 63),
    ]
    assert data["revisions"][1]["commits"] == [data["revisions"][1]["commit"]]
    assert data["revisions"][0]["silent_edit_count"] == 0


def test_history_text_and_bad_input(
    upstream: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        "history",
        "--repo",
        str(upstream.root),
        "--path",
        PAGE.format(locale="en-gb"),
        capsys=capsys,
    )
    refused, _, err = run(
        "history",
        "--repo",
        "ext::sh -c touch% " + str(tmp_path / "pwned"),
        "--path",
        "x.md",
        capsys=capsys,
    )
    missing, _, missing_err = run(
        "history", "--repo", str(tmp_path / "nowhere"), "--path", "x.md", capsys=capsys
    )

    assert code == 0
    assert out.startswith("2023-01-26  front-matter")
    assert refused == 2
    assert "refused" in err
    assert not (tmp_path / "pwned").exists()
    assert missing == 2
    assert "is not a git repository" in missing_err


def config(tmp_path: Path, repo: str = "upstream") -> Path:
    path = tmp_path / "raci-tracker.toml"
    path.write_text(
        f"""\
[[documents]]
id = "logs-data-platform"
repo = "{repo}"
path = "{PAGE}"
locales = ["fr-fr", "en-gb"]
""",
        encoding="utf-8",
    )
    return path


def test_run_fills_the_store_then_changes_nothing(
    upstream: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path)

    code, out, _ = run("run", "--config", str(path), "--no-progress", capsys=capsys)
    stored = {p: p.read_bytes() for p in (tmp_path / "snapshots").rglob("*.json")}
    reports = {p: p.read_bytes() for p in (tmp_path / "reports").rglob("*") if p.is_file()}
    again, out_again, _ = run("run", "--config", str(path), "--no-progress", capsys=capsys)

    assert code == again == 0
    assert "logs-data-platform fr-fr: 2 revision(s) taken in (2022-07-28, 2023-01-26)" in out
    indexes = sorted(str(p.relative_to(tmp_path)) for p in stored if p.name == "index.json")
    assert indexes == [
        "snapshots/logs-data-platform/en-gb/index.json",
        "snapshots/logs-data-platform/fr-fr/index.json",
    ]
    for index in indexes:
        versions = json.loads((tmp_path / index).read_text(encoding="utf-8"))["versions"]
        objects = {p.name for p in (tmp_path / index).parent.joinpath("objects").iterdir()}
        assert objects == {f"{v['object']}.json" for v in versions if v["object"]}
    diffs = [p for p in stored if p.parent.name == "diffs"]
    assert [p.parent.parent.name for p in diffs] == ["fr-fr"]  # its two texts' diff, kept
    counts = [p.parent.name for p in stored if p.name == "diff-counts.json"]
    assert counts == ["fr-fr"]  # what that diff counts; en-gb, of one text, has none
    homes = sorted(p.parent.name for p in stored if p.name == "home.json")
    assert homes == ["en-gb", "fr-fr"]  # each page's history, as its home folded it
    objects = sum(1 for p in stored if p.parent.name == "objects")
    assert len(stored) == 3 + len(diffs) + len(counts) + len(homes) + objects
    assert [p.parent.name for p in stored if p.parent.parent.name == "snapshots"] == [".repos"]
    assert "logs-data-platform fr-fr: up to date" in out_again
    assert "0 new revision(s)" in out_again
    assert "0 snapshot file(s) and 0 report file(s) written" in out_again
    assert {p: p.read_bytes() for p in (tmp_path / "snapshots").rglob("*.json")} == stored
    assert sorted(str(p.relative_to(tmp_path / "reports")) for p in reports) == [
        "alerted.json",
        "feed.xml",
        "index.html",
        "index.md",
        "last-run.json",
        "last-run.md",
        "logs-data-platform/consistency.html",
        "logs-data-platform/consistency.md",
        "logs-data-platform/en-gb/CHANGELOG.html",
        "logs-data-platform/en-gb/CHANGELOG.md",
        "logs-data-platform/en-gb/index.html",
        "logs-data-platform/en-gb/index.md",
        "logs-data-platform/fr-fr/CHANGELOG.html",
        "logs-data-platform/fr-fr/CHANGELOG.md",
        "logs-data-platform/fr-fr/index.html",
        "logs-data-platform/fr-fr/index.md",
        "status.json",
    ]
    assert {p: p.read_bytes() for p in (tmp_path / "reports").rglob("*") if p.is_file()} == reports


def test_an_unrelated_upstream_commit_changes_no_page_file(
    upstream: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the repository's record of where it stopped moves; a later page commit is still
    taken in, as a clean run takes it."""
    path = config(tmp_path)
    run("run", "--config", str(path), "--no-progress", capsys=capsys)
    pages = {p: p.read_bytes() for p in (tmp_path / "snapshots").rglob("*.json")}
    (stops,) = (tmp_path / "snapshots/.repos").iterdir()
    del pages[stops]

    unrelated = upstream.save("README.md", "not a page\n")
    code, out, _ = run("run", "--config", str(path), "--no-progress", capsys=capsys)
    after = {p: p.read_bytes() for p in (tmp_path / "snapshots").rglob("*.json") if p != stops}

    assert code == 0 and "0 new revision(s)" in out
    assert after == pages
    assert set(json.loads(stops.read_bytes())["pages"].values()) == {unrelated}

    page = PAGE.format(locale="fr-fr")
    upstream.save(page, upstream.root.joinpath(page).read_text(encoding="utf-8") + "\nMore.\n")
    code, out, _ = run("run", "--config", str(path), "--no-progress", capsys=capsys)
    clean = tmp_path / "clean"
    clean.mkdir()
    clean_config = config(clean, repo=str(upstream.root))
    clean_code, _, _ = run("run", "--config", str(clean_config), "--no-progress", capsys=capsys)

    assert code == clean_code == 0 and "fr-fr: 1 revision(s) taken in" in out
    assert stored_history(tmp_path / "snapshots") == stored_history(clean / "snapshots")


def stored_history(root: Path) -> dict[str, object]:
    """Objects, and each index's versions, revisions and notes (not where the repository is)."""
    found: dict[str, object] = {}
    for path in sorted(root.glob("*/*/objects/*.json")):
        found[str(path.relative_to(root))] = path.read_bytes()
    for path in sorted(root.glob("*/*/index.json")):
        index = json.loads(path.read_bytes())
        found[str(path.relative_to(root))] = [index[k] for k in ("versions", "revisions", "notes")]
    return found


def test_run_reports_a_failing_page_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run("run", "--config", str(config(tmp_path, repo="missing")), capsys=capsys)

    assert code == 2
    assert err.count("failed: ") == 2
    assert "is not a git repository" in err


def test_run_defaults_to_the_config_in_the_current_folder(
    upstream: GitRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config(tmp_path)
    monkeypatch.chdir(tmp_path)

    code, out, _ = run("run", capsys=capsys)
    missing, _, err = run("run", "--config", "other.toml", capsys=capsys)

    assert code == 0
    assert "2 page(s)" in out
    assert missing == 2
    assert "other.toml: no such config file" in err


def report_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith("last-run")
    }


def test_a_run_with_nothing_new_renders_again_reports_that_are_gone(
    upstream: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path)
    run("run", "--config", str(path), "--no-progress", capsys=capsys)
    reports = report_files(tmp_path / "reports")
    shutil.rmtree(tmp_path / "reports")

    code, out, _ = run("run", "--config", str(path), "--no-progress", capsys=capsys)

    assert code == 0 and "0 new revision(s)" in out
    assert report_files(tmp_path / "reports") == reports


def test_a_run_after_one_killed_before_its_reports_renders_them(
    upstream: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store took the new text in, the reports did not: the next run, with nothing new to
    read, still renders them, as `report` does."""
    path = config(tmp_path)
    run("run", "--config", str(path), "--no-progress", capsys=capsys)
    before = report_files(tmp_path / "reports")
    page = PAGE.format(locale="fr-fr")
    text = upstream.root.joinpath(page).read_text(encoding="utf-8")
    upstream.save(page, text.replace("updated: 2023-01-26", "updated: 2023-03-01"))
    with GitSource(upstream.root) as source:
        target = PageTarget("logs-data-platform", "fr-fr", "upstream", None, page)
        update_page(source, SnapshotStore(tmp_path / "snapshots"), target)

    code, out, _ = run("run", "--config", str(path), "--no-progress", capsys=capsys)
    after_run = report_files(tmp_path / "reports")
    run("report", "--config", str(path), capsys=capsys)

    assert code == 0 and "0 new revision(s)" in out
    assert after_run != before
    assert after_run == report_files(tmp_path / "reports")
    assert b"2023-03-01" in after_run["logs-data-platform/fr-fr/CHANGELOG.md"]


def test_a_damaged_repository_record_is_read_again_from_the_indexes(
    upstream: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path)
    run("run", "--config", str(path), "--no-progress", capsys=capsys)
    (stops,) = (tmp_path / "snapshots/.repos").iterdir()
    stops.write_text('{"schema_version": 1, "pages": []}\n', encoding="utf-8")
    page = PAGE.format(locale="en-gb")
    text = upstream.root.joinpath(page).read_text(encoding="utf-8")
    upstream.save(page, text.replace("updated: 2023-01-26", "updated: 2023-04-01"))

    code, out, _ = run("run", "--config", str(path), "--no-progress", capsys=capsys)

    assert code == 0
    assert "logs-data-platform en-gb: 1 revision(s) taken in (2023-04-01)" in out
    assert "logs-data-platform fr-fr: up to date" in out
    assert set(json.loads(stops.read_bytes())["pages"].values()) == {upstream.head()}
