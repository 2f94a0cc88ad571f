"""Failures stay with their page; bad paths, devices, locales and templates are clear input
errors; page text reaches no terminal as control characters and no feed as invalid XML."""

from __future__ import annotations

import io
import json
import os
import re
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path
from xml.etree import ElementTree

import pytest

from raci_tracker.errors import InputError
from raci_tracker.files import _read_at_most, read_input
from tests.gitrepo import GitRepo
from tests.helpers import GOLDEN
from tests.test_robustness import assert_input_error, cli, sample

HEADER = "| Activité | Client | OVHcloud |\n| --- | --- | --- |\n"
# What a terminal must never receive from page text: C0 controls but newline and tab, DEL, C1.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = "Sauve\x1b]52;c;cm0gLXJmIH4=\x07garder\x1b[2J les\x08 données\ufffe \x9b31m"


def page(activity: str, letters: str = "RA") -> str:
    return f"---\nupdated: 2023-01-01\n---\n### 1. A\n\n{HEADER}| {activity} | {letters} | I |\n"


def write_config(folder: Path, documents: str, output: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "raci-tracker.toml").write_text(output + documents, encoding="utf-8")
    return folder


def document(name: str, repo: str, path: str = "guide.{locale}.md", locale: str = "fr-fr") -> str:
    return (
        f'[[documents]]\nid = "{name}"\nrepo = "{repo}"\npath = "{path}"\nlocales = ["{locale}"]\n'
    )


# --- failures stay per page -----------------------------------------------------------------------


def test_a_non_utf8_file_name_in_a_history_is_read_like_any_other(tmp_path: Path) -> None:
    """A page whose history starts under a file name that is not UTF-8: the name is kept with
    the byte escaped (`\\xff`), and the page is tracked like the other document."""
    odd = GitRepo(tmp_path / "odd2")
    (odd.root / os.fsdecode(b"g\xff.md")).write_text(page("Sauvegarder"), encoding="utf-8")
    odd.commit("add")
    odd.git("mv", os.fsdecode(b"g\xff.md"), "guide.fr-fr.md")
    odd.commit("rename")
    good = GitRepo(tmp_path / "good")
    good.save("guide.fr-fr.md", page("Sauvegarder"))
    folder = write_config(
        tmp_path / "work", document("odd", str(odd.root)) + document("good", str(good.root))
    )

    done = cli("run", "--no-progress", cwd=folder)

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    index = (folder / "snapshots/odd/fr-fr/index.json").read_text("utf-8")
    assert '"from": "g\\\\xff.md"' in index
    for name in ("odd", "good"):
        assert (folder / f"reports/{name}/fr-fr/CHANGELOG.md").exists()


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (400 * 2**20, 400 * 2**20))


def run_with_limited_memory(folder: Path) -> subprocess.CompletedProcess[str]:
    """`raci-tracker run` in its own process, its memory limited by `limit_memory`."""
    return subprocess.run(
        [sys.executable, "-m", "raci_tracker", "run", "--no-progress"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limit_memory,
    )


def test_running_out_of_memory_on_one_page_fails_that_page_only(tmp_path: Path) -> None:
    """A 4.6 MiB list item of 1,200,000 emphasised words is millions of markdown-it tokens (its
    text is read, as a legend could be; a page of tables is bounded before that); under a 400 MiB
    limit it fails alone."""
    wide = GitRepo(tmp_path / "wide")
    text = "---\nupdated: 2023-01-01\n---\n### 1. A\n\n- "
    wide.save("guide.fr-fr.md", text + "*a* " * 1_200_000 + "\n")
    good = GitRepo(tmp_path / "good")
    good.save("guide.fr-fr.md", page("Sauvegarder"))
    folder = write_config(
        tmp_path / "work", document("wide", str(wide.root)) + document("good", str(good.root))
    )

    done = run_with_limited_memory(folder)

    assert done.returncode == 2
    assert done.stderr.strip() == "wide fr-fr: failed: out of memory"
    assert "good fr-fr: 1 revision(s) taken in" in done.stdout
    assert (folder / "reports/good/fr-fr/CHANGELOG.md").exists()


def test_a_huge_paragraph_is_not_parsed_word_by_word(tmp_path: Path) -> None:
    """The same 4.6 MiB of emphasised words as a paragraph: no table, heading or list item reads
    its inline text, so it is never split into millions of tokens; under 400 MiB the page parses."""
    wide = GitRepo(tmp_path / "wide")
    wide.save("guide.fr-fr.md", page("Sauvegarder") + "\n" + "*a* " * 1_200_000 + "\n")
    folder = write_config(tmp_path / "work", document("wide", str(wide.root)))

    done = run_with_limited_memory(folder)

    assert done.returncode == 0, done.stderr
    assert "wide fr-fr: 1 revision(s) taken in" in done.stdout


@pytest.mark.parametrize("bad", ["../x.md", "/etc/passwd", ":(exclude)guide.md", "a/../../b.md"])
def test_paths_git_would_reject_or_misread_are_config_errors(tmp_path: Path, bad: str) -> None:
    folder = write_config(tmp_path / "work", document("doc", "upstream", path=bad))

    done = cli("run", "--no-progress", cwd=folder)

    assert_input_error(done, "documents[0].path: page path")
    assert bad in done.stderr
    assert not (folder / "snapshots").exists()


def test_history_refuses_a_path_outside_the_repository(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("Sauvegarder"))

    done = cli("history", "--repo", str(repo.root), "--path", "../../etc/passwd")

    assert_input_error(done, "page path '../../etc/passwd' must be a relative path")


def test_a_300_character_locale_is_a_config_error(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "work", document("doc", "upstream", locale="fr-" + "x" * 297))

    done = cli("run", "--no-progress", cwd=folder)

    assert_input_error(done, "documents[0].locales[0]: is 300 characters long; at most 64")


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_devices_and_fifos_are_refused_at_once(tmp_path: Path, kind: str) -> None:
    special = Path("/dev/zero") if kind == "dev-zero" else tmp_path / "pipe.md"
    if kind == "fifo":
        os.mkfifo(special)
    config = tmp_path / "work.toml"
    if kind == "fifo":
        config = tmp_path / "config.toml"
        os.mkfifo(config)
    else:
        config.symlink_to("/dev/zero")

    as_page = cli("snapshot", str(special))
    as_config = cli("run", "--no-progress", "--config", str(config))

    assert_input_error(as_page, "is not a regular file")
    assert_input_error(as_config, "is not a regular file")


def test_an_unwritable_step_summary_is_a_warning(tmp_path: Path) -> None:
    folder = sample(tmp_path / "sample")
    environment = {**os.environ, "GITHUB_STEP_SUMMARY": str(tmp_path / "no/such/folder/summary")}

    done = cli_env(folder, environment, "run", "--no-progress")

    assert done.returncode == 0, done.stderr
    assert "raci-tracker: warning: GITHUB_STEP_SUMMARY: cannot write" in done.stderr
    assert "No such file or directory" in done.stderr
    assert (folder / "reports/sample/last-run.md").exists()


def cli_env(
    folder: Path, environment: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "raci_tracker", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_template_syntax_error_names_the_template_and_line(tmp_path: Path) -> None:
    folder = sample(tmp_path / "sample")
    templates = folder / "templates"
    templates.mkdir()
    (templates / "index.md.j2").write_text("# Index\n\n{% for page in pages %}\n", "utf-8")
    config = folder / "raci-tracker.toml"
    text = config.read_text("utf-8").replace("[output]\n", '[output]\ntemplates = "templates"\n')
    config.write_text(text, encoding="utf-8")

    done = cli("report", cwd=folder)

    assert_input_error(done, f"{templates / 'index.md.j2'}:3: template syntax error: ")


# --- terminals and feeds ----------------------------------------------------------------------


def assert_no_controls(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr
    assert not CONTROLS.search(done.stdout), done.stdout
    assert not CONTROLS.search(done.stderr), done.stderr


def test_lint_and_diff_print_no_control_characters(tmp_path: Path) -> None:
    folder = tmp_path / "pages\x1b]0;title\x07"
    folder.mkdir()
    old, new = folder / "old.fr-fr.md", folder / "new\x1b[2J.fr-fr.md"
    old.write_text(page(HOSTILE), encoding="utf-8")
    hostile_party = HEADER.replace(
        "| OVHcloud |\n| --- | --- |", "| OVHcloud | X\x1b[31m\x9b |\n| --- | --- | --- |"
    )
    new.write_text(
        page(HOSTILE, "R").replace(HEADER, hostile_party).replace("| I |", "| I | C |"), "utf-8"
    )

    results = [
        cli("lint", str(old), str(new)),
        cli("lint", "--format", "json", str(old), str(new)),
        *(cli("diff", "--format", fmt, str(old), str(new)) for fmt in ("text", "md", "json")),
        cli("lint", str(folder / "missing\x1b[31m.md")),
    ]

    for done in results:
        assert_no_controls(done)
    assert "\\u001b" in results[0].stdout  # the file name, shown with its escape visible
    json.loads(results[1].stdout)
    json.loads(results[4].stdout)


def test_history_and_run_print_no_control_characters(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("old\x1b]52;c;eA==\x07.fr-fr.md", page(HOSTILE))
    repo.move("old\x1b]52;c;eA==\x07.fr-fr.md", "guide.fr-fr.md")
    folder = write_config(
        tmp_path / "work",
        # TOML has no raw ESC: the config spells it \u001b, and reads it as ESC
        document("doc", f"{tmp_path}/gone\\u001b[2J") + document("ok", str(repo.root)),
    )

    history = cli("history", "--repo", str(repo.root), "--path", "guide.fr-fr.md")
    run = cli("run", "--no-progress", cwd=folder)

    assert_no_controls(history)
    assert "renamed at" in history.stdout
    assert_no_controls(run)
    assert "gone\\u001b[2J" in run.stderr


def test_control_characters_leave_activity_text_with_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "guide.fr-fr.md"
    path.write_text(page(HOSTILE).replace("OVHcloud |", "OVHcloud\x1b[31m\x9b |"), "utf-8")

    done = cli("snapshot", str(path))
    data = json.loads(done.stdout)

    assert_no_controls(done)
    assert data["parties"][1]["label"] == "OVHcloud\x1b[31m\x9b"  # kept, escaped when printed

    (activity,) = data["activities"]
    assert activity["text"] == "Sauve]52;c;cm0gLXJmIH4=garder[2J les données 31m"
    assert [f["rule"] for f in data["findings"]] == ["invisible-characters"]


def test_control_characters_keep_the_feed_valid(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    title = 'title: "Guide \\e\\b\\uFFFE\\x85 client"\n'
    for letters in ("RA", "R"):
        text = page(HOSTILE, letters).replace("---\nupdated", f"---\n{title}updated")
        repo.save("guide.fr-fr.md", text.replace("2023-01-01", f"2023-01-0{len(letters)}"))
    folder = write_config(tmp_path / "work", document("doc", str(repo.root)))

    done = cli("run", "--no-progress", cwd=folder)
    feed = (folder / "reports/feed.xml").read_text("utf-8")

    assert done.returncode == 0, done.stderr
    root = ElementTree.fromstring(feed.encode("utf-8"))
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == 1
    assert not CONTROLS.search(feed) and "\ufffe" not in feed
    assert "Guide  client" in feed
    for report in (folder / "reports").rglob("*.md"):
        assert not CONTROLS.search(report.read_text("utf-8")), report


# --- snapshot files given by the user -------------------------------------------------------------


def crafted(tmp_path: Path, change: str, value: object) -> Path:
    data = json.loads(
        (GOLDEN / "snapshots/block-storage/en-gb/2022-12-23__02ab130.json").read_text("utf-8")
    )
    activity = data["activities"][0]
    if change == "letters":
        activity["assignments"][next(iter(activity["assignments"]))] = value
    else:
        activity[change] = value
    path = tmp_path / f"{change}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "value", "message"),
    [
        ("letters", "<script>alert(1)</script>", "does not match ^R?A?C?I?$"),
        ("letters", "RA\n", "does not match ^R?A?C?I?$"),
        ("letters", ["R"], "expected string, not list"),
        ("line", "7", "snapshot.activities[0].line: expected integer, not str"),
        ("text", None, "snapshot.activities[0].text: expected string, not NoneType"),
    ],
)
def test_crafted_snapshot_files_are_refused(
    tmp_path: Path, change: str, value: object, message: str
) -> None:
    good = GOLDEN / "snapshots/block-storage/en-gb/2022-12-23__02ab130.json"
    bad = crafted(tmp_path, change, value)

    done = cli("diff", "--format", "md", str(good), str(bad))

    assert_input_error(done, f"{bad}: is not a valid snapshot: ")
    assert message in done.stderr
    assert "<script>" not in done.stdout


def test_a_valid_snapshot_file_still_diffs(tmp_path: Path) -> None:
    good = GOLDEN / "snapshots/block-storage/en-gb/2022-12-23__02ab130.json"

    done = cli("diff", "--format", "md", str(good), str(good))

    assert done.returncode == 0, done.stderr


# --- skipped revisions ------------------------------------------------------------------------


def test_skipped_revisions_are_said_on_the_console_and_in_last_run(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("guide.fr-fr.md", page("Sauvegarder"))
    repo.save("guide.fr-fr.md", page("Sauvegarder").encode("utf-8") + b"\xff\xfe\n")
    folder = write_config(tmp_path / "work", document("doc", str(repo.root)))

    done = cli("run", "--no-progress", cwd=folder)

    assert done.returncode == 0, done.stderr
    assert "doc fr-fr: 1 revision(s) taken in" in done.stdout
    assert "1 revision(s) skipped: not a readable page (binary, not UTF-8 text" in done.stdout
    summary = (folder / "reports/last-run.md").read_text("utf-8")
    assert "doc fr-fr: 1 revision skipped, not a readable page" in summary


# --- a store that cannot be read ------------------------------------------------------------------


def test_a_corrupt_index_fails_its_page_and_the_other_reports_are_written(tmp_path: Path) -> None:
    folder = sample(tmp_path / "sample")
    assert cli("run", "--no-progress", cwd=folder).returncode == 0
    reports = folder / "reports/sample"
    index = folder / "snapshots/sample/managed-kubernetes/fr-fr/index.json"
    index.write_bytes(b'{"schema_version": ')
    kept = {name: (reports / name).read_bytes() for name in ("index.md", "feed.xml")}
    broken_page = (reports / "managed-kubernetes/fr-fr/CHANGELOG.md").read_bytes()
    (reports / "block-storage/fr-fr/CHANGELOG.md").unlink()

    run = cli("run", "--no-progress", cwd=folder)
    report = cli("report", cwd=folder)

    for done in (run, report):
        assert done.returncode == 2
        assert f"managed-kubernetes fr-fr: failed: {index}" in done.stderr
        assert "Traceback" not in done.stderr
    assert (reports / "block-storage/fr-fr/CHANGELOG.md").exists()
    assert (reports / "managed-kubernetes/fr-fr/CHANGELOG.md").read_bytes() == broken_page
    assert {name: (reports / name).read_bytes() for name in kept} == kept


def test_bounded_reads_in_process(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 2048)

    for path, message in [
        (Path("/dev/zero"), "is not a regular file"),
        (fifo, "is not a regular file"),
        (tmp_path, "is a directory, not a file"),
        (tmp_path / "missing.md", "no such file"),
    ]:
        with pytest.raises(InputError, match=message):
            read_input(path)
    with pytest.raises(InputError, match=r"big\.md: is larger than 1 KiB"):
        read_input(big, limit=1024)
    assert read_input(big, limit=2048) == b"x" * 2048


def test_a_small_file_is_read_without_making_room_for_the_limit(tmp_path: Path) -> None:
    """A store's thousands of small files each read in a buffer of their size, not of the
    64 MiB limit; a file that grows after its size was taken is read on, up to the limit."""
    small = tmp_path / "diff.json"
    small.write_bytes(b"{}" * 2000)
    tracemalloc.start()
    try:
        data = read_input(small)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert data == b"{}" * 2000
    assert peak < 64 * 1024
    assert _read_at_most(io.BytesIO(b"x" * 100), 11, 51) == b"x" * 51
    assert _read_at_most(io.BytesIO(b"x" * 8), 11, 51) == b"x" * 8
