"""The tiny upstream history the committed version-1 store (`tests/fixtures/store-v1/`) was
written from, by `raci-tracker run` at the release before versions were stored.

Rebuilding it gives the same commit ids (fixed dates and authors), so a test can point today's
code at the old store and the same repository and check the store is migrated in place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.gitrepo import GitRepo
from tests.helpers import FIXTURES

PATH = "guide.{locale}.md"
CONFIG = """\
[output]
snapshots = "snapshots"
reports = "reports"
cache = "cache"

[[documents]]
id = "kube"
repo = "upstream"
path = "guide.{locale}.md"
locales = ["fr-fr", "en-gb"]
"""


def page(updated: str | None, backups: str, extra: str = "") -> str:
    front = f"---\ntitle: RACI\nupdated: {updated}\n---\n" if updated else "---\ntitle: RACI\n---\n"
    return (
        f"{front}\n### 1. Service\n\n| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        f"| Back up the data | {backups} |\n| Install the cluster | I | RA |\n{extra}"
    )


def build_upstream(root: Path) -> GitRepo:
    """fr-fr: a dated text, a silent edit, a new date; en-gb: undated, two commits a day."""
    repo = GitRepo(root)
    repo.save("guide.fr-fr.md", page("2023-01-01", "I | RA"))
    repo.save("guide.en-gb.md", page(None, "I | RA"))
    repo.save("guide.fr-fr.md", page("2023-01-01", "RA | I"))
    repo.save("guide.en-gb.md", page(None, "RA | I"))
    repo.save("guide.fr-fr.md", page("2023-02-01", "RA | I", "| Patch the nodes | I | RA |\n"))
    return repo


def write_config(folder: Path) -> Path:
    config = folder / "raci-tracker.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def tracker_with_store(folder: Path, fixture: str) -> Path:
    """`folder` set up as a tracker whose store was written by earlier code: the upstream it was
    written from, the store from `tests/fixtures/<fixture>`, and the config."""
    build_upstream(folder / "upstream")
    shutil.copytree(FIXTURES / fixture, folder / "snapshots")
    write_config(folder)
    return folder
