"""`raci-tracker.toml`: what to track and where to write, validated with messages naming the key.

```toml
[output]            # optional; relative to the config file's folder
snapshots = "snapshots"
reports = "reports"
base_url = "https://example.org/raci/"   # optional; where reports/ is published

[[documents]]
id = "managed-kubernetes"
repo = "https://github.com/ovh/docs.git"      # or a local path
ref = "develop"                               # optional
path = "pages/.../guide.{locale}.md"
locales = ["fr-fr", "en-gb"]
permalink = "https://github.com/ovh/docs/blob/{commit}/{path}"   # optional
provider = ["Cloud Temple"]                   # optional: the provider's names, with or
                                              # without role words ("Rôle Cloud Temple")
[documents.parties]                           # optional extra aliases
customer = ["Client", "Customer"]
```
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from raci_tracker.errors import InputError
from raci_tracker.files import read_input

DEFAULT_CONFIG = "raci-tracker.toml"
DEFAULT_CACHE = ".cache/raci-tracker"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
NAME_MAX = 64
"""Ids and locales name folders and files: long enough for any real one, short for every disk."""
MAX_CONFIG_BYTES = 1024 * 1024
_BASE_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_OUTPUT_KEYS = {"snapshots", "reports", "cache", "templates", "base_url"}
_DOCUMENT_KEYS = {"id", "repo", "ref", "path", "locales", "permalink", "parties", "provider"}


@dataclass(frozen=True, slots=True)
class DocumentConfig:
    id: str
    repo: str
    path: str
    locales: tuple[str, ...]
    ref: str | None = None
    permalink: str | None = None
    parties: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def page_path(self, locale: str) -> str:
        return self.path.replace("{locale}", locale)


@dataclass(frozen=True, slots=True)
class Config:
    file: Path
    base: Path
    snapshots: Path
    reports: Path
    cache: Path
    templates: Path | None
    documents: tuple[DocumentConfig, ...]
    base_url: str | None = None

    def document(self, document_id: str) -> DocumentConfig:
        for document in self.documents:
            if document.id == document_id:
                return document
        known = ", ".join(d.id for d in self.documents) or "none"
        raise InputError(f"no document {document_id!r} (configured: {known})", path=str(self.file))


def load_config(path: Path) -> Config:
    """Read and validate a config file; every problem is an `InputError` naming the key."""
    try:
        data = tomllib.loads(_read_config(path).decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputError(f"cannot be read as a config file: {error}", path=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise InputError(
            f"is not valid TOML: {error}", path=str(path), line=int(line.group(1)) if line else None
        ) from None
    return _Validator(path).config(data)


def _read_config(path: Path) -> bytes:
    if not path.exists() and not path.is_symlink():
        raise InputError("no such config file", path=str(path))
    return read_input(path, MAX_CONFIG_BYTES)


def check_page_path(path: str) -> str:
    """A page path inside the repository, as git reads it literally; anything else is refused.

    `../x` and `/etc/passwd` leave the repository, and a leading `:` is pathspec magic
    (`:(exclude)...`) that would make git read other files than the page.
    """
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", ":", "-")) or ".." in parts or "\0" in path or "\n" in path:
        raise InputError(
            f"page path {path!r} must be a relative path inside the repository "
            "(no leading '/', ':' or '-', no '..')"
        )
    return path


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.resolve().parent

    def fail(self, key: str, message: str) -> InputError:
        return InputError(f"{key}: {message}", path=str(self.path))

    def config(self, data: dict[str, Any]) -> Config:
        self._no_unknown("", data, {"output", "documents"})
        output = self._table("output", data.get("output", {}))
        self._no_unknown("output.", output, _OUTPUT_KEYS)
        raw_documents = data.get("documents", [])
        if not isinstance(raw_documents, list):
            raise self.fail("documents", "expected an array of tables ([[documents]])")
        documents = tuple(self._document(i, raw) for i, raw in enumerate(raw_documents))
        seen: set[str] = set()
        for index, document in enumerate(documents):
            if document.id in seen:
                raise self.fail(f"documents[{index}].id", f"duplicate id {document.id!r}")
            seen.add(document.id)
        templates = output.get("templates")
        return Config(
            file=self.path,
            base=self.base,
            snapshots=self._folder("output.snapshots", output.get("snapshots", "snapshots")),
            reports=self._folder("output.reports", output.get("reports", "reports")),
            cache=self._folder("output.cache", output.get("cache", DEFAULT_CACHE)),
            templates=None if templates is None else self._folder("output.templates", templates),
            documents=documents,
            base_url=self._base_url("output.base_url", output.get("base_url")),
        )

    def _no_unknown(self, prefix: str, table: Mapping[str, Any], allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(
                    f"{prefix}{key}", f"unknown key (expected one of: {', '.join(sorted(allowed))})"
                )

    def _table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a table")
        return value

    def _string(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected a non-empty string")
        return value

    def _name(self, key: str, value: Any) -> str:
        text = self._string(key, value)
        if len(text) > NAME_MAX:
            raise self.fail(key, f"is {len(text)} characters long; at most {NAME_MAX}")
        if not _NAME.match(text) or ".." in text:
            raise self.fail(
                key,
                f"{text!r} must be lower-case letters, digits, '.', '_' or '-' (no '/', no '..')",
            )
        return text

    def _folder(self, key: str, value: Any) -> Path:
        return (self.base / self._string(key, value)).resolve()

    def _base_url(self, key: str, value: Any) -> str | None:
        """An absolute http(s) URL, kept with one trailing slash so file names append to it."""
        if value is None:
            return None
        text = self._string(key, value).strip()
        if not _BASE_URL.match(text):
            raise self.fail(key, f"{text!r} must be an absolute http:// or https:// URL")
        return text.rstrip("/") + "/"

    def _document(self, index: int, raw: Any) -> DocumentConfig:
        where = f"documents[{index}]"
        table = self._table(where, raw)
        self._no_unknown(f"{where}.", table, _DOCUMENT_KEYS)
        for required in ("id", "repo", "path", "locales"):
            if required not in table:
                raise self.fail(f"{where}.{required}", "is required")
        locales = table["locales"]
        if not isinstance(locales, list) or not locales:
            raise self.fail(f"{where}.locales", "expected a non-empty list of locales")
        path = self._string(f"{where}.path", table["path"])
        try:
            check_page_path(path)
        except InputError as error:
            raise self.fail(f"{where}.path", error.detail) from None
        if len(locales) > 1 and "{locale}" not in path:
            raise self.fail(
                f"{where}.path", "must contain {locale} when several locales are listed"
            )
        return DocumentConfig(
            id=self._name(f"{where}.id", table["id"]),
            repo=self._string(f"{where}.repo", table["repo"]),
            path=path,
            locales=tuple(self._name(f"{where}.locales[{i}]", v) for i, v in enumerate(locales)),
            ref=self._string(f"{where}.ref", table["ref"]) if "ref" in table else None,
            permalink=self._permalink(f"{where}.permalink", table.get("permalink")),
            parties=self._with_provider(
                self._parties(f"{where}.parties", table.get("parties", {})),
                self._labels(f"{where}.provider", table.get("provider", [])),
            ),
        )

    def _labels(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
            raise self.fail(key, "expected a list of the provider's names")
        return tuple(value)

    @staticmethod
    def _with_provider(
        parties: dict[str, tuple[str, ...]], names: tuple[str, ...]
    ) -> dict[str, tuple[str, ...]]:
        """`provider = [...]` adds to `[documents.parties].provider`."""
        if names:
            parties["provider"] = (*parties.get("provider", ()), *names)
        return parties

    def _permalink(self, key: str, value: Any) -> str | None:
        if value is None:
            return None
        text = self._string(key, value)
        unknown = set(_PLACEHOLDER.findall(text)) - {"commit", "path", "locale"}
        if unknown:
            raise self.fail(
                key,
                f"unknown placeholder {{{sorted(unknown)[0]}}} "
                "(use {commit}, {path}, {locale})",
            )
        return text

    def _parties(self, key: str, value: Any) -> dict[str, tuple[str, ...]]:
        table = self._table(key, value)
        parties = {}
        for party, labels in table.items():
            self._name(f"{key}.{party}", party)
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise self.fail(f"{key}.{party}", "expected a list of header labels")
            parties[party] = tuple(labels)
        return parties
