"""The cache key of a config's clones: a hash of every repository's upstream head, so a new cache
is saved only when upstream moved. Writes `key`, `prefix` and `path` (the config's clone folder)
to the step's outputs; a repository that cannot be read gets a warning with git's own reason.

Usage: python upstream_key.py CONFIG
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

DEFAULT_CACHE = ".cache/raci-tracker"


def escape(text: str, *, prop: bool = False) -> str:
    """The runner's escaping for a workflow command's message, or a property with `prop`."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def upstream_head(repository: str, ref: str | None) -> str:
    if repository.startswith("-"):
        return "refused"
    done = subprocess.run(
        ["git", "ls-remote", repository, ref or "HEAD"], capture_output=True, text=True, check=False
    )
    if done.returncode == 0 and done.stdout.strip():
        return done.stdout.split()[0]
    reason = " ".join(done.stderr.split()) or f"no ref {ref or 'HEAD'}"
    shown = re.sub(r"//[^/@]*@", "//", repository)  # never a token from a URL
    print(f"::warning title={escape(f'cannot read {shown}', prop=True)}::{escape(reason)}")
    return "unknown"


def outputs(config: Path) -> dict[str, str]:
    data = tomllib.loads(config.read_text("utf-8"))
    base = config.parent
    sources = sorted({(d["repo"], d.get("ref")) for d in data.get("documents", [])}, key=str)
    heads = {
        f"{repo}#{ref or 'HEAD'}": upstream_head(
            repo if "://" in repo or "@" in repo else str(base / repo), ref
        )
        for repo, ref in sources
    }
    digest = hashlib.sha256(json.dumps(heads, sort_keys=True).encode()).hexdigest()[:20]
    prefix = f"raci-tracker-{config.stem}-"
    cache = os.path.normpath(base / data.get("output", {}).get("cache", DEFAULT_CACHE))
    return {"key": prefix + digest, "prefix": prefix, "path": cache}


if __name__ == "__main__":
    with Path(os.environ["GITHUB_OUTPUT"]).open("a", encoding="utf-8") as handle:
        for name, value in outputs(Path(sys.argv[1])).items():
            handle.write(f"{name}={value}\n")
