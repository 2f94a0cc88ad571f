"""What the changelog, the feed, the page home and the run's alerts say about a page's history, on
real git histories: each text is named by the commit that first published it, parties by the
name the page gave them then, removed activities counted, restored texts placed when published."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from raci_tracker.cli import main
from tests.gitrepo import GitRepo
from tests.helpers import corpus_page
from tests.test_versions import configure

PATH = "a/guide.en-gb.md"
MOVED = "b/guide.en-gb.md"
DAY = 86400


def page(backups: str = "I | RA", provider: str = "OVHcloud", extra: str = "") -> str:
    return (
        f"---\ntitle: RACI\nupdated: 2023-01-01\n---\n\n### 1. Service\n\n"
        f"| Activity | Customer | {provider} |\n| --- | --- | --- |\n"
        f"| Back up the data | {backups} |\n| Install the cluster | I | RA |\n{extra}"
    )


def run(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(["run", "--config", str(config), "--no-progress", "--exit-code"])
    out, _ = capsys.readouterr()
    return int(done.value.code or 0), out


def report(folder: Path, name: str) -> str:
    return (folder / "reports" / name).read_text(encoding="utf-8")


# --- a silent edit, then a pure move ------------------------------------------------------------


def test_a_silent_edit_is_credited_to_its_commit_and_a_later_move_alerts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save(PATH, page())
    edit = repo.save(PATH, page(backups="RA | I"), "Silent role edit")
    config = configure(tmp_path, PATH)
    first_code, _ = run(config, capsys)
    feed_before = report(tmp_path, "feed.xml")
    alerted_before = json.loads(report(tmp_path, "alerted.json"))
    move = repo.move(PATH, MOVED)

    code, out = run(config, capsys)

    changelog = report(tmp_path, "kube/en-gb/CHANGELOG.md")
    assert first_code == 1 and code == 0
    assert "0 new revision(s)" in out.splitlines()[-1]
    assert f"**Silent edit** in commit `{edit[:12]}`" in changelog
    assert f"**Silent edit** in commit `{move[:12]}`" not in changelog
    assert "This run took in 0 new texts" in report(tmp_path, "last-run.md")
    assert json.loads(report(tmp_path, "alerted.json")) == alerted_before
    assert alerted_before["alerted"] == [repo.alert_key("kube/en-gb", edit, PATH)]
    edited_at = "2023-06-29T02:53:20Z"  # the edit commit, an hour after the first
    assert re.findall(r"<updated>([^<]+)</updated>", report(tmp_path, "feed.xml"))[1] == edited_at
    assert report(tmp_path, "feed.xml") == feed_before
    home = report(tmp_path, "kube/en-gb/index.html")
    assert f"(commit {edit[:12]}, committed" in home and f"(commit {move[:12]}" not in home


# --- A and R lost with a removed activity --------------------------------------------------------


def test_the_headline_counts_a_and_r_lost_with_a_removed_activity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save(PATH, page(extra="| Watch the network | I | RA |\n"))
    repo.save(PATH, page().replace("2023-01-01", "2023-02-01"), "Drop the network activity")
    config = configure(tmp_path, PATH)

    code, _ = run(config, capsys)

    headline = "OVHcloud gave up A and R on 1 activity; 1 activity removed"
    assert code == 1
    assert f"**{headline}.**" in report(tmp_path, "kube/en-gb/CHANGELOG.md")
    assert f"**{headline}.**" in report(tmp_path, "last-run.md")
    assert f"2023-02-01: {headline}</title>" in report(tmp_path, "feed.xml")


# --- a party column renamed ----------------------------------------------------------------------


def test_older_entries_name_parties_as_the_page_did_then(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save(PATH, page())
    repo.save(PATH, page(backups="RA | I"), "Silent role edit")
    renamed = page(backups="RA | I", provider="OVH").replace("2023-01-01", "2023-09-01")
    repo.save(PATH, renamed, "Rename the provider's column")
    config = configure(tmp_path, PATH)

    run(config, capsys)

    changelog = report(tmp_path, "kube/en-gb/CHANGELOG.md")
    older = changelog.split("## 2023-01-01")[1]
    assert "OVHcloud is accountable for 2 activities." in older
    assert "OVHcloud gave up A and R on 1 activity; the customer gained" in older
    assert "| Back up the data | OVHcloud | RA | I |" in older
    assert "OVH " not in older.replace("OVHcloud", "")
    assert "OVHcloud gave up A and R" in report(tmp_path, "feed.xml")
    assert "OVHcloud gave up A and R" in report(tmp_path, "last-run.md")


# --- a page deleted, then restored under its old date -------------------------------------------


def restored_history(root: Path) -> GitRepo:
    """Dated 2023-01-01 (committed 2023-06-29), then 2023-03-16 (2023-06-30), deleted on
    2023-07-09, restored on 2023-07-19 with its 2023-03-16 date and other roles."""
    repo = GitRepo(root)
    day = repo.clock
    repo.save(PATH, page())
    repo.write(PATH, page(backups="RA | I").replace("2023-01-01", "2023-03-16"))
    repo.commit("A new revision", at=day + DAY)
    repo.git("rm", "-q", PATH)
    repo.commit("Delete the guide", at=day + 10 * DAY)
    repo.write(PATH, page().replace("2023-01-01", "2023-03-16"))
    repo.commit("Restore the guide", at=day + 20 * DAY)
    return repo


def test_a_restore_under_an_old_date_is_told_apart_and_placed_when_it_came_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    restored_history(tmp_path / "upstream")
    config = configure(tmp_path, PATH)

    run(config, capsys)

    changelog = report(tmp_path, "kube/en-gb/CHANGELOG.md")
    assert "## 2023-03-16 (restored on 2023-07-19)\n" in changelog
    assert changelog.count("## 2023-03-16\n") == 1
    assert "## 2023-07-09 (page deleted)\n\nDated from the commit that deleted the page." in (
        changelog
    )
    home = report(tmp_path, "kube/en-gb/index.html")
    assert "last major change 2023-07-19;" in home
    assert "2023-03-16: revision, major (commit" in home and "committed 2023-07-19)" in home
    svg = home[home.index("<svg") : home.index("</svg>")]
    labels = re.findall(r">(\d{4}-\d\d-\d\d)</text>", svg)
    assert labels == ["2023-06-29", "2023-07-19"]  # the axis ends at the latest text


# --- the legend and the page's date, as the page gave them ----------------------------------------


def test_a_deleted_legend_and_a_body_date_are_named_as_the_page_had_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save(PATH, corpus_page("object-storage/fr-fr/2023-03-16__534213c.md"))
    repo.remove(PATH)
    body = "**Last updated {} 1st, 2023**\n\n" + page().split("---\n\n", 1)[1]
    repo.save("c/guide.en-gb.md", body.format("January"))
    repo.save("c/guide.en-gb.md", body.format("February"))
    config = configure(tmp_path, PATH)
    run(config, capsys)
    deleted = report(tmp_path, "kube/en-gb/CHANGELOG.md")
    configure(tmp_path, "c/guide.en-gb.md")
    run(config, capsys)

    legend = [line for line in deleted.splitlines() if line.startswith("- legend ")]
    dated = report(tmp_path, "kube/en-gb/CHANGELOG.md")

    assert legend and all(line.endswith(" → (none)") for line in legend)
    assert '- the page\'s date in its "last updated" line: 2023-01-01 → 2023-02-01' in dated


def test_a_new_date_field_is_named_in_the_changelog_as_its_stored_diffs_keep_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The page's date moves from `updated:` to `ms.date:` (then a silent edit): both fields are
    named, on the first run and on a full `report` from the stored diffs, whose outlines keep
    where each text took its date from (the texts themselves are not read again)."""
    repo = GitRepo(tmp_path / "upstream")
    repo.save(PATH, page())
    repo.save(PATH, page("RA | I").replace("updated: 2023-01-01", "ms.date: 02/01/2023"))
    repo.save(PATH, page("RA | C").replace("updated: 2023-01-01", "ms.date: 02/01/2023"))
    config = configure(tmp_path, PATH)
    run(config, capsys)
    first = report(tmp_path, "kube/en-gb/CHANGELOG.md")
    with pytest.raises(SystemExit):
        main(["report", "--config", str(config)])

    assert report(tmp_path, "kube/en-gb/CHANGELOG.md") == first
    newest = first.split("\n## ")[1]
    assert "Dated from the page's `ms.date` field." in newest
    assert (
        "the page's date: 2023-01-01 (in its `updated` field) → 2023-02-01 (in its `ms.date` field)"
    ) in newest
    assert "Dated from the page's `updated` field." in first.split("\n## ")[2]
