"""Parts of a page's files kept between runs (ADR 22): each revision's section of the newest
changelog page, each activity's history on the home and each line of it. A run renders only
the parts whose inputs changed, and its reports are byte for byte those of a full
`raci-tracker report` and of one clean run."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from raci_tracker.app.changelogs import reuse_of
from raci_tracker.app.run import _load_pages
from raci_tracker.compare.changelog import PageChangelog
from raci_tracker.config import Config, load_config
from raci_tracker.output import stamp
from raci_tracker.output.pages import Home, home
from raci_tracker.output.reuse import ENTRIES, EVENTS, HISTORIES, PageKeys, Parts, Reuse, Taken
from raci_tracker.output.site import render_site
from raci_tracker.output.stamp import read_rendered
from raci_tracker.version import __version__
from tests.helpers import run_cli
from tests.test_incremental_reports import (
    assert_same_as_full_and_clean,
    long_history,
    page,
    run,
)

PAGE = "pages/a/guide.en-gb.md"


def counted_parts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many parts of each kind are rendered from now on, both formats together."""
    made: Counter[str] = Counter()
    real = Taken.take

    def counted(self: Taken, key: str | None, render: Callable[[], str], keep: bool = True) -> str:
        def rendered() -> str:
            made[self.kind] += 1
            return render()

        return real(self, key, rendered, keep)

    monkeypatch.setattr(Taken, "take", counted)
    return made


def stored(folder: Path, revisions: int) -> tuple[Config, list[PageChangelog], Reuse]:
    """A tracker that took in `revisions` in one run: its config, its pages as a run loads them,
    and what the next render may reuse."""
    long_history(folder, revisions, revisions)
    config = load_config(folder / "raci-tracker.toml")
    pages, ids = _load_pages(config)
    return config, pages, reuse_of(config, ids, read_rendered(config))


def kept_parts(folder: Path) -> dict[str, dict[str, str]]:
    config = load_config(folder / "raci-tracker.toml")
    parts: dict[str, dict[str, str]] = json.loads(
        stamp.parts_path(config, "kube", "en-gb").read_bytes()
    )["parts"]
    return parts


def test_the_parts_written_a_part_at_a_time_are_the_json_of_their_values_in_one_piece(
    tmp_path: Path,
) -> None:
    """The parts and the feed's entries are written as they are encoded, a part at a time;
    their bytes are still those `json.dumps` gives of the same values at once."""
    config, _, _ = stored(tmp_path, 3)
    paths = [stamp.parts_path(config, "kube", "en-gb"), stamp.entries_path(config)]

    for path in paths:
        written = path.read_bytes()
        data = json.loads(written)
        assert written == json.dumps(data).encode("ascii")
        assert data["format"] and any(data.values())
    assert {kind for kind, parts in kept_parts(tmp_path).items() if parts} >= {ENTRIES, EVENTS}


def test_a_new_revision_renders_only_the_parts_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 6, 6)
    made = counted_parts(monkeypatch)
    repo.save(PAGE, page(40, "RA | C"))  # "Back up the data" moves; "Install" does not
    run(folder / "raci-tracker.toml")

    # per format: the new revision's section, the history it adds to and its new line
    assert made == {ENTRIES: 2, HISTORIES: 2, EVENTS: 2}
    assert_same_as_full_and_clean(folder)


def test_a_run_after_one_with_nothing_new_in_the_parts_renders_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, pages, reuse = stored(tmp_path / "tracker", 6)
    made = counted_parts(monkeypatch)

    site = render_site(config, pages, None, dataclasses.replace(reuse, current=lambda n, k: False))

    assert made == {}
    assert site.outputs == render_site(config, _load_pages(config)[0]).outputs


def test_a_started_changelog_page_takes_its_revisions_from_the_last_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 25, 5)
    made = counted_parts(monkeypatch)
    repo.save(PAGE, page(40, "RA | C"))  # the 26th: the 25 before move to CHANGELOG-1-25
    run(folder / "raci-tracker.toml")

    # the new revision's section alone (the archive page takes the 25 others); every line
    # links its revision, now on the archive page: "Back up the data" shows its newest 10 (the
    # new one and 9 that moved), "Install" its first record, which moved
    assert made == {ENTRIES: 2, HISTORIES: 2 * 2, EVENTS: (10 + 1) * 2}
    assert_same_as_full_and_clean(folder)


def test_only_the_newest_changelog_page_s_revisions_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    long_history(folder, 27, 27)  # CHANGELOG-1-25, and the newest page: revisions 26 and 27

    parts = kept_parts(folder)

    assert len(parts[ENTRIES]) == 2 * 2
    assert len(parts[HISTORIES]) == 2 * 2  # two activities, two formats
    assert len(parts[EVENTS]) == (10 + 1) * 2  # "Back up the data"'s newest 10, "Install"'s 1


def test_a_home_rendered_alone_keeps_the_changelog_s_parts_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    config, pages, reuse = stored(folder, 6)
    before = kept_parts(folder)
    homes_only = dataclasses.replace(reuse, current=lambda name, key: "/index." not in name)
    made = counted_parts(monkeypatch)

    site = render_site(config, pages, None, homes_only)

    assert sorted(n for n in site.outputs if n.startswith("kube/")) == [
        "kube/en-gb/index.html",
        "kube/en-gb/index.md",
    ]
    assert made == {}
    assert kept_parts(folder) == before


@pytest.mark.parametrize("kept", ["damaged", "of another format", "missing", "of other code"])
def test_parts_not_to_trust_are_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: str
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 3, 3)
    config = folder / "raci-tracker.toml"
    path = stamp.parts_path(load_config(config), "kube", "en-gb")
    data = json.loads(path.read_bytes())
    if kept == "damaged":
        path.write_bytes(path.read_bytes()[:-20])
    elif kept == "of another format":
        path.write_text(json.dumps({**data, "format": 2}), encoding="utf-8")
    elif kept == "missing":
        path.unlink()
    else:  # the clean run compared with below runs this code too
        monkeypatch.setattr(stamp, "code_digest", lambda: f"{__version__}+0123456789abcdef")
    made = counted_parts(monkeypatch)
    repo.save(PAGE, page(40, "RA | C"))
    run(config)

    # per format: the 4 revisions; 2 activities; "Back up the data"'s 4 lines, "Install"'s 1
    assert made == {ENTRIES: 4 * 2, HISTORIES: 2 * 2, EVENTS: 5 * 2}
    assert_same_as_full_and_clean(folder)


@pytest.mark.parametrize("templates", [False, True])
def test_a_kept_part_is_what_the_reports_show(tmp_path: Path, templates: bool) -> None:
    """The parts are taken as kept: a run shows a kept part, not one it renders again (here,
    one edited by hand to prove it), and never reads parts with templates of one's own."""
    folder = tmp_path / "tracker"
    if templates:
        (folder / "templates").mkdir(parents=True)
        (folder / "templates/CHANGELOG.md.j2").write_text(
            '{% extends "builtin/CHANGELOG.md.j2" %}', encoding="utf-8"
        )
    repo = long_history(folder, 3, 3)
    config = folder / "raci-tracker.toml"
    path = stamp.parts_path(load_config(config), "kube", "en-gb")
    data = json.loads(path.read_bytes())
    data["parts"][ENTRIES] = {
        k: v.replace("Dated from", "KEPT") for k, v in data["parts"][ENTRIES].items()
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    repo.save(PAGE, page(40, "RA | C"))
    run(config)

    changelog = (folder / "reports/kube/en-gb/CHANGELOG.md").read_text("utf-8")
    assert changelog.count("KEPT") == (0 if templates else 3)  # the three revisions before


def test_report_renders_every_part_and_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    long_history(folder, 3, 3)
    stamp.parts_path(load_config(folder / "raci-tracker.toml"), "kube", "en-gb").unlink()
    made = counted_parts(monkeypatch)

    assert run_cli("report", "--config", str(folder / "raci-tracker.toml")) == 0

    assert made == {ENTRIES: 3 * 2, HISTORIES: 2 * 2, EVENTS: 4 * 2}
    assert len(kept_parts(folder)[ENTRIES]) == 3 * 2


def test_a_renamed_party_renders_every_line_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The home names each party by its newest name: a renamed column renames it in every
    line, old ones included."""
    folder = tmp_path / "tracker"
    repo = long_history(folder, 4, 4)
    made = counted_parts(monkeypatch)
    renamed = page(40, "RA | C").replace("| OVHcloud |", "| OVH Groupe |")
    repo.save(PAGE, renamed)
    run(folder / "raci-tracker.toml")

    home = (folder / "reports/kube/en-gb/index.md").read_text("utf-8")
    assert "OVH Groupe" in home and "OVHcloud" not in home.split("## Each activity")[1]
    assert made[EVENTS] == (5 + 1) * 2  # every line, the new one included
    assert_same_as_full_and_clean(folder)


def test_a_history_is_taken_only_with_what_it_says_of_earlier_events(tmp_path: Path) -> None:
    _, pages, reuse = stored(tmp_path / "tracker", 14)  # "Back up the data": 14 events, 10 shown
    keys = PageKeys(pages[0], reuse)
    view = home(pages[0], ["en-gb"], False, None)
    activity, earlier = next(iter(view.earlier.items()))
    fewer = dataclasses.replace(view, earlier={activity: dataclasses.replace(earlier, count=3)})

    def history(shown: Home) -> str:
        return Parts(pages[0], keys).home(shown, "md").history(activity, lambda: "rendered")

    assert earlier.count == 4
    assert history(view).startswith("- [2023-01-14]")  # as kept
    assert history(fewer) == "rendered"
