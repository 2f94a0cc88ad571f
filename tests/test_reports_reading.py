"""A report run reads the texts of what it shows: the pages whose files it renders in full, and of
the others only what the index, the feed and the consistency grids show (their newest texts).
What it renders stays byte-identical to a full report and a clean run."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from raci_tracker.app import changelogs
from raci_tracker.app.changelogs import reuse_of
from raci_tracker.app.diffed import DiffedPages
from raci_tracker.app.run import _load_pages, record_run, run_and_report
from raci_tracker.app.run import run as update_store
from raci_tracker.codec import dumps
from raci_tracker.compare.changelog import DiffToFind, PageChangelog
from raci_tracker.config import load_config
from raci_tracker.history import store as store_module
from raci_tracker.history.store import SnapshotStore
from raci_tracker.output import feed, views
from raci_tracker.output.site import render_site
from raci_tracker.output.stamp import read_rendered
from tests.gitrepo import GitRepo
from tests.helpers import run_cli
from tests.test_incremental_reports import (
    CONFIG,
    full_report,
    long_history,
    page,
    reports,
    run,
    tracker,
)

OTHER = """
[[documents]]
id = "other"
repo = "upstream"
path = "pages/b/guide.en-gb.md"
locales = ["en-gb"]
"""


def two_pages(folder: Path, revisions: int) -> tuple[GitRepo, Path]:
    """`kube`, whose letters move back and forth, and `other`, whose date alone moves: a run
    after each day's two commits."""
    repo = GitRepo(folder / "upstream")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "raci-tracker.toml"
    config.write_text(CONFIG.format(templates="") + OTHER, encoding="utf-8")
    for day in range(revisions):
        repo.save("pages/a/guide.en-gb.md", page(day, ("I | RA", "RA | I")[day % 2]))
        repo.save("pages/b/guide.en-gb.md", page(day, "I | RA"))
        run(config)
    return repo, config


def new_letters(repo: GitRepo) -> None:
    """One commit of the first page that moves its letters (a new date, a shift)."""
    repo.save("pages/a/guide.en-gb.md", page(40, "C | RA"))


def count_reads(
    monkeypatch: pytest.MonkeyPatch, method: str = "load_object", owner: object = SnapshotStore
) -> Counter[str]:
    """What the store's `method` reads from now on (objects; `load_diff`: stored diffs), by
    document; or the calls of `owner`'s function `method`, which takes a store and a document."""
    reads: Counter[str] = Counter()
    load = getattr(owner, method)

    def counted(store: SnapshotStore, document: str, *args: Any, **options: Any) -> Any:
        reads[document] += 1
        return load(store, document, *args, **options)

    monkeypatch.setattr(owner, method, counted)
    return reads


def count_object_files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The objects read from their files from now on (not given by `SnapshotStore.remember`)."""
    read: list[str] = []
    real = store_module._json

    def counted(path: Path) -> Any:
        if path.parent.name == "objects":
            read.append(path.name)
        return real(path)

    monkeypatch.setattr(store_module, "_json", counted)
    return read


def test_a_page_no_file_of_which_is_rendered_has_only_its_newest_text_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo, path = two_pages(folder, 12)
    new_letters(repo)
    config = load_config(path)
    files_read = count_object_files_read(monkeypatch)
    update_store(config)
    # the new diff is made as the run takes the text in: the new text is at hand, the one
    # before it (taken in by an earlier run) is read
    assert len(files_read) == 1
    reads = count_reads(monkeypatch)

    pages, ids = _load_pages(config)
    site = render_site(config, pages, None, reuse_of(config, ids, read_rendered(config)))

    assert not any(name.startswith("other/") for name in site.outputs)
    assert reads["other"] == 1  # the index's latest revision; its dates moved no letter
    # its latest (the home's matrix): the changelog's first record, like its other revisions,
    # is the section the last run kept (ADR 22), and the new one is told by its diff
    assert reads["kube"] == 1
    assert {"index.html", "feed.xml"} <= set(site.outputs)


def test_a_run_reads_the_diffs_of_the_page_that_changed_and_none_of_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo, path = two_pages(folder, 12)
    new_letters(repo)
    reads = count_reads(monkeypatch, "load_diff")

    run(path)

    # the index (last major change), the feed and the alerts ask the other page's diffs only
    # what they count, which the store keeps beside them (`diff-counts.json`)
    assert reads["other"] == 0
    # the new diff looked for as the run takes its text in (then made), and read again for its
    # changelog section (the entries the update hands to the reports hold none of them); the
    # other sections, the home's histories and their lines are the parts the last run kept
    assert reads["kube"] == 1 + 1
    assert reports(folder) == full_report(folder)


def test_diff_counts_that_cannot_be_trusted_are_counted_again(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    _, path = two_pages(folder, 4)
    counts = folder / "snapshots/kube/en-gb/diff-counts.json"
    kept, rendered = counts.read_bytes(), reports(folder)
    data = json.loads(kept)
    wrong = {name: [9, 9, 9] for name in data["counts"]}
    damaged = [
        "{not json",
        json.dumps({**data, "version": data["version"] + 1, "counts": wrong}),
        json.dumps({**data, "counts": {**wrong, next(iter(wrong)): [0, -1, 0]}}),
    ]

    for text in damaged:
        counts.write_text(text, encoding="utf-8")
        assert run_cli("report", "--config", str(path)) == 0

        assert counts.read_bytes() == kept
        assert reports(folder) == rendered


def test_a_long_page_taking_a_revision_in_reads_its_newest_changelog_page_not_its_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 30, 30)  # an archive page (1-25), then 26-30
    repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))
    config = load_config(folder / "raci-tracker.toml")
    update_store(config)
    reads = count_reads(monkeypatch)

    pages, ids = _load_pages(config)
    site = render_site(config, pages, None, reuse_of(config, ids, read_rendered(config)))

    assert "kube/en-gb/CHANGELOG-1-25.md" not in site.outputs
    # the home's latest text (its history is the fold the store kept, and the new text's diff
    # was made as the run took the text in): the newest changelog page's entries are told by
    # their diffs
    assert reads["kube"] == 1


def test_a_full_report_reads_each_diff_once_and_holds_no_archive_page_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The home folds a changelog page's revisions as the page is rendered, the oldest page
    first, and an archive page's diffs go once it is: a long history's are not all held."""
    folder = tmp_path / "tracker"
    long_history(folder, 30, 30)  # an archive page (1-25), then 26-30
    config = load_config(folder / "raci-tracker.toml")
    read: Counter[tuple[str, str]] = Counter()
    load = SnapshotStore.load_diff

    def counted(store: SnapshotStore, document: str, locale: str, pair: Any, version: int) -> Any:
        read[pair] += 1
        return load(store, document, locale, pair, version)

    monkeypatch.setattr(SnapshotStore, "load_diff", counted)
    pages, _ = _load_pages(config)

    site = render_site(config, pages)  # every file, the home folded from the first text

    assert "kube/en-gb/CHANGELOG-1-25.md" in site.outputs and "kube/en-gb/index.md" in site.outputs
    steps = [step for entry in pages[0].entries for step in entry.steps if step.previous]
    assert len(read) == len(steps) and set(read.values()) == {1}
    archived = [step for entry in pages[0].entries[:25] for step in entry.steps if step.previous]
    assert archived and all(isinstance(step.found, DiffToFind) for step in archived)
    assert not isinstance(steps[-1].found, DiffToFind)  # the newest page's: shown last


def test_a_first_run_shows_each_text_as_its_page_is_rendered_and_holds_no_archive_page_s_diffs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run's summary shows every text of the history: what it shows of a changelog
    page's texts is taken as that page is rendered, so their diffs go with the page and the
    summary reads none again."""
    folder = tmp_path / "tracker"
    repo = GitRepo(folder / "upstream")
    config = load_config(tracker(folder))
    for day in range(30):  # an archive page (1-25), then 26-30
        repo.save("pages/a/guide.en-gb.md", page(day, ("I | RA", "RA | I", "C | RA")[day % 3]))

    outcome = run_and_report(config)
    read = count_reads(monkeypatch, "load_diff")
    assert record_run(config, outcome, {}) == []

    assert not read
    steps = [step for entry in outcome.pages[0].entries for step in entry.steps if step.previous]
    archived = steps[: len(steps) - 5]
    assert archived and all(isinstance(step.found, DiffToFind) for step in archived)
    shifts = json.loads((folder / "reports/last-run.json").read_bytes())["shifts"]
    assert len(shifts) == len(steps) == 29  # each text moves letters
    summary = (folder / "reports/last-run.md").read_text(encoding="utf-8")
    assert all(f"Commit `{shift['commit'][:12]}`" in summary for shift in shifts)
    # written a record at a time, as the whole of it would be
    assert (folder / "reports/last-run.json").read_bytes() == dumps(views.run_to_dict(outcome))


def test_a_run_without_shifts_writes_its_record_as_the_whole_of_it_would_be(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "tracker"
    repo = GitRepo(folder / "upstream")
    config = load_config(tracker(folder))
    repo.save("pages/a/guide.en-gb.md", page(0, "I | RA"))

    outcome = run_and_report(config)
    assert record_run(config, outcome, {}) == []

    written = (folder / "reports/last-run.json").read_bytes()
    assert written == dumps(views.run_to_dict(outcome))
    assert json.loads(written)["shifts"] == [] and json.loads(written)["totals"]["new_revisions"]


def test_runs_over_two_pages_end_as_a_full_report_and_a_clean_run(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    repo, config = two_pages(folder, 5)
    new_letters(repo)
    run(config)
    repo.save("pages/b/guide.en-gb.md", page(41, "RA | C"))
    run(config)

    clean = folder.with_name("clean")
    shutil.copytree(folder / "upstream", clean / "upstream")
    shutil.copy(config, clean / "raci-tracker.toml")
    run(clean / "raci-tracker.toml")
    assert reports(folder) == full_report(folder)
    assert reports(folder) == reports(clean)


def test_an_older_text_that_cannot_be_read_fails_its_page_and_the_others_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "tracker"
    repo, config = two_pages(folder, 3)
    index = json.loads((folder / "snapshots/kube/en-gb/index.json").read_bytes())
    damaged = folder / f"snapshots/kube/en-gb/objects/{index['versions'][0]['object']}.json"
    damaged.write_bytes(b'{"schema_version": ')
    shutil.rmtree(folder / "cache")  # as in a fresh checkout: no part kept, every text read
    new_letters(repo)
    repo.save("pages/b/guide.en-gb.md", page(41, "RA | C"))
    capsys.readouterr()

    code = run_cli("run", "--config", str(config), "--no-progress")

    err = capsys.readouterr().err
    assert code == 2
    assert f"kube en-gb: failed: {damaged}" in err and "Traceback" not in err
    other = (folder / "reports/other/en-gb/index.md").read_text("utf-8")
    assert "2023-02-14" in other  # the other page's own reports are written


def test_a_run_builds_the_changelog_of_a_page_it_took_a_text_in_for_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo, path = two_pages(folder, 4)
    new_letters(repo)
    built = count_reads(monkeypatch, "stored_page", changelogs)

    run(path)

    # `kube` as the run takes its text in, and its reports take that; `other` for its reports
    assert built == {"kube": 1, "other": 1}
    assert reports(folder) == full_report(folder)


def test_a_page_kept_as_diffed_is_not_taken_once_its_index_changed(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    repo, path = two_pages(folder, 2)
    store = SnapshotStore(folder / "snapshots")
    diffed, page = DiffedPages(), changelogs.stored_page(store, "kube", "en-gb")
    diffed.keep(store, page, "kube", "en-gb")
    assert diffed.get(store, "kube", "en-gb") is page
    assert diffed.get(store, "other", "en-gb") is None

    new_letters(repo)
    run(path)

    assert diffed.get(store, "kube", "en-gb") is None


def test_the_feed_places_each_page_s_revisions_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    two_pages(folder, 6)
    pages, _ = _load_pages(load_config(folder / "raci-tracker.toml"))
    placed: list[str] = []
    real = feed.revision_hrefs

    def counted(page: PageChangelog, *args: Any) -> dict[str, str]:
        placed.append(page.document)
        return real(page, *args)

    monkeypatch.setattr(feed, "revision_hrefs", counted)
    listed = feed.feed_listing(pages)

    assert len(listed) > len(placed) and sorted(placed) == ["kube"]  # `other` has no shift
    assert all(item.local.startswith("kube/en-gb/CHANGELOG.html#revision-") for item in listed)
