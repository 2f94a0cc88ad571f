"""One run at a time, and a clone cache that survives kills: real processes, real repositories."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from raci_tracker.codec import snapshot_to_json
from raci_tracker.files import TEMPORARY_SUFFIX
from raci_tracker.history.store import SnapshotStore
from raci_tracker.lock import LockBusy, hold, hold_folders
from tests.gitrepo import GitRepo, run_git
from tests.helpers import running, zombie
from tests.test_robustness import cli, outputs, sample

PAGE = "| Activité | Client | OVHcloud |\n| --- | --- | --- |\n| Sauvegarder | {letters} | I |\n"


def start_run(folder: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "raci_tracker", "run", "--no-progress", *extra],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_runs_end_like_one_clean_run(tmp_path: Path) -> None:
    """Two runs started together on the same outputs: the second waits, nothing is lost."""
    clean = sample(tmp_path / "clean")
    assert cli("run", "--no-progress", cwd=clean).returncode == 0
    for round_number in range(2):
        shared = sample(tmp_path / f"shared-{round_number}")
        first, second = start_run(shared), start_run(shared)
        done = [process.communicate(timeout=120) for process in (first, second)]

        assert [first.returncode, second.returncode] == [0, 0], done
        assert outputs(shared) == outputs(clean)
        assert not list(shared.rglob(f"*{TEMPORARY_SUFFIX}"))
        assert "Traceback" not in "".join(err for _, err in done)


def test_a_run_gives_up_on_a_held_lock_with_a_clear_message(tmp_path: Path) -> None:
    folder = sample(tmp_path / "sample")
    snapshots = folder / "snapshots/sample"
    snapshots.mkdir(parents=True)
    with hold(snapshots):
        done = cli("run", "--no-progress", "--lock-wait", "0.5", cwd=folder)
        report = cli("report", "--lock-wait", "0", cwd=folder)

    assert done.returncode == 2
    assert f"another run holds the lock on {snapshots.resolve()}" in done.stderr
    assert "waiting up to 0.5 s" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((folder / "snapshots/sample").iterdir())
    assert report.returncode == 2 and "another run holds the lock" in report.stderr


def test_a_waiting_run_goes_on_when_the_lock_is_released(tmp_path: Path) -> None:
    folder = sample(tmp_path / "sample")
    reports = folder / "reports/sample"
    reports.mkdir(parents=True)
    with hold(reports):
        process = start_run(folder, "--lock-wait", "60")
        assert process.stderr is not None
        said = process.stderr.readline()  # however long the start takes on a loaded machine
        assert process.poll() is None  # still waiting
    _, err = process.communicate(timeout=120)

    assert process.returncode == 0, err
    assert "waiting up to 60 s for another run holding the lock on" in said
    assert (reports / "feed.xml").exists()


def test_a_lock_held_by_another_process_times_out_in_process(tmp_path: Path) -> None:
    """The same lock seen from inside: the wait is announced, bounded, and names the folder."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_FOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    said: list[str] = []
    try:
        with (
            pytest.raises(LockBusy, match=f"another run holds the lock on {tmp_path}"),
            hold_folders([tmp_path], wait=0.3, on_wait=said.append),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with hold_folders([tmp_path], wait=5):  # a killed holder's lock is gone at once
        pass
    assert said == [f"waiting up to 0.3 s for another run holding the lock on {tmp_path}"]


HOLD_A_FOLDER = """
import sys, time
from pathlib import Path
import pytest

from raci_tracker.lock import LockBusy, hold, hold_folders
with hold(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_only_temporaries_of_dead_runs_are_removed(tmp_path: Path) -> None:
    folder = sample(tmp_path / "sample")
    page_folder = folder / "snapshots/sample/managed-kubernetes/fr-fr"
    parts_folder = folder / ".cache/raci-tracker/rendered/b72eeb75.parts/managed-kubernetes"
    for made in (page_folder, parts_folder):
        made.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    with running() as alive, zombie() as unreaped:  # unreaped: a killed run's worker
        live_temp = page_folder / f".index.json.pid{alive}.abc123{TEMPORARY_SUFFIX}"
        dead_temp = page_folder / f".index.json.pid{dead.pid}.abc123{TEMPORARY_SUFFIX}"
        unreaped_temp = parts_folder / f".fr-fr.json.pid{unreaped}.abc123{TEMPORARY_SUFFIX}"
        folder_named_like_one = page_folder / f".keep{TEMPORARY_SUFFIX}"
        for temp in (live_temp, dead_temp, unreaped_temp):
            temp.write_bytes(b'{"half": ')
        folder_named_like_one.mkdir()

        done = cli("run", "--no-progress", cwd=folder)

    assert done.returncode == 0, done.stderr
    assert live_temp.exists()
    assert not dead_temp.exists() and not unreaped_temp.exists()
    assert folder_named_like_one.is_dir()


# --- the clone cache ------------------------------------------------------------------------------


def big_sample_bundle(tmp_path: Path) -> Path:
    """The sample history followed by 20,000 commits that touch no page: slow enough to clone
    that a kill lands inside the clone, and its pages' histories are the sample's."""
    work = tmp_path / "big"
    bundle = Path(__file__).resolve().parents[1] / "examples/sample-docs.bundle"
    subprocess.run(["git", "clone", "-q", str(bundle), str(work)], check=True)
    stream = []
    for index in range(20_000):
        data = f"filler {index}\n".encode()
        start = b"from refs/heads/develop^0\n" if index == 0 else b""
        stream.append(
            b"commit refs/heads/develop\ncommitter Docs <docs@example.invalid> "
            + f"{1_700_000_000 + index} +0000\ndata 6\nfiller\n".encode()
            + start
            + f"M 100644 inline filler.txt\ndata {len(data)}\n".encode()
            + data
            + b"\n"
        )
    subprocess.run(["git", "fast-import", "--quiet"], cwd=work, input=b"".join(stream), check=True)
    run_git(work, "bundle", "create", "-q", str(tmp_path / "big.bundle"), "HEAD", "develop")
    return tmp_path / "big.bundle"


def with_bundle(folder: Path, bundle: Path) -> Path:
    config = folder / "raci-tracker.toml"
    text = config.read_text("utf-8").replace("examples/sample-docs.bundle", str(bundle))
    config.write_text(text, encoding="utf-8")
    return folder


def wait_for_a_clone_in_progress(cache: Path, process: subprocess.Popen[str]) -> None:
    """Until the run makes its clone aside (`.NAME.PID.cloning`), or ends."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if cache.exists() and any(cache.glob(".*.cloning")):
            return
        time.sleep(0.002)


def test_runs_killed_during_the_first_clone_converge(tmp_path: Path) -> None:
    bundle = big_sample_bundle(tmp_path)
    clean = with_bundle(sample(tmp_path / "clean"), bundle)
    killed = with_bundle(sample(tmp_path / "killed"), bundle)
    assert cli("run", "--no-progress", cwd=clean).returncode == 0
    chance = random.Random(20261130)
    cache = killed / ".cache/raci-tracker"
    mid_clone = 0
    for attempt in range(8):
        process = start_run(killed)
        if attempt < 3:  # the first kills land while the clone is being made, however fast
            wait_for_a_clone_in_progress(cache, process)
        time.sleep(chance.uniform(0.0, 0.05) if attempt < 3 else chance.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        process.communicate()
        clones = list(cache.glob("*/HEAD")) if cache.exists() else []
        mid_clone += not any((c.parent / "raci-tracker-clone-complete").exists() for c in clones)

    final = cli("run", "--no-progress", cwd=killed)

    assert final.returncode == 0, final.stderr
    assert mid_clone >= 1  # at least one kill landed before a clone was complete
    assert outputs(killed) == outputs(clean)
    assert len(list(cache.glob("*/raci-tracker-clone-complete"))) == 1


def test_two_first_runs_share_one_cache(tmp_path: Path) -> None:
    """Two configs, two output folders, one cache: both clone-or-fetch it safely at once."""
    first, second = sample(tmp_path / "first"), sample(tmp_path / "second")
    cache = tmp_path / "cache"
    for folder in (first, second):
        config = folder / "raci-tracker.toml"
        text = config.read_text("utf-8").replace("[output]\n", f'[output]\ncache = "{cache}"\n')
        config.write_text(text, encoding="utf-8")
    shutil.copy(first / "examples/sample-docs.bundle", tmp_path / "docs.bundle")
    for folder in (first, second):
        with_bundle(folder, tmp_path / "docs.bundle")
    processes = [start_run(first), start_run(second)]
    done = [process.communicate(timeout=180) for process in processes]

    assert [p.returncode for p in processes] == [0, 0], done
    assert outputs(first) == outputs(second)
    assert len(list(cache.glob("*/raci-tracker-clone-complete"))) == 1


def branches_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A bundle with a page on two branches, a tag and a commit."""
    repo = GitRepo(tmp_path / "upstream")
    first = repo.save("guide.fr-fr.md", PAGE.format(letters="RA"))
    repo.git("tag", "-a", "v1", "-m", "v1")
    repo.save("guide.fr-fr.md", PAGE.format(letters="R"))
    repo.git("checkout", "-q", "-b", "other", first)
    repo.save("guide.fr-fr.md", PAGE.format(letters="C"))
    repo.git("checkout", "-q", "main")
    bundle = tmp_path / "docs.bundle"
    repo.git("bundle", "create", "-q", str(bundle), "--all")
    return bundle, {"main": "main", "other": "other", "tag": "v1", "commit": first}


def refs_config(folder: Path, bundle: Path, refs: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    documents = "".join(
        f'[[documents]]\nid = "{name}"\nrepo = "{bundle}"\nref = "{ref}"\n'
        'path = "guide.{locale}.md"\nlocales = ["fr-fr"]\n'
        for name, ref in refs.items()
    )
    (folder / "raci-tracker.toml").write_text(documents, encoding="utf-8")
    return folder


def held_letters(folder: Path, document: str) -> str:
    """The snapshot JSON of the page's text at the ref's head: its last revision."""
    revisions = list(SnapshotStore(folder / "snapshots").revisions(document, "fr-fr"))
    return snapshot_to_json(revisions[-1].snapshot).decode("utf-8")


def test_branches_tags_and_commits_of_one_url(tmp_path: Path) -> None:
    bundle, refs = branches_repo(tmp_path)
    folder = refs_config(tmp_path / "work", bundle, refs)

    done = cli("run", "--no-progress", cwd=folder)

    assert done.returncode == 0, done.stderr
    assert '"customer": "R"' in held_letters(folder, "main")
    assert '"customer": "C"' in held_letters(folder, "other")
    assert '"customer": "RA"' in held_letters(folder, "tag")
    assert '"customer": "RA"' in held_letters(folder, "commit")
    assert len(list((folder / ".cache/raci-tracker").glob("*/HEAD"))) == 1


def test_a_bad_ref_fails_with_gits_line_and_does_not_poison_the_cache(tmp_path: Path) -> None:
    bundle, _ = branches_repo(tmp_path)
    folder = refs_config(tmp_path / "work", bundle, {"doc": "nope"})

    failed = cli("run", "--no-progress", cwd=folder)
    refs_config(folder, bundle, {"doc": "other"})
    fixed = cli("run", "--no-progress", cwd=folder)

    assert failed.returncode == 2
    assert "doc fr-fr: failed: cannot clone or fetch" in failed.stderr
    assert "fatal: couldn't find remote ref nope" in failed.stderr
    assert "'\n" not in failed.stderr
    assert fixed.returncode == 0, fixed.stderr
    assert '"customer": "C"' in held_letters(folder, "doc")


def test_a_missing_repository_is_one_fatal_line_for_the_document(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "raci-tracker.toml").write_text(
        '[[documents]]\nid = "doc"\nrepo = "gone.bundle"\npath = "guide.{locale}.md"\n'
        'locales = ["fr-fr", "en-gb"]\n',
        encoding="utf-8",
    )

    done = cli("run", "--no-progress", cwd=folder)

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("doc fr-fr: failed: cannot clone or fetch")
    assert "fatal:" in lines[0] and "gone.bundle" in lines[0]
    assert lines[1] == "doc en-gb: failed: see doc fr-fr"
    assert done.stderr.count("fatal:") == 1
    assert not list((folder / ".cache/raci-tracker").glob("*/HEAD"))
