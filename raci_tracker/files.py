"""Reading input files with clear errors, and writing output files atomically."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from raci_tracker.errors import InputError, OutputError

_LOCALE = re.compile(r"^[a-z]{2}-[a-z]{2,4}$")
_LOCALE_IN_NAME = re.compile(r"\.([a-z]{2}-[a-z]{2,4})\.md$")
_DOCUSAURUS_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Za-z]{2,4})?$")
MAX_INPUT_BYTES = 64 * 1024 * 1024


def read_input(path: Path) -> bytes:
    """The bytes of a file the user named; every way it can fail is an `InputError`."""
    try:
        if path.is_dir():
            raise InputError("is a directory, not a file", path=str(path))
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(
                f"is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB", path=str(path)
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", path=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror}", path=str(path)) from None


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


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file and a rename; False if already identical.

    Readers see the old file or the new one, never a part; a failure removes the temporary file
    and raises `OutputError`.
    """
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX
        )
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.chmod(0o644)
        temp.replace(path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return True


def remove_stale_temporaries(root: Path) -> int:
    """Remove the temporary files a killed run left under `root`; returns how many."""
    removed = 0
    if root.is_dir():
        for stale in root.rglob(f".*{TEMPORARY_SUFFIX}"):
            stale.unlink(missing_ok=True)
            removed += 1
    return removed


def write_outputs(root: Path, outputs: Mapping[str, str]) -> int:
    """Write each output atomically, skipping those already identical; returns files written."""
    root = root.resolve()
    written = 0
    for name, text in sorted(outputs.items()):
        target = (root / name).resolve()
        if not target.is_relative_to(root):
            raise InputError(f"{name} would be written outside {root}")
        written += write_atomic(target, text.encode("utf-8"))
    return written
