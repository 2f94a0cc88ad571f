"""A first run over many pages reads its documents in worker processes: it ends exactly as a run
reading them one after the other, its workers' files are left alone by the run, and workers that
die or a run that is killed lose nothing."""

from __future__ import annotations

import hashlib
import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from raci_tracker.app import parallel
from raci_tracker.app.run import record_run, run_and_report
from raci_tracker.config import load_config
from raci_tracker.history.store import SnapshotStore
from raci_tracker.output import render, site, views
from raci_tracker.output.lastrun import run_line
from tests.gitrepo import GitRepo
from tests.helpers import alive, corpus_page
from tests.test_robustness import outputs
from tests.test_workflow import run_in_terminal

RUN = importlib.import_module("raci_tracker.app.run")  # `raci_tracker.app.run` is the function
DOCUMENTS = ("backup", "network", "storage")
LOCALES = ("en-gb", "fr-fr", "de-de")
TEXTS = (
    "managed-kubernetes/fr-fr/2023-07-05__2255c02.md",
    "managed-kubernetes/fr-fr/2023-07-05__bdd59f0.md",
    "managed-kubernetes/fr-fr/2023-07-06__seed.md",
)
SHIFTED = (
    b"| Choisir la localisation du service | RA | I |",
    b"| Choisir la localisation du service | A | RI |",
)
FORKED = pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork:DeprecationWarning")


def config_text(documents: tuple[str, ...] = DOCUMENTS) -> str:
    parts = ['[output]\nsnapshots = "snapshots"\nreports = "reports"\ncache = "cache"\n']
    for document in documents:
        parts.append(
            f'\n[[documents]]\nid = "{document}"\nrepo = "upstream"\n'
            f'path = "pages/{document}/guide.{{locale}}.md"\nlocales = {list(LOCALES)!r}\n'
        )
    return "".join(parts).replace("'", '"')


def tracker(folder: Path, documents: tuple[str, ...] = DOCUMENTS) -> Path:
    """Nine pages (three documents, three locales) taking three texts in turn, each locale's
    its own, the last with a shift; then the last document's folder moves."""
    repo = GitRepo(folder / "upstream")
    for number, name in enumerate(TEXTS):
        for document in documents:
            for locale in LOCALES:
                text = corpus_page(name).replace(b"\n---\n", f"\n---\n\n{locale}\n".encode(), 1)
                if number == len(TEXTS) - 1:  # a shift: the customer hands R to OVHcloud
                    text = text.replace(SHIFTED[0], SHIFTED[1])
                repo.write(f"pages/{document}/guide.{locale}.md", text)
        repo.commit(f"text {number}")
    repo.move(f"pages/{documents[-1]}", f"pages/{documents[-1]}-moved")
    (folder / "raci-tracker.toml").write_text(config_text(documents), encoding="utf-8")
    return folder / "raci-tracker.toml"


def run_in_process(folder: Path, jobs: int) -> str:
    """The run's line, and each page's status, in order (its summary recorded, as `run` does)."""
    config = load_config(folder / "raci-tracker.toml")
    outcome = run_and_report(config, jobs=jobs)
    assert record_run(config, outcome, {}) == []
    pages = [f"{p.document}/{p.locale}:{p.status.value}" for p in outcome.summary.pages]
    return "\n".join([run_line(outcome), *pages])


Spy = dict[str, int]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Spy:
    """How often this process read documents in parallel, rendered a changelog page, and
    showed a shift in the run's summary (its section) and in last-run.json."""
    counted: Spy = {
        "read_documents": 0,
        "render_changelog": 0,
        "shift_section": 0,
        "shift_to_dict": 0,
    }

    def counting(module: Any, name: str) -> None:
        real: Callable[..., Any] = getattr(module, name)

        def count(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, count)

    counting(RUN, "read_documents")
    counting(site, "render_changelog")
    counting(views, "shift_to_dict")
    real_section = render._shift_section

    def counted_section(env: Any) -> Callable[[Any], str]:
        section = real_section(env)

        def count(text: Any) -> str:
            counted["shift_section"] += 1
            return section(text)

        return count

    monkeypatch.setattr(render, "_shift_section", counted_section)
    return counted


@pytest.fixture
def serial(tmp_path: Path, calls: Spy) -> str:
    """Two trackers of the same pages, `serial` run with `--jobs 1` (its line and statuses
    returned, the spies then reset) and `parallel` not run yet."""
    tracker(tmp_path / "serial")
    tracker(tmp_path / "parallel")
    line = run_in_process(tmp_path / "serial", jobs=1)
    assert calls["read_documents"] == 0
    assert calls["render_changelog"] > 0
    assert calls["shift_section"] == calls["shift_to_dict"] > 0
    calls.update(render_changelog=0, shift_section=0, shift_to_dict=0)
    return line


@pytest.fixture
def read_by_the_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents the run reads itself, not in a worker."""
    read: list[str] = []
    real = RUN._read_document

    def reading(config: Any, store: Any, source: Any, document: Any, *rest: Any) -> Any:
        read.append(document.id)
        return real(config, store, source, document, *rest)

    monkeypatch.setattr(RUN, "_read_document", reading)
    return read


@FORKED
@pytest.mark.parametrize("part_pages", [2, parallel.PART_PAGES])
def test_a_parallel_first_run_ends_as_a_run_one_document_after_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calls: Spy, serial: str, part_pages: int
) -> None:
    monkeypatch.setattr(parallel, "PART_PAGES", part_pages)  # documents in parts, or whole
    assert run_in_process(tmp_path / "parallel", jobs=2) == serial
    # the workers rendered them, and the sections of the run's summary
    assert calls == {
        "read_documents": 1,
        "render_changelog": 0,
        "shift_section": 0,
        "shift_to_dict": 0,
    }
    assert outputs(tmp_path / "parallel") == outputs(tmp_path / "serial")


@FORKED
def test_a_run_with_nothing_new_after_a_parallel_one_reads_alone_and_writes_nothing(
    tmp_path: Path, calls: Spy
) -> None:
    tracker(tmp_path)
    run_in_process(tmp_path, jobs=2)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    run_in_process(tmp_path, jobs=2)
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert calls["read_documents"] == 1
    assert after == before


def test_documents_are_read_in_parallel_only_when_enough_pages_were_never_read(
    tmp_path: Path,
) -> None:
    config = load_config(tracker(tmp_path / "three"))
    store = SnapshotStore(config.snapshots)
    assert parallel.worth_it(config, store, jobs=2)
    assert not parallel.worth_it(config, store, jobs=1)
    few = load_config(tracker(tmp_path / "two", DOCUMENTS[:2]))
    assert not parallel.worth_it(few, SnapshotStore(few.snapshots), jobs=2)  # 6 pages
    run_in_process(tmp_path / "three", jobs=1)
    assert not parallel.worth_it(config, store, jobs=2)


def test_a_document_s_pages_are_shared_out_a_few_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "raci-tracker.toml").write_text(config_text(), encoding="utf-8")
    document = load_config(tmp_path / "raci-tracker.toml").documents[0]
    assert parallel.parts_of(document) == [LOCALES]
    monkeypatch.setattr(parallel, "PART_PAGES", 2)
    assert parallel.parts_of(document) == [LOCALES[:2], LOCALES[2:]]


def test_a_worker_returns_its_pages_where_they_stopped_then_the_files_it_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(tracker(tmp_path))
    with ExitStack() as opened:
        worker = parallel.worker_for(config, True, opened)
        monkeypatch.setitem(parallel._STARTED, "worker", worker)
        parts = [parallel._read_part(DOCUMENTS[0], LOCALES[:2])]
        assert not config.reports.exists()  # its files once every page is in
        parts.append(parallel._read_part(DOCUMENTS[0], LOCALES[2:]))
        rendered = parallel._render(DOCUMENTS[0], [p for part in parts for p in part.pages])

    for part, locales in zip(parts, (LOCALES[:2], LOCALES[2:]), strict=True):
        assert [(p.document, p.locale, p.status.value) for p in part.pages] == [
            (DOCUMENTS[0], locale, "updated") for locale in locales
        ]
        assert sorted(part.stops) == [f"{DOCUMENTS[0]}/{locale}" for locale in sorted(locales)]
        assert len(part.heads) == 1
    files = rendered.files
    assert {name.split("/")[0] for name in files} == {DOCUMENTS[0]}
    assert f"{DOCUMENTS[0]}/consistency.html" in files
    for name, (_, digest) in files.items():
        assert hashlib.sha256((config.reports / name).read_bytes()).hexdigest() == digest
    on_disk = [p for p in config.reports.rglob("*") if p.is_file()]
    assert rendered.written == len(on_disk) == len(files)
    shown = rendered.shown  # the document's shifts, as the run's summary shows them
    assert {(document, locale) for document, locale, _ in shown.sections} == {
        (DOCUMENTS[0], locale) for locale in LOCALES
    }
    for (_, locale, commit), section in shown.sections.items():
        text = section.decode("utf-8")  # kept as UTF-8 until the summary is rendered
        assert text.startswith("## ") and f"Commit `{commit[:12]}`" in text
        record = shown.record((DOCUMENTS[0], locale, commit))
        assert record is not None
        assert record["changes"][0]["activity"] == "Choisir la localisation du service"


READ_PART = parallel._read_part


def dying_on_the_second(document: str, locales: tuple[str, ...]) -> parallel.PartRead:
    """A worker that dies reading the second document, as the out-of-memory killer ends one."""
    if document == DOCUMENTS[1]:
        os._exit(1)
    return READ_PART(document, locales)


@FORKED
def test_when_workers_die_the_run_reads_the_documents_they_left(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    calls: Spy,
    serial: str,
    read_by_the_run: list[str],
) -> None:
    monkeypatch.setattr(parallel, "_read_part", dying_on_the_second)
    line = run_in_process(tmp_path / "parallel", jobs=2)
    # The pool ends every worker with the one that died, one killed while storing its part
    # among them: the run counts the files it left as the ones it stores itself
    assert line == serial
    assert calls["read_documents"] == 1
    assert DOCUMENTS[1] in read_by_the_run
    assert outputs(tmp_path / "parallel") == outputs(tmp_path / "serial")


@FORKED
def test_a_document_a_worker_cannot_render_is_rendered_by_the_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    calls: Spy,
    serial: str,
    read_by_the_run: list[str],
) -> None:
    def failing(*_: object) -> parallel.Prerendered:
        raise OSError("disk error")

    monkeypatch.setattr(parallel, "_rendered", failing)
    assert run_in_process(tmp_path / "parallel", jobs=2) == serial
    assert calls["read_documents"] == 1
    assert read_by_the_run == []  # the workers took every document in
    assert calls["render_changelog"] > 0  # and the run rendered them
    assert outputs(tmp_path / "parallel") == outputs(tmp_path / "serial")


def workers_of(pid: int) -> list[int]:
    """The run's forked workers: its children running Python (not git)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(child) for child in found.stdout.split() if _runs_python(int(child))]


def _runs_python(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return command.split(b"\0")[0] == os.fsencode(sys.executable)


def test_a_killed_parallel_run_takes_its_workers_with_it_and_the_next_run_ends_clean(
    tmp_path: Path,
) -> None:
    tracker(tmp_path / "clean")
    killed = tmp_path / "killed"
    tracker(killed)
    command = [sys.executable, "-m", "raci_tracker", "run", "--no-progress", "--jobs", "2"]
    done = subprocess.run(command, cwd=tmp_path / "clean", capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    run = subprocess.Popen(command, cwd=killed, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (workers := workers_of(run.pid)) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert workers, "the run started no worker"
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while any(alive(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(alive(worker) for worker in workers)
    again = subprocess.run(command, cwd=killed, capture_output=True, check=False)
    assert again.returncode == 0, again.stderr
    assert outputs(killed) == outputs(tmp_path / "clean")


def test_a_parallel_run_on_a_terminal_shows_its_progress_and_ends(tmp_path: Path) -> None:
    tracker(tmp_path)
    screen = run_in_terminal(tmp_path, "--jobs", "2")
    assert "Tracking pages" in screen
    assert f"{len(DOCUMENTS) * len(LOCALES)} page(s): " in screen
    assert "Traceback" not in screen
