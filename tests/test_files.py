"""Atomic writes: one fsync each, or one sync of the file system for a batch of them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from raci_tracker import files
from raci_tracker.files import synced_once, write_atomic, write_outputs


class Syncs:
    """Counts the fsyncs and file-system syncs the writes ask for, and still does them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fsyncs = 0
        self.folders: list[Path] = []
        real_fsync, real_sync = os.fsync, files.sync_file_system

        def fsync(handle: int) -> None:
            self.fsyncs += 1
            real_fsync(handle)

        def sync(folder: Path) -> None:
            self.folders.append(folder)
            real_sync(folder)

        monkeypatch.setattr(files.os, "fsync", fsync)
        monkeypatch.setattr(files, "sync_file_system", sync)


def test_a_single_write_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    syncs = Syncs(monkeypatch)
    assert write_atomic(tmp_path / "a.json", b"{}")
    assert (syncs.fsyncs, syncs.folders) == (1, [])
    assert not write_atomic(tmp_path / "a.json", b"{}")  # identical: not written again
    assert syncs.fsyncs == 1


def test_a_batch_syncs_its_file_system_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    syncs = Syncs(monkeypatch)
    with synced_once():
        for number in range(20):
            write_atomic(tmp_path / "objects" / f"{number}.json", b"%d" % number)
        with synced_once():  # nested: the outer block syncs
            write_atomic(tmp_path / "inner.json", b"inner")
        assert syncs.folders == []
    assert syncs.fsyncs == 0
    assert syncs.folders == [tmp_path / "objects"]
    assert (tmp_path / "objects" / "19.json").read_bytes() == b"19"
    write_atomic(tmp_path / "index.json", b"{}")  # after the block: its own fsync again
    assert syncs.fsyncs == 1


def test_a_batch_that_writes_nothing_syncs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    syncs = Syncs(monkeypatch)
    (tmp_path / "a.json").write_bytes(b"same")
    with synced_once():
        assert not write_atomic(tmp_path / "a.json", b"same")
    assert (syncs.fsyncs, syncs.folders) == (0, [])


def test_a_failing_batch_still_syncs_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    syncs = Syncs(monkeypatch)
    with pytest.raises(RuntimeError), synced_once():
        write_atomic(tmp_path / "a.json", b"a")
        raise RuntimeError("stopped half-way")
    assert syncs.folders == [tmp_path]


def test_reports_are_written_as_one_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    syncs = Syncs(monkeypatch)
    outputs = {f"doc/fr-fr/CHANGELOG-{n}.md": f"# {n}\n" for n in range(30)}
    assert write_outputs(tmp_path / "reports", outputs) == 30
    assert syncs.fsyncs == 0
    assert len(syncs.folders) == 1
    assert (tmp_path / "reports/doc/fr-fr/CHANGELOG-7.md").read_text() == "# 7\n"


def test_the_file_system_sync_works_without_syncfs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(files, "_libc", lambda: None)
    monkeypatch.setattr(files.os, "sync", lambda: calls.append("sync"))
    files.sync_file_system(tmp_path)
    assert calls == ["sync"]
