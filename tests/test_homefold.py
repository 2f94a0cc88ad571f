"""A page's history folded for its home (`output/homefold.py`): kept in the store between runs,
read back as written, resumed only from the texts it was folded from, and folded again from the
first text otherwise. What the homes show is the same either way (`test_incremental_reports`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from raci_tracker.app.changelogs import reuse_of
from raci_tracker.app.run import _load_pages
from raci_tracker.compare.changelog import PageChangelog, RevisionHead, Step
from raci_tracker.config import Config, load_config
from raci_tracker.output.activity import HOME_EVENTS
from raci_tracker.output.homefold import (
    HomeFold,
    HomeFolding,
    fold_bytes,
    fold_from_bytes,
    fold_home,
)
from raci_tracker.output.reuse import KeptHomes, Reuse
from raci_tracker.output.site import home_folding, kept_fold
from raci_tracker.output.stamp import read_rendered
from tests.gitrepo import GitRepo
from tests.helpers import run_cli
from tests.test_site import long_history, synthetic

PAGE = "long.en-gb.md"
HOME = Path("snapshots/long/en-gb/home.json")
CONFIG = """\
[output]
cache = "cache"

[[documents]]
id = "long"
repo = "upstream"
path = "long.{locale}.md"
locales = ["en-gb"]
"""


def tracker(folder: Path) -> GitRepo:
    """30 revisions: letters flipping every time, a rewording, a silent edit (`long_history`)."""
    repo = GitRepo(folder / "upstream")
    long_history(repo)
    (folder / "raci-tracker.toml").write_text(CONFIG, encoding="utf-8")
    return repo


def run(folder: Path) -> None:
    assert run_cli("run", "--config", str(folder / "raci-tracker.toml"), "--no-progress") in (0, 1)


def the_page(folder: Path) -> tuple[Config, PageChangelog]:
    config = load_config(folder / "raci-tracker.toml")
    pages, _ = _load_pages(config)
    return config, pages[0]


def steps_of(page: PageChangelog) -> int:
    return sum(len(entry.steps) for entry in page.entries)


def counting_folds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts each fold takes in from now on, by commit."""
    folded: list[str] = []
    add = HomeFold.add

    def counted(self: HomeFold, revision: RevisionHead, step: Step) -> None:
        folded.append(step.ref.commit)
        add(self, revision, step)

    monkeypatch.setattr(HomeFold, "add", counted)
    return folded


def clean_home(folder: Path) -> bytes:
    """The fold a single run over the same upstream keeps."""
    clean = folder.with_name(folder.name + "-clean")
    shutil.copytree(folder / "upstream", clean / "upstream")
    (clean / "raci-tracker.toml").write_text(CONFIG, encoding="utf-8")
    run(clean)
    return (clean / HOME).read_bytes()


def folded_once(folder: Path) -> tuple[PageChangelog, Reuse, HomeFold]:
    """The tracked page after one run, what names its texts, and its history folded whole."""
    tracker(folder)
    run(folder)
    config, page = the_page(folder)
    reuse = reuse_of(config, _load_pages(config)[1], read_rendered(config))
    return page, reuse, fold_home(page, None, reuse.text_id, "code")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "tracker"
    folder.mkdir()
    return folder


def test_a_kept_fold_reads_back_as_it_was_written(folder: Path) -> None:
    page, reuse, fold = folded_once(folder)
    data = fold_bytes(fold)

    back = fold_from_bytes(data)

    assert back is not None
    assert fold_bytes(back) == data
    assert back.follower.histories() == fold.follower.histories()
    assert any(h.earlier for h in fold.follower.histories().values())  # more than HOME_EVENTS
    assert back.marks == fold.marks and len(back.marks) == steps_of(page) == back.steps
    assert back.names() == fold.names()
    assert (folder / HOME).read_bytes() == fold_bytes(fold_home(page, None, reuse.text_id,
                                                                reuse.environment))  # fmt: skip


def test_a_fold_written_a_piece_at_a_time_is_the_json_of_its_values_in_one_piece(
    folder: Path,
) -> None:
    """`home.json` is written as it is encoded, a mark at a time; its bytes are still those of
    its values encoded at once, so a kept fold is not rewritten for the way it was written."""
    folded_once(folder)
    written = (folder / HOME).read_bytes()

    data = json.loads(written)
    at_once = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"

    assert written == at_once.encode("utf-8")
    assert list(data) == ["format", "steps", "chain", "next", "current", "histories", "marks",
                          "parties", "table"]  # fmt: skip
    assert data["marks"] and data["histories"] and data["parties"] and data["table"]


def test_a_fold_taken_a_few_revisions_at_a_time_is_the_fold_taken_at_once(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, reuse, whole = folded_once(folder)
    folded = counting_folds(monkeypatch)
    folding = HomeFolding(page, None, reuse.text_id, "code")

    for revisions in (0, 3, 2, 25, 25, 29):  # a part's revisions, or fewer: nothing twice
        folding.through(revisions)
    fold = folding.done()

    every = [step.ref.commit for entry in page.entries for step in entry.steps]
    assert folded == every and len(every) > 30
    assert fold_bytes(fold) == fold_bytes(whole)


def test_a_page_commit_folds_its_new_text_only(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tracker(folder)
    run(folder)
    folded = counting_folds(monkeypatch)
    repo.save(PAGE, synthetic(40, ("R", "A"), "Rotate the keys", ("R", "A")))
    run(folder)

    _, page = the_page(folder)
    assert folded == [page.entries[-1].steps[-1].ref.commit]
    assert (folder / HOME).read_bytes() == clean_home(folder)
    home = (folder / "reports/long/en-gb/index.md").read_text("utf-8")
    assert "2020-02-13" in home  # the new revision, on the home


def test_a_run_that_renders_no_home_leaves_its_fold_alone(folder: Path) -> None:
    repo = tracker(folder)
    run(folder)
    kept = (folder / HOME).stat().st_mtime_ns
    repo.save("other.md", "not tracked\n")
    run(folder)

    assert (folder / HOME).stat().st_mtime_ns == kept


def test_a_history_rewritten_under_the_fold_is_folded_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tracker(folder)
    run(folder)
    _, before = the_page(folder)
    upstream = folder / "upstream"
    subprocess.run(["git", "reset", "-q", "--hard", "HEAD~5"], cwd=upstream, check=True)
    for day in range(26, 33):  # more texts than before, the last five of them others
        repo.save(PAGE, synthetic(day, ("C", "RA"), "Rotate the keys", ("R", "A")))
    folded = counting_folds(monkeypatch)
    run(folder)

    _, page = the_page(folder)
    assert steps_of(page) > steps_of(before)
    assert len(folded) == steps_of(page)
    assert (folder / HOME).read_bytes() == clean_home(folder)


@pytest.mark.parametrize(
    "kept",
    [
        b"",
        b"{not json",
        b'{"format": 99}',
        b'{"format": 1, "steps": 3, "chain": "x"}',
        b"[1, 2, 3]",
    ],
)
def test_a_damaged_fold_is_folded_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch, kept: bytes
) -> None:
    repo = tracker(folder)
    run(folder)
    (folder / HOME).write_bytes(kept)
    repo.save(PAGE, synthetic(40, ("R", "A"), "Rotate the keys", ("R", "A")))
    folded = counting_folds(monkeypatch)
    run(folder)

    _, page = the_page(folder)
    assert fold_from_bytes(kept) is None
    assert len(folded) == steps_of(page)
    assert (folder / HOME).read_bytes() == clean_home(folder)


def without_a_history(kept: dict[str, Any]) -> None:
    kept["histories"] = kept["histories"][1:]


def with_a_row_that_is_not_one(kept: dict[str, Any]) -> None:
    changed = next(e for h in kept["histories"] for e in h[1] if e["changes"])
    changed["changes"][0]["activity"] = -1  # Python would read the table's last value


@pytest.mark.parametrize("damage", [without_a_history, with_a_row_that_is_not_one])
def test_a_fold_that_does_not_hold_together_is_not_read(
    folder: Path, damage: Callable[[dict[str, Any]], None]
) -> None:
    tracker(folder)
    run(folder)
    kept = json.loads((folder / HOME).read_bytes())
    assert fold_from_bytes(json.dumps(kept).encode()) is not None
    damage(kept)

    assert fold_from_bytes(json.dumps(kept).encode()) is None


def test_a_fold_kept_by_other_code_from_other_texts_or_past_the_history_is_folded_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, reuse, whole = folded_once(folder)
    fresh = fold_bytes(whole)
    folded = counting_folds(monkeypatch)

    other_code = fold_home(page, fold_from_bytes(fresh), reuse.text_id, "other code")
    reparsed = fold_home(
        page, fold_from_bytes(fresh), lambda p, c: f"{reuse.text_id(p, c)}'", "code"
    )
    longer = fold_from_bytes(fresh)
    assert longer is not None
    longer.steps += 1
    past_the_end = fold_home(page, longer, reuse.text_id, "code")

    assert len({other_code.chain, reparsed.chain, whole.chain}) == 3
    for fold in (other_code, reparsed, past_the_end):
        assert fold.steps == whole.steps == len(fold.marks)
        assert fold.follower.histories() == whole.follower.histories()
    assert fold_bytes(past_the_end) == fresh
    assert len(folded) == 3 * steps_of(page)


def test_texts_without_a_known_object_keep_no_fold(folder: Path) -> None:
    tracker(folder)
    run(folder)
    (folder / HOME).unlink()
    _, page = the_page(folder)
    kept: list[bytes] = []
    homes = KeptHomes(lambda document, locale: None, lambda doc, locale, data: kept.append(data))

    reuse = Reuse("code", lambda page, commit: None, homes=homes)
    fold = kept_fold(page, reuse, home_folding(page, reuse))

    assert fold.chain is None and kept == []
    assert len(fold.marks) == steps_of(page)


def test_an_activity_history_resumed_lists_what_a_whole_fold_lists(folder: Path) -> None:
    """Resumed after every revision, the fold's histories are those of one fold over all."""
    page, reuse, whole = folded_once(folder)
    fold = None
    for end in range(1, len(page.entries) + 1):
        part = PageChangelog(page.document, page.locale, page.title, page.permalink,
                             page.entries[:end])  # fmt: skip
        fold = fold_from_bytes(fold_bytes(fold_home(part, fold, reuse.text_id, "code")))

    assert fold is not None and fold_bytes(fold) == fold_bytes(whole)
    patched = [h for h in fold.follower.histories().values() if h.earlier]
    assert patched and all(len(h.events) == HOME_EVENTS for h in patched)
