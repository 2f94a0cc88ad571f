"""Repositories and refs as a user configures them, checked before git ever sees them, and
where a URL's clone is cached. No git here: `history/source.py` runs it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from raci_tracker.errors import InputError
from raci_tracker.text import short_hash

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)[^\s]+$")
_ALLOWED_SCHEMES = ("https://", "ssh://")


@dataclass(frozen=True, slots=True)
class RepositorySpec:
    """A repository as configured: a URL or a git bundle file, cloned into the cache, or a local
    folder, read in place."""

    text: str
    cloned: bool


def check_repository(spec: str, *, base: Path = Path()) -> RepositorySpec:
    """Accept `https://`, `ssh://`, `git@host:path`, local paths and `.bundle` files; refuse the
    rest.

    `ext::` and `fd::` transports run commands, and a leading `-` would be read as an option,
    so they are refused before git ever sees them.
    """
    text = spec.strip()
    if not text:
        raise InputError("repository is empty")
    if text.startswith("-"):
        raise InputError(f"repository {text!r} looks like an option; refused")
    if "::" in text.split("/", 1)[0] or text.lower().startswith(("ext:", "fd:")):
        raise InputError(f"repository {text!r} uses a transport that runs commands; refused")
    if text.startswith(_ALLOWED_SCHEMES) or _SCP_LIKE.match(text):
        return RepositorySpec(text, cloned=True)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise InputError(
            f"repository {text!r}: scheme {scheme!r} is not supported "
            "(use https://, ssh://, git@host:path or a local path)"
        )
    path = str((base / text).resolve())
    return RepositorySpec(path, cloned=text.endswith(".bundle"))


def cache_folder(cache_root: Path, url: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", url.split("://", 1)[-1]).strip("-")[-60:]
    return cache_root / f"{name}-{short_hash(url)}"


_BAD_REF = re.compile(r"^[-+:]|[\s:^~?*\[\\]|\.\.|@\{|\.lock$|/$|^$")
COMMIT_ID = re.compile(r"^[0-9a-f]{40}$")


def check_ref(ref: str | None) -> str:
    """A branch, tag or full commit id as configured (`HEAD` when none); anything git would read
    as an option or a refspec is refused."""
    name = ref or "HEAD"
    if _BAD_REF.search(name):
        raise InputError(f"ref {name!r} is not a branch, tag or commit id")
    return name


def checked_rev(rev: str) -> str:
    """A revision name for `diff REV:PATH` and `review`; an option-like name is refused."""
    if not rev or rev.startswith("-") or "\n" in rev:
        raise InputError(f"revision {rev!r} is not a revision name")
    return rev
