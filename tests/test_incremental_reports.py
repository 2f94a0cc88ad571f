"""The contract of incremental reports: runs that take in commits one or a few at a time, each
rendering only what changed, end with a reports folder byte-identical to a full
`raci-tracker report` of the same store and to one clean run over the whole history."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from jinja2 import Environment

from raci_tracker.app.changelogs import reuse_of
from raci_tracker.app.run import _load_pages
from raci_tracker.app.run import run as update_store
from raci_tracker.config import load_config
from raci_tracker.history.store import HOME
from raci_tracker.output import render, stamp
from raci_tracker.output.feed import FEED, Listed
from raci_tracker.output.render import make_environment
from raci_tracker.output.reuse import RenderedEntry, Reuse
from raci_tracker.output.site import Delivery, render_site, sha256_of
from raci_tracker.output.stamp import environment_digest, read_rendered
from raci_tracker.version import __version__, code_digest
from tests.gitrepo import GitRepo
from tests.helpers import run_cli
from tests.legacy_store import build_upstream, tracker_with_store, write_config
from tests.test_history_properties import Step, Upstream, steps

CONFIG = """\
[output]
snapshots = "snapshots"
reports = "reports"
cache = "cache"
{templates}
[[documents]]
id = "kube"
repo = "upstream"
path = "pages/a/guide.en-gb.md"
locales = ["en-gb"]
permalink = "https://example.org/{{commit}}/{{path}}"
"""
RUN_RECORDS = {"last-run.json", "last-run.md", "status.json", "alerted.json"}
"""What a run writes beside the reports: the record of the run itself."""


def page(day: int, letters: str) -> str:
    return (
        f"---\ntitle: RACI\nupdated: 2023-{1 + day // 28:02d}-{1 + day % 28:02d}\n---\n\n"
        "### 1. Service\n\n| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        f"| Back up the data | {letters} |\n| Install | I | RA |\n"
    )


def tracker(folder: Path, templates: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    line = 'templates = "templates"\n' if templates else ""
    (folder / "raci-tracker.toml").write_text(CONFIG.format(templates=line), encoding="utf-8")
    return folder / "raci-tracker.toml"


def run(config: Path) -> None:
    assert run_cli("run", "--config", str(config), "--no-progress") in (0, 1)


def reports(folder: Path) -> dict[str, bytes]:
    """The reports folder's files, the run's own records left out."""
    root = folder / "reports"
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in RUN_RECORDS
    }


def full_report(folder: Path) -> dict[str, bytes]:
    """A fresh `raci-tracker report` of the tracker's store, in a copy of it."""
    copy = folder.with_name(folder.name + "-report")
    shutil.copytree(folder / "snapshots", copy / "snapshots")
    shutil.copy(folder / "raci-tracker.toml", copy / "raci-tracker.toml")
    (copy / "reports").mkdir()
    for record in ("status.json", "last-run.json"):  # what the site says beyond the store
        if (folder / "reports" / record).exists():
            shutil.copy(folder / "reports" / record, copy / "reports" / record)
    if (folder / "templates").exists():
        shutil.copytree(folder / "templates", copy / "templates")
    assert run_cli("report", "--config", str(copy / "raci-tracker.toml")) == 0
    return reports(copy)


def clean_run(folder: Path) -> dict[str, bytes]:
    """One run over the whole history, in a tracker of its own."""
    clean = folder.with_name(folder.name + "-clean")
    shutil.copytree(folder / "upstream", clean / "upstream")
    if (folder / "templates").exists():
        shutil.copytree(folder / "templates", clean / "templates")
    run(tracker(clean, (folder / "templates").exists()))
    return reports(clean)


def folds(folder: Path) -> dict[str, bytes]:
    """What the store keeps of each page's history folded for its home (`home.json`)."""
    root = folder / "snapshots"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob(HOME))}


def assert_same_as_full_and_clean(folder: Path) -> None:
    incremental = reports(folder)
    assert incremental == full_report(folder)
    assert incremental == clean_run(folder)
    assert folds(folder) == folds(folder.with_name(folder.name + "-clean"))


def long_history(folder: Path, revisions: int, per_run: int) -> GitRepo:
    """`revisions` dated texts (letters moving back and forth), a run after every `per_run`."""
    repo = GitRepo(folder / "upstream")
    config = tracker(folder, (folder / "templates").exists())
    for day in range(revisions):
        repo.save("pages/a/guide.en-gb.md", page(day, ("I | RA", "RA | I", "C | RA")[day % 3]))
        if day % per_run == per_run - 1 or day == revisions - 1:
            run(config)
    return repo


def test_runs_a_commit_at_a_time_end_as_a_full_report_and_a_clean_run(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    long_history(folder, 28, 1)  # past the first archive page (25)

    assert "kube/en-gb/CHANGELOG-1-25.html" in reports(folder)
    assert_same_as_full_and_clean(folder)


def test_a_new_revision_renders_the_newest_page_and_home_not_the_archive(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 27, 9)
    config = load_config(folder / "raci-tracker.toml")
    repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))
    update_store(config)  # the store takes the commit in; the reports are not rendered yet
    pages, ids = _load_pages(config)

    site = render_site(config, pages, None, reuse_of(config, ids, read_rendered(config)))

    rendered = {name for name in site.outputs if name.startswith("kube/")}
    assert rendered == {
        f"kube/en-gb/{name}.{f}" for name in ("CHANGELOG", "index") for f in ("md", "html")
    }
    assert "kube/en-gb/CHANGELOG-1-25.html" in site.keys
    assert {"index.html", "index.md", "feed.xml"} <= set(site.outputs)


def test_a_revision_that_moves_no_letter_leaves_the_feed_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 27, 9)  # the last text has "C | RA"
    config = load_config(folder / "raci-tracker.toml")
    feed = (folder / "reports" / FEED).read_bytes()
    repo.save("pages/a/guide.en-gb.md", page(41, "C | RA"))  # a new date, the same letters
    update_store(config)
    pages, ids = _load_pages(config)

    site = render_site(config, pages, None, reuse_of(config, ids, read_rendered(config)))

    assert FEED not in site.outputs and site.keys[FEED] is not None
    assert {"index.html", "kube/en-gb/CHANGELOG.md"} <= set(site.outputs)
    run(folder / "raci-tracker.toml")
    assert (folder / "reports" / FEED).read_bytes() == feed
    assert_same_as_full_and_clean(folder)


def counted_entries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the feed entries rendered from now on."""
    made: list[str] = []
    real = render._rendered_entry

    def counted(item: Listed, env: Environment) -> RenderedEntry:
        made.append(item.id)
        return real(item, env)

    monkeypatch.setattr(render, "_rendered_entry", counted)
    return made


def test_a_feed_rendered_again_renders_only_the_entries_it_did_not_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 25, 5)  # each revision moves a letter: each is in the feed
    made = counted_entries(monkeypatch)
    repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))  # the 26th starts a changelog page
    run(folder / "raci-tracker.toml")

    assert made == ["tag:raci-tracker.invalid,2026:kube/en-gb/2023-02-13"]
    assert "kube/en-gb/CHANGELOG-1-25.html" in reports(folder)
    assert_same_as_full_and_clean(folder)


@pytest.mark.parametrize("kept", ["damaged", "of another format", "missing"])
def test_feed_entries_not_to_trust_are_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: str
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 3, 3)
    path = stamp.entries_path(load_config(folder / "raci-tracker.toml"))
    data = json.loads(path.read_bytes())
    assert len(data["entries"]) == 2
    if kept == "damaged":
        path.write_bytes(path.read_bytes()[:-20])
    elif kept == "of another format":
        path.write_text(json.dumps({**data, "format": 2}), encoding="utf-8")
    else:
        path.unlink()
    made = counted_entries(monkeypatch)
    repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))
    run(folder / "raci-tracker.toml")

    assert len(made) == 3  # the first text moved no letter: it has no entry
    assert_same_as_full_and_clean(folder)


def test_report_and_an_edited_config_render_every_feed_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 3, 3)
    config = folder / "raci-tracker.toml"
    made = counted_entries(monkeypatch)
    assert run_cli("report", "--config", str(config)) == 0
    assert len(made) == 2

    config.write_text(config.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))
    run(config)
    assert len(made) == 2 + 3


LOCALES = """
[[documents]]
id = "two"
repo = "upstream"
path = "pages/c/guide.{locale}.md"
locales = ["en-gb", "fr-fr"]
"""


def test_a_document_s_grids_are_rendered_again_only_when_its_latest_texts_change(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 3, 3)
    config_path = folder / "raci-tracker.toml"
    config_path.write_text(config_path.read_text("utf-8") + LOCALES, encoding="utf-8")
    for locale, letters in (("en-gb", "I | RA"), ("fr-fr", "RA | I")):
        repo.save(f"pages/c/guide.{locale}.md", page(1, letters))
    run(config_path)
    config = load_config(config_path)
    grids = {"two/consistency.md", "two/consistency.html"}
    grid = folder / "reports/two/consistency.md"
    shown = [grid.read_bytes()]
    for path, letters, rendered in (
        ("a/guide.en-gb", "RA | C", False),  # another document's page
        ("c/guide.fr-fr", "C | RA", True),  # one of its locales
    ):
        repo.save(f"pages/{path}.md", page(40, letters))
        update_store(config)
        pages, ids = _load_pages(config)
        site = render_site(config, pages, None, reuse_of(config, ids, read_rendered(config)))
        assert (grids <= set(site.outputs)) is rendered and grids <= set(site.keys)
        run(config_path)
        shown.append(grid.read_bytes())
    assert shown[0] == shown[1] != shown[2]
    assert reports(folder) == full_report(folder)


def test_an_edited_template_renders_every_page_again(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    (folder / "templates").mkdir(parents=True)
    repo = long_history(folder, 27, 27)
    (folder / "templates/CHANGELOG.md.j2").write_text(
        '{% extends "builtin/CHANGELOG.md.j2" %}{% block title %}# Edited\n{% endblock %}',
        encoding="utf-8",
    )
    repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))
    run(folder / "raci-tracker.toml")

    archive = (folder / "reports/kube/en-gb/CHANGELOG-1-25.md").read_text("utf-8")
    assert archive.startswith("# Edited\n")
    assert_same_as_full_and_clean(folder)


def test_with_templates_of_its_own_every_page_is_rendered(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    (folder / "templates").mkdir(parents=True)
    (folder / "templates/CHANGELOG.md.j2").write_text(
        '{% extends "builtin/CHANGELOG.md.j2" %}'
        "{% block title %}# Latest: {{ latest.revision.date }}\n{% endblock %}",
        encoding="utf-8",
    )
    repo = long_history(folder, 27, 27)
    repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))
    run(folder / "raci-tracker.toml")

    archive = (folder / "reports/kube/en-gb/CHANGELOG-1-25.md").read_text("utf-8")
    assert archive.startswith("# Latest: 2023-02-13\n")
    assert_same_as_full_and_clean(folder)


@pytest.mark.parametrize("name", ["kube/en-gb/CHANGELOG-1-25.html", FEED])
@pytest.mark.parametrize("damage", ["delete", "edit"])
def test_a_deleted_or_edited_report_file_is_rendered_again(
    tmp_path: Path, damage: str, name: str
) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 27, 27)
    archive = folder / "reports" / name
    if damage == "delete":
        archive.unlink()  # and nothing new upstream: a run still sees the file is missing
    else:
        archive.write_text("edited by hand", encoding="utf-8")
        repo.save("pages/a/guide.en-gb.md", page(40, "RA | C"))

    run(folder / "raci-tracker.toml")

    assert_same_as_full_and_clean(folder)


def test_a_store_written_by_earlier_code_renders_as_a_clean_run(tmp_path: Path) -> None:
    old = tracker_with_store(tmp_path / "old", "store-v2")
    run(old / "raci-tracker.toml")
    clean = tmp_path / "clean"
    build_upstream(clean / "upstream")
    run(write_config(clean))

    assert reports(old) == reports(clean)
    assert reports(old) == full_report(old)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_any_history_taken_in_step_by_step_renders_as_a_clean_run(history: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "tracker"
        upstream = Upstream(folder / "upstream")
        config = tracker(folder)
        run(config)
        for step in history:
            upstream.apply(step)
            run(config)

        assert_same_as_full_and_clean(folder)


def test_a_text_without_a_known_object_renders_its_pages_every_time(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    long_history(folder, 3, 3)
    config = load_config(folder / "raci-tracker.toml")
    pages, _ = _load_pages(config)
    unknown = Reuse(environment_digest(config), lambda page, text: None, lambda name, key: True)

    site = render_site(config, pages, None, unknown)

    assert set(site.keys) == {n for n in site.outputs if n.startswith("kube/") or n == FEED}
    assert set(site.keys.values()) == {None}


def test_with_a_sink_each_changelog_page_and_home_go_there_as_soon_as_they_are_rendered(
    tmp_path: Path,
) -> None:
    """A long history's files are not all held at once: each changelog page (both formats) goes
    to the sink once rendered, the oldest first (as the home folds them), then the home, in
    pieces as it is rendered."""
    folder = tmp_path / "tracker"
    long_history(folder, 27, 27)
    config = load_config(folder / "raci-tracker.toml")
    whole = render_site(config, _load_pages(config)[0])
    batches: list[dict[str, str]] = []
    in_pieces: set[str] = set()

    def sink(files: Mapping[str, str | Iterable[str]]) -> None:
        in_pieces.update(name for name, text in files.items() if not isinstance(text, str))
        batches.append({name: "".join(text) for name, text in files.items()})

    site = render_site(config, _load_pages(config)[0], delivery=Delivery(sink=sink))

    assert [sorted(batch) for batch in batches] == [
        [f"kube/en-gb/{name}.html", f"kube/en-gb/{name}.md"]
        for name in ("CHANGELOG-1-25", "CHANGELOG", "index")
    ]
    assert sorted(n for batch in batches for n in batch) == sorted(
        n for n in whole.outputs if "/" in n
    )
    assert set(site.outputs) == {n for n in whole.outputs if "/" not in n}  # index, feed
    assert all(site.rendered(n) == sha256_of(text) for n, text in whole.outputs.items())
    assert all(batch[n] == whole.outputs[n] for batch in batches for n in batch)
    assert in_pieces == {"kube/en-gb/index.html", "kube/en-gb/index.md"}


def test_templates_compile_without_a_cache_folder_to_keep_them(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file, not a folder", encoding="utf-8")
    env = make_environment(None, tmp_path / "cache" / "templates")

    assert env.bytecode_cache is None
    index = env.get_template("index.md.j2").render(
        groups=[], pages=[], checked=None, open_findings=str
    )
    assert index.startswith("# RACI responsibility tracker\n")


def test_a_history_rewritten_shorter_leaves_no_stale_archive_page(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    repo = long_history(folder, 28, 28)
    assert "kube/en-gb/CHANGELOG-1-25.md" in reports(folder)
    repo.git("reset", "-q", "--hard", "HEAD~10")  # a force-push: 18 revisions left

    run(folder / "raci-tracker.toml")

    names = set(reports(folder))
    assert not any(name.startswith("kube/en-gb/CHANGELOG-") for name in names)
    assert_same_as_full_and_clean(folder)


def test_changelog_pages_named_as_earlier_versions_named_them_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "tracker"
    long_history(folder, 3, 3)
    old = folder / "reports/kube/en-gb"
    for name in ("CHANGELOG-2.md", "CHANGELOG-2.html"):  # the older page, cut from the newest
        (old / name).write_text("Page 2 of 2. [Newer revisions](CHANGELOG.md)\n", "utf-8")
    (old / "notes.md").write_text("a file of the user's own\n", "utf-8")

    assert run_cli("report", "--config", str(folder / "raci-tracker.toml")) == 0

    assert not (old / "CHANGELOG-2.md").exists() and not (old / "CHANGELOG-2.html").exists()
    assert (old / "notes.md").read_text("utf-8") == "a file of the user's own\n"


def test_other_code_with_the_same_version_renders_the_reports_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout of another commit keeps the version number: the reports are not current."""
    folder = tmp_path / "tracker"
    long_history(folder, 2, 2)
    config = load_config(folder / "raci-tracker.toml")
    current = environment_digest(config)

    monkeypatch.setattr(stamp, "code_digest", lambda: f"{__version__}+0123456789abcdef")

    assert environment_digest(config) != current
    assert code_digest().startswith(f"{__version__}+") and len(code_digest()) > len(__version__) + 8
