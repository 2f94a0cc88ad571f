"""raci-tracker's version: the one place it is written (`pyproject.toml` reads it from here).

A constant rather than the installed package's metadata, which costs a scan of the installed
distributions at every start."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

__version__ = "0.1.0"

_CODE = ("*.py", "*.j2", "*.json")


@cache
def code_digest() -> str:
    """The version and a SHA-256 of the package's own files (code, templates, schemas): what the
    reports were rendered by. An upgrade that keeps the version number (a checkout of another
    commit) still renders the reports again."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for pattern in _CODE:
        for path in sorted(package.rglob(pattern)):
            digest.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"
