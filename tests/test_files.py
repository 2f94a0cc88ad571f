"""Atomic writes: one fsync each, or one sync of the file system for a batch of them."""

from __future__ import annotations

import gc
import io
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from raci_tracker import files
from raci_tracker.files import Spool, synced_once, write_atomic, write_outputs


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


def test_a_text_written_in_pieces_is_never_held_whole_and_is_left_alone_when_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    syncs = Syncs(monkeypatch)
    pieces = ["{\n", '  "é": ' * 3, "1\n}\n"]
    assert write_outputs(tmp_path, {"last-run.json": iter(pieces)}) == 1
    written = tmp_path / "last-run.json"
    assert written.read_text(encoding="utf-8") == "".join(pieces)
    modified = written.stat().st_mtime_ns
    assert write_outputs(tmp_path, {"last-run.json": iter(pieces)}) == 0  # the same bytes
    assert written.stat().st_mtime_ns == modified
    assert write_outputs(tmp_path, {"last-run.json": iter([*pieces, " "])}) == 1  # one more
    assert not write_atomic(written, [b"{\n", '  "é": '.encode() * 3, b"1\n}\n "])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last-run.json"]  # no temporary left
    assert (syncs.fsyncs, len(syncs.folders)) == (0, 2)  # the identical ones synced nothing


def test_a_text_whose_pieces_fail_half_way_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    written = tmp_path / "last-run.json"
    written.write_bytes(b"before\n")

    def failing() -> Iterator[bytes]:
        yield b"after"
        raise ValueError("cannot encode")

    with pytest.raises(ValueError, match="cannot encode"):
        write_atomic(written, failing())
    assert written.read_bytes() == b"before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last-run.json"]


def test_a_spool_keeps_bytes_by_key_in_a_temporary_file_and_carries_them_when_pickled() -> None:
    spool: Spool[str] = Spool()
    assert not spool and spool.get("a") is None

    spool.put("a", b"one")
    spool.put("b", b"\x00two")
    spool.put("a", b"again")  # a key keeps the first bytes put under it

    assert dict(spool) == {"a": b"one", "b": b"\x00two"}
    handle = spool._file
    assert handle is not None and handle.seek(0) == 0 and handle.read() == b"one\x00two"
    assert dict(pickle.loads(pickle.dumps(spool))) == {"a": b"one", "b": b"\x00two"}
    del spool
    gc.collect()
    assert handle.closed  # and so gone: the file has no name


def test_a_spool_without_a_temporary_folder_keeps_its_bytes_in_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused() -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "TemporaryFile", refused)
    spool: Spool[str] = Spool()
    spool.put("a", b"one")

    assert spool["a"] == b"one" and isinstance(spool._file, io.BytesIO)


def test_the_sweep_removes_dead_writers_temporaries_at_any_depth_and_follows_no_link(
    tmp_path: Path,
) -> None:
    root, elsewhere = tmp_path / "snapshots", tmp_path / "elsewhere"
    dead = f".index.json.pid{2**22 + 1}.x1{files.TEMPORARY_SUFFIX}"  # above Linux's pid_max
    stale = [root / dead, root / "doc/fr-fr/.hidden" / dead]
    kept = [root / "doc" / f"index.json{files.TEMPORARY_SUFFIX}", elsewhere / dead]
    for path in (*stale, *kept):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'{"half": ')
    link = root / "doc/fr-fr" / f".link.pid{2**22 + 1}{files.TEMPORARY_SUFFIX}"
    link.symlink_to(kept[1])
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)

    assert files.remove_stale_temporaries(root) == len(stale)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept) and link.is_symlink()
    assert files.remove_stale_temporaries(tmp_path / "missing") == 0
