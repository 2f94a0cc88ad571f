"""What the reports were last rendered from, so a run with nothing new renders nothing.

A file in the cache folder (`<cache>/rendered/`) holds one SHA-256 over what the reports are
made of: the raci-tracker code (its version and a digest of its files), the config file, the
user's templates, every configured page's `index.json` (a page's objects never change under the
same index), the pages that failed and the day upstream was last checked (both shown by the
site), and the record of alerted shifts (so shifts an earlier run never alerted are found). It
is written only once a run recorded its alerts: a run stopped before that leaves the digest of
the run before, so the next one renders and finds the shifts it took in. A run whose pages took
nothing in renders again only when that digest moved: a run killed before its alert record, an
edited template, a removed reports folder, alerts awaiting acknowledgement or left pending by a
failed notification. `raci-tracker report` always renders everything, and leaves the stamp to
the next run.

Beside it, `<key>.files.json` records each page file last rendered: the key of what it was
rendered from (`output/reuse.py`) and the SHA-256 of its bytes, so a run that renders leaves
alone the files whose inputs did not change, and a quiet run renders when one of them is gone.
`<key>.feed.json` keeps the feed's entries as last rendered (ADR 21), and
`<key>.parts/<doc>/<locale>.json` the parts of each page's files rendered on their own (ADR 22).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from raci_tracker.config import Config
from raci_tracker.errors import RaciTrackerError
from raci_tracker.files import write_atomic
from raci_tracker.history.store import INDEX, SnapshotStore
from raci_tracker.output.status import ALERTED, AWAITING
from raci_tracker.text import short_hash
from raci_tracker.version import code_digest

if TYPE_CHECKING:  # a run with nothing new reads no more
    from raci_tracker.output.reuse import PageParts, RenderedEntry

STAMP = "rendered"
RENDERED_FORMAT = 1
ENTRIES_FORMAT = 1
PARTS_FORMAT = 1
Read = TypeVar("Read")


def rendered_folder(config: Config) -> Path:
    """The folder of the cache that holds what every reports folder was last rendered from."""
    return config.cache / STAMP


def stamp_path(config: Config) -> Path:
    """In the cache, beside the clones, keyed by the reports folder: it is only a shortcut, so
    it is never committed with the reports, and a fresh checkout renders them once."""
    key = short_hash(str(config.reports.resolve()))
    return rendered_folder(config) / f"{key}.sha256"


def inputs_digest(
    config: Config,
    pages: Iterable[tuple[str, str]],
    failed: Iterable[tuple[tuple[str, str], str]],
    checked: str | None,
) -> str:
    """The same inputs give the same digest wherever the folders are. `failed` and `checked`
    are what the site says beyond the store (`status.SiteStatus`)."""
    digest = hashlib.sha256(code_digest().encode())
    digest.update(repr((list(failed), checked)).encode())
    store = SnapshotStore(config.snapshots)
    files = {**_environment_files(config), ALERTED: config.reports / ALERTED}
    for document, locale in pages:
        files[f"{document}/{locale}"] = store.folder(document, locale) / INDEX
    return _files_digest(digest, files)


def environment_digest(config: Config) -> str:
    """What every report is rendered with: the raci-tracker code (`version.code_digest`), the
    config file and the user's templates."""
    return _files_digest(hashlib.sha256(code_digest().encode()), _environment_files(config))


def _environment_files(config: Config) -> dict[str, Path]:
    files = {"config": config.file}
    if config.templates is not None:
        for path in sorted(p for p in config.templates.rglob("*") if p.is_file()):
            files[f"templates/{path.relative_to(config.templates).as_posix()}"] = path
    return files


def _files_digest(digest: Any, files: Mapping[str, Path]) -> str:
    for name, path in files.items():
        digest.update(f"\0{name}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"\0missing")
    return str(digest.hexdigest())


Rendered = dict[str, tuple[str, str]]
"""Each page file last rendered: its path in the reports folder -> (the key of what it was
rendered from, `output.reuse`; the SHA-256 of the bytes written)."""


def rendered_path(config: Config) -> Path:
    return stamp_path(config).with_suffix(".files.json")


def _read_shortcut(path: Path, version: int, name: str, read: Callable[[Any], Read]) -> Read | None:
    """`read` of the file's `name`, where it is of this format `version`; None when the file is
    missing, unreadable, of another format or not as `read` expects (what it saves is then
    made again)."""
    try:
        data = json.loads(path.read_bytes())
        return read(data[name]) if data.get("format") == version else None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _keep_shortcut(path: Path, version: int, name: str, value: object) -> None:
    """Write a shortcut unless the cache cannot be written, without a sync of its own."""
    try:
        write_atomic(path, _json_pieces({"format": version, name: value}), sync=False)
    except (RaciTrackerError, OSError):
        return


def _json_pieces(value: object) -> Iterator[bytes]:
    """`json.dumps(value)` as ASCII, written an object's item at a time: a page's parts, a text
    each, are never held as JSON all at once."""
    if not isinstance(value, dict) or not value:
        yield json.dumps(value).encode("ascii")
        return
    opening = b"{"
    for key, item in value.items():
        yield opening + json.dumps(key).encode("ascii") + b": "
        yield from _json_pieces(item)
        opening = b", "
    yield b"}"


def read_rendered(config: Config) -> Rendered:
    """What the reports' page files were last rendered from; nothing when unknown or unreadable
    (everything is rendered then)."""
    files = _read_shortcut(
        rendered_path(config),
        RENDERED_FORMAT,
        "files",
        lambda files: {str(name): (str(key), str(sha)) for name, (key, sha) in files.items()},
    )
    return files or {}


def record_rendered(config: Config, files: Rendered) -> bool:
    data = {"format": RENDERED_FORMAT, "files": {k: list(v) for k, v in sorted(files.items())}}
    return write_atomic(rendered_path(config), json.dumps(data, indent=0).encode("utf-8"))


def entries_path(config: Config) -> Path:
    return stamp_path(config).with_suffix(".feed.json")


def read_entries(config: Config) -> dict[str, RenderedEntry]:
    """The feed's entries as last rendered, by key (`feed.feed_entries`); none when unknown or
    unreadable (each is rendered then)."""
    entries = _read_shortcut(
        entries_path(config),
        ENTRIES_FORMAT,
        "entries",
        lambda entries: {
            str(key): (str(summary), str(html)) for key, (summary, html) in entries.items()
        },
    )
    return entries or {}


def record_entries(config: Config, entries: Mapping[str, RenderedEntry]) -> None:
    """Keep the feed's entries for the next feed, unless the cache cannot be written. They are
    only a shortcut, so they are written without a sync of their own."""
    kept = {key: list(entry) for key, entry in sorted(entries.items())}
    _keep_shortcut(entries_path(config), ENTRIES_FORMAT, "entries", kept)


def parts_path(config: Config, document: str, locale: str) -> Path:
    return stamp_path(config).with_suffix(".parts") / document / f"{locale}.json"


def read_parts(config: Config, document: str, locale: str) -> PageParts:
    """The parts of a page's files as last rendered, by kind and key (`reuse.Parts`); none when
    unknown or unreadable (each is rendered then)."""
    kinds = _read_shortcut(
        parts_path(config, document, locale),
        PARTS_FORMAT,
        "parts",
        lambda kinds: {
            str(kind): {str(key): str(text) for key, text in parts.items()}
            for kind, parts in kinds.items()
        },
    )
    return kinds or {}


def record_parts(config: Config, document: str, locale: str, parts: PageParts) -> None:
    """Keep a page's parts for its next render, unless the cache cannot be written: only a
    shortcut, written without a sync of its own."""
    kinds = {kind: dict(sorted(texts.items())) for kind, texts in sorted(parts.items())}
    _keep_shortcut(parts_path(config, document, locale), PARTS_FORMAT, "parts", kinds)


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def reports_current(config: Config, digest: str) -> bool:
    """True when the reports were rendered from these inputs, and no alert awaits its
    acknowledgement (a plain run settles those, so it has to look at them)."""
    stamp = stamp_path(config)
    if (config.reports / AWAITING).exists() or not stamp.is_file():
        return False
    if not any(config.reports.glob("index.*")):
        return False  # the reports were removed
    if stamp.read_text(encoding="ascii").strip() != digest:
        return False
    return all((config.reports / name).is_file() for name in read_rendered(config))


def stamp_reports(config: Config, digest: str) -> bool:
    return write_atomic(stamp_path(config), f"{digest}\n".encode("ascii"))


def forget_rendered(config: Config) -> None:
    """The next run renders (and looks for pending alerts) even with nothing new."""
    stamp_path(config).unlink(missing_ok=True)
