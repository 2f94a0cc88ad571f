"""Real git repositories for tests, built with the git command line and fixed dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

BASE_TIME = 1688000000  # 2023-06-29T00:53:20Z


def run_git(root: Path, *args: str, when: int | None = None) -> str:
    """Run git in `root` with no user or system config, at a fixed date when given."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when is not None:
        stamp = f"@{when} +0000"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


class GitRepo:
    """A repository in a temporary folder; every commit gets the next fixed timestamp."""

    def __init__(self, root: Path, branch: str = "main") -> None:
        self.root = root
        self.clock = BASE_TIME
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", branch)
        self.git("config", "user.name", "Docs Writer")
        self.git("config", "user.email", "docs@example.invalid")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, when: int | None = None) -> str:
        return run_git(self.root, *args, when=when)

    def write(self, path: str, content: str | bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)

    def commit(self, message: str, *, at: int | None = None) -> str:
        """Stage everything and commit; returns the new commit id."""
        self.clock = at if at is not None else self.clock + 3600
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, when=self.clock)
        return self.head()

    def save(self, path: str, content: str | bytes, message: str | None = None) -> str:
        self.write(path, content)
        return self.commit(message or f"Update {path}")

    def move(self, old: str, new: str) -> str:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)
        return self.commit(f"Move {old} to {new}")

    def remove(self, path: str) -> str:
        self.git("rm", "-q", path)
        return self.commit(f"Remove {path}")

    def alert_key(self, page: str, commit: str, path: str, occurrence: int = 1) -> str:
        """The name `alerted.json` gives the text `path` had at `commit` (`<page>` is
        `<doc>/<locale>`): its blob, and the how-manieth time the page had it."""
        return f"{page}/{self.git('rev-parse', f'{commit}:{path}').strip()}#{occurrence}"

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")
