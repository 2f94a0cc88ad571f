"""Reading input files with clear errors, and writing output files atomically."""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import re
import stat
import tempfile
import weakref
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import IO, BinaryIO, Generic, TypeVar

from raci_tracker.errors import InputError, OutputError
from raci_tracker.processes import may_still_write

_LOCALE = re.compile(r"^[a-z]{2}-[a-z]{2,4}$")
_LOCALE_IN_NAME = re.compile(r"\.([a-z]{2}-[a-z]{2,4})\.md$")
_DOCUSAURUS_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Za-z]{2,4})?$")
MAX_INPUT_BYTES = 64 * 1024 * 1024


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file the user named; every way it can fail is an `InputError`.

    Only regular files are read, and never more than `limit` bytes: `/dev/zero`, a FIFO or a
    file growing while it is read cannot make a command hang or fill the memory.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", path=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror}", path=str(path)) from None
    try:
        size = _regular_size(handle, path)
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = _read_at_most(stream, min(size, limit) + 1, limit + 1)
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror}", path=str(path)) from None
    finally:
        os.close(handle)
    if len(data) > limit:
        raise InputError(f"is larger than {_size(limit)}", path=str(path))
    return data


def _regular_size(handle: int, path: Path) -> int:
    status = os.fstat(handle)
    if stat.S_ISDIR(status.st_mode):
        raise InputError("is a directory, not a file", path=str(path))
    if not stat.S_ISREG(status.st_mode):
        raise InputError("is not a regular file (a device, FIFO or socket)", path=str(path))
    return status.st_size


def _read_at_most(stream: BinaryIO, first: int, most: int) -> bytes:
    """Up to `most` bytes, asking first for `first` (the file's size and one): a read of `most`
    bytes would allocate them all, however small the file. A file that grew is read on."""
    data = stream.read(first)
    if len(data) == first < most:
        data += stream.read(most - first)
    return data


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def guess_locale(path: Path) -> str | None:
    """The locale a page's path names: `guide.fr-fr.md`, else a folder named like `fr-fr`, else
    a Docusaurus translation folder (`i18n/de/docusaurus-plugin-content-docs/...`)."""
    match = _LOCALE_IN_NAME.search(path.name)
    if match:
        return match.group(1)
    parent = path.parent.name
    if _LOCALE.match(parent):
        return parent
    parts = path.parts
    for index, part in enumerate(parts[:-2]):
        if part == "i18n" and _DOCUSAURUS_LOCALE.match(parts[index + 1]):
            return parts[index + 1]
    return None


TEMPORARY_SUFFIX = ".raci-tmp"
_TEMPORARY_PID = re.compile(r"\.pid(\d+)\.[^.]*\.raci-tmp$")


_BATCH: ContextVar[dict[int, Path] | None] = ContextVar("raci_tracker_batch", default=None)


@contextlib.contextmanager
def synced_once() -> Iterator[None]:
    """Atomic writes inside skip their own fsync; leaving the block syncs them all at once.

    Each write is still a rename (a killed run leaves the old file or the new one); what waits
    to the end is durability on power loss. A first run writes thousands of objects and report
    files, and one fsync each costs about 2 ms on this machine against about 40 ms for one sync
    of the whole file system. Write what names these files (an index, a stamp) after the block.
    """
    if _BATCH.get() is not None:
        yield  # an enclosing block syncs
        return
    written: dict[int, Path] = {}  # a folder written to on each file system
    token = _BATCH.set(written)
    try:
        yield
    finally:
        _BATCH.reset(token)
        for folder in written.values():
            sync_file_system(folder)


def sync_file_system(folder: Path) -> None:
    """Make every write on `folder`'s file system durable: Linux's syncfs, else sync."""
    syncfs = getattr(_libc(), "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    handle = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if syncfs(handle) != 0:
            os.sync()
    finally:
        os.close(handle)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a platform without a C library to open
        return None


def write_atomic(path: Path, data: bytes | Iterable[bytes], *, sync: bool = True) -> bool:
    """Write `data` (bytes, or pieces of them, never held whole) to `path` through a temporary
    file and a rename; False if already identical.

    Readers see the old file or the new one, never a part; a failure removes the temporary file
    and raises `OutputError`. Inside `synced_once`, the fsync waits for the end of the block;
    with `sync` False there is none: the caller syncs the file system before naming the file.
    """
    whole = isinstance(data, bytes)
    if isinstance(data, bytes) and _holds(path, data):
        return False
    pieces: Iterable[bytes] = [data] if isinstance(data, bytes) else data
    handle, temp = _temporary(path)
    try:
        with handle:
            handle.writelines(pieces)
            handle.flush()
            if not whole and _same_files(temp, path):
                temp.unlink()
                return False
            if sync:
                _sync_or_defer(handle.fileno(), path)
        temp.chmod(0o644)
        temp.replace(path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return True


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _same_files(one: Path, other: Path, chunk: int = 1 << 20) -> bool:
    try:
        if one.stat().st_size != other.stat().st_size:
            return False
        with one.open("rb") as first, other.open("rb") as second:
            while piece := first.read(chunk):
                if piece != second.read(len(piece)):
                    return False
            return not second.read(1)
    except OSError:
        return False


def _temporary(path: Path) -> tuple[BinaryIO, Path]:
    """A new temporary file beside `path`, named after its writer, open for writing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.pid{os.getpid()}.", suffix=TEMPORARY_SUFFIX
        )
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    return os.fdopen(fd, "wb"), Path(temp_name)


def _sync_or_defer(handle: int, path: Path) -> None:
    batch = _BATCH.get()
    if batch is None:
        os.fsync(handle)
    else:
        batch.setdefault(os.fstat(handle).st_dev, path.parent)


def remove_file(path: Path) -> bool:
    """Remove an output file; False when it was not there, `OutputError` when it cannot go."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise OutputError(f"cannot remove {path}: {error.strerror or error}") from None
    return True


def remove_stale_temporaries(root: Path) -> int:
    """Remove the temporary files killed runs left under `root`; returns how many.

    A temporary file names the process writing it: those of a live process (another run writing
    elsewhere, `snapshot -o`) are left alone. Folders are never removed, whatever their name.
    """
    removed = 0
    for stale in _temporaries(root):
        if _stale(stale):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def _temporaries(root: Path) -> Iterator[Path]:
    """The temporary files' paths under `root`, symbolic links to folders not followed. Every
    run looks through its whole store: `os.walk` takes about half the time of `Path.rglob`
    (47 ms instead of 78 on 225 pages' 36,000 files)."""
    for folder, _, names in os.walk(root):
        for name in names:
            if name.startswith(".") and name.endswith(TEMPORARY_SUFFIX):
                yield Path(folder, name)


def _stale(temporary: Path) -> bool:
    """Whether a temporary file is a regular file no running process may still be writing."""
    try:
        status = temporary.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(status.st_mode):
        return False
    match = _TEMPORARY_PID.search(temporary.name)
    if match is None:
        return True  # written before temporary files named their writer
    return not may_still_write(int(match.group(1)), status.st_mtime)


def write_outputs(root: Path, outputs: Mapping[str, str | bytes | Iterable[str]]) -> int:
    """Write each output (a text, its UTF-8, or its pieces: a large one is never held whole)
    atomically, skipping those already identical; returns files written."""
    root = root.resolve()
    written = 0
    with synced_once():
        for name, text in sorted(outputs.items()):
            target = (root / name).resolve()
            if not target.is_relative_to(root):
                raise InputError(f"{name} would be written outside {root}")
            written += write_atomic(target, _encoded(text))
    return written


def _encoded(text: str | bytes | Iterable[str]) -> bytes | Iterator[bytes]:
    if isinstance(text, bytes):
        return text
    if isinstance(text, str):
        return text.encode("utf-8")
    return (piece.encode("utf-8") for piece in text)


Key = TypeVar("Key", bound=Hashable)


class Spool(Mapping[Key, bytes], Generic[Key]):
    """Byte strings by key, kept in an unnamed temporary file rather than in memory (the system
    removes it when it is closed: when the spool goes, or the process ends). Each key keeps the
    first bytes put under it. Pickled (to or from a worker), it carries its bytes."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._at: dict[Key, tuple[int, int]] = {}

    def put(self, key: Key, data: bytes) -> None:
        if key in self._at:
            return
        spool = self._opened()
        self._at[key] = (spool.seek(0, os.SEEK_END), len(data))
        spool.write(data)

    def _opened(self) -> IO[bytes]:
        """The spool's file; in memory when no temporary file can be made (a full or read-only
        temporary folder): the run goes on."""
        if self._file is None:
            try:
                self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the finalizer)
            except OSError:
                self._file = io.BytesIO()
            weakref.finalize(self, self._file.close)
        return self._file

    def __getitem__(self, key: Key) -> bytes:
        start, size = self._at[key]
        spool = self._opened()
        spool.seek(start)
        return spool.read(size)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __reduce__(self) -> tuple[object, ...]:
        return (_spooled, (list(self.items()),))


def _spooled(items: list[tuple[Key, bytes]]) -> Spool[Key]:
    spool: Spool[Key] = Spool()
    for key, data in items:
        spool.put(key, data)
    return spool
