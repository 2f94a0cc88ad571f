"""Git history of a tracked page: the only module that imports GitPython.

One `git log --first-parent --follow --raw` lists every commit that touched the page, oldest
first, with the page's path, mode and blob id at each commit, across renames and moves (not
copies: a page created by copying another starts its own history); paths are literal. From the
third listing at the same head, the listings are read from one `git log` of the whole
repository instead (see `listing.py`), with the same result. Blobs are then read by id through
GitPython's persistent `cat-file` process, never by walking trees. A URL is cloned once into a
cache folder as a blob-less partial clone and fetched incrementally.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from git import Repo
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from raci_tracker.errors import InputError
from raci_tracker.history.gitraw import ChangedPage, changed_page, read_page_commit
from raci_tracker.history.listing import NestedRename, RepositoryLog
from raci_tracker.history.repositories import (
    COMMIT_ID,
    RepositorySpec,
    cache_folder,
    check_ref,
    checked_rev,
)
from raci_tracker.lock import hold
from raci_tracker.model import PageCommit

_LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}  # a path is a file name, never a pattern
ONE_PASS_FROM = 3
"""Listings at one head after which the whole repository's log is read: it costs about two or
three pages' own `git log --follow`, so a run where one or two pages changed lists them alone."""


class GitSource:
    """An opened repository; use as a context manager so git's helper processes are closed."""

    def __init__(self, path: Path, *, remote: bool = False) -> None:
        try:
            self._repo = Repo(path)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise InputError("is not a git repository", path=str(path)) from None
        self.path = path
        self.remote = remote
        self._changed: dict[tuple[str, str], frozenset[str]] = {}
        self._heads: dict[str | None, str] = {}
        self.one_pass: bool | None = None  # None: from the `ONE_PASS_FROM`th listing at a head
        self._logs: dict[str, RepositoryLog | None] = {}  # None: read page by page
        self._listings: dict[str, int] = {}
        self._changes_at: dict[str, list[PageCommit]] = {}
        self._yes: set[tuple[str, str, str]] = set()  # see `_asked`

    def __enter__(self) -> GitSource:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._repo.close()

    @property
    def is_shallow(self) -> bool:
        return (Path(self._repo.git_dir) / "shallow").exists()

    def resolve(self, ref: str | None) -> str:
        """The commit a ref names (`HEAD` when none); for a clone, the remote's branch. Asked of
        git once per ref: every page of a run reads the repository as it was when it started."""
        if ref not in self._heads:
            self._heads[ref] = self._resolve(ref)
        return self._heads[ref]

    def _resolve(self, ref: str | None) -> str:
        candidates = [ref or "HEAD"]
        if self.remote:
            candidates.insert(0, f"refs/raci/{ref or 'HEAD'}")
        for candidate in candidates:
            if candidate.startswith("-") or "\n" in candidate:
                break
            try:
                return str(
                    self._repo.git.rev_parse("--verify", "--quiet", f"{candidate}^{{commit}}")
                )
            except GitCommandError:
                continue
        raise InputError(f"ref {ref or 'HEAD'!r} does not exist", path=str(self.path))

    def has_commit(self, commit: str) -> bool:
        return self._asked(("has", commit, ""), lambda: self._has_commit(commit))

    def _asked(self, key: tuple[str, str, str], ask: Callable[[], bool]) -> bool:
        """git's answer, kept when yes: the pages of a run ask alike. A no (or a failure of
        git) is asked again, so one failure does not send every page to a full walk."""
        if key in self._yes:
            return True
        answer = ask()
        if answer:
            self._yes.add(key)
        return answer

    def _has_commit(self, commit: str) -> bool:
        try:
            self._repo.git.cat_file("-e", f"{commit}^{{commit}}")
        except GitCommandError:
            return False
        return True

    def is_ancestor(self, older: str, newer: str) -> bool:
        try:
            self._repo.git.merge_base("--is-ancestor", older, newer)
        except GitCommandError:
            return False
        return True

    def blob_size(self, blob: str) -> int:
        """A blob's size in bytes, asked of git without reading the blob: check it before
        `read_blob`, so a 2 GB blob is refused without being read."""
        return int(self._repo.odb.info(bytes.fromhex(blob)).size)

    def is_first_parent_ancestor(self, older: str, newer: str) -> bool:
        """True when `older` is on the first-parent line of `newer`: the published history. A
        "foxtrot" merge keeps the old tip as an ancestor, but off that line."""
        key = ("first-parent", older, newer)
        return self._asked(key, lambda: self._is_first_parent_ancestor(older, newer))

    def _is_first_parent_ancestor(self, older: str, newer: str) -> bool:
        try:
            listed = self._repo.git.rev_list("--first-parent", newer, "--not", f"{older}^@")
        except GitCommandError:
            return False
        return older in listed.split()

    def page_commits(self, head: str, path: str) -> list[PageCommit]:
        """Every first-parent commit that touched `path`, oldest first, following renames.

        The path is literal (`guide[1].md` is that file, not a pattern); a path no commit touched
        and a folder are input errors naming the path."""
        if self.is_shallow:
            raise InputError(
                "is a shallow clone: its history is incomplete, so revisions would "
                "be missing (fetch it whole: git fetch --unshallow)",
                path=str(self.path),
            )
        commits = self._follow(head, path)
        if not commits:
            raise InputError(
                f"no commit of {head[:12]} touches {path!r}; check the path "
                "(it is read literally, not as a pattern)"
            )
        if commits[-1].path != path:
            raise InputError(f"{path!r} is a folder, not a page: give the path of a file")
        return commits

    def _follow(self, head: str, path: str) -> list[PageCommit]:
        return self._follow_in_log(head, path) or self._follow_page(head, path)

    def _follow_in_log(self, head: str, path: str) -> list[PageCommit] | None:
        log = self._repository_log(head)
        try:
            return log.follow(os.fsencode(path), self._follow_at) if log else None
        except NestedRename:
            return None

    def _repository_log(self, head: str) -> RepositoryLog | None:
        """The whole repository's log at `head`, once `ONE_PASS_FROM` listings were asked for
        there; None while pages are listed one by one, and when git's output is not understood
        (each page then gets its own `git log --follow`)."""
        self._listings[head] = self._listings.get(head, 0) + 1
        enough = self._listings[head] >= ONE_PASS_FROM
        wanted = self.one_pass if self.one_pass is not None else enough
        if wanted and head not in self._logs:
            try:
                self._logs[head] = RepositoryLog(self._log_all(head))
            except ValueError:
                self._logs[head] = None
        return self._logs.get(head) if wanted else None

    def _log_all(self, head: str) -> bytes:
        output: bytes = self._repo.git.log(
            "--first-parent", "--diff-merges=first-parent", "--no-renames",
            "--format=%x01%H%x00%ct", "--raw", "--no-abbrev", "-z", head,
            stdout_as_string=False,
        )  # fmt: skip
        return output

    def _follow_at(self, commit: str, path: bytes) -> tuple[PageCommit, bytes] | None:
        """`git log --follow`'s view of one commit that creates `path`: its rename or copy into
        the path (and the path the walk goes on with), or the plain addition."""
        output = self._log(commit, os.fsdecode(path), "--max-count=1")
        chunk = output.partition(b"\x01")[2]
        page_commit = read_page_commit(chunk)
        if page_commit is None:
            return None
        tokens = [t for t in chunk.split(b"\x00") if t.strip()]
        return page_commit, tokens[3] if page_commit.status == "R" else path

    def _follow_page(self, head: str, path: str) -> list[PageCommit]:
        newest_first: list[PageCommit] = []
        for chunk in self._log(head, path).split(b"\x01"):
            page_commit = read_page_commit(chunk)
            if page_commit is None:
                continue
            if page_commit.status != "C":
                newest_first.append(page_commit)
                continue
            # --follow also follows copies. A page created as a copy of another (a new locale
            # from an existing one) is a new page: its history starts here. A path with its own
            # earlier history (a restored page git sees as a copy of a sibling) keeps it.
            parent = f"{page_commit.commit}^1"
            earlier = self._follow_page(parent, path) if self.has_commit(parent) else []
            if earlier:
                page_commit = replace(page_commit, status="A", previous_path=None)
            newest_first.append(page_commit)
            return earlier + newest_first[::-1]
        return newest_first[::-1]

    def page_edits_after(self, since: str, head: str, path: str) -> list[PageCommit] | None:
        """The first-parent commits after `since` up to `head` that edited the page at `path` in
        place, oldest first; None when one did more (added, deleted, moved or retyped it) or none
        touched it: then only its whole history, `page_commits`, says where it went."""
        output: bytes = self._repo.git.log(
            "--first-parent", "--diff-merges=first-parent", "--no-renames",
            "--format=%x01%H%x00%ct", "--raw", "--no-abbrev", "-z", f"{since}..{head}",
            "--", path, stdout_as_string=False, env=_LITERAL,
        )  # fmt: skip
        edits = [c for chunk in output.split(b"\x01") if (c := read_page_commit(chunk))]
        if not edits or any(c.status != "M" or c.path != path for c in edits):
            return None
        return edits[::-1]

    def paths_changed(self, since: str, head: str) -> frozenset[str]:
        """Every path a first-parent commit after `since` up to `head` changed (a rename as the
        deletion and the addition it is), in one `git log` for every page of the repository."""
        key = (since, head)
        if key not in self._changed:
            output: bytes = self._repo.git.log(
                "--first-parent", "--diff-merges=first-parent", "--no-renames",
                "--name-only", "--format=", "-z", f"{since}..{head}",
                stdout_as_string=False,
            )  # fmt: skip
            tokens = output.split(b"\x00")
            # a newline separates commits: kept both ways, since a page's name may hold one too
            names = {*tokens, *(t.lstrip(b"\n") for t in tokens)}
            self._changed[key] = frozenset(
                n.decode("utf-8", "backslashreplace") for n in names if n
            )
        return self._changed[key]

    def _log(self, head: str, path: str, *options: str) -> bytes:
        output: bytes = self._repo.git.log(
            *options, "--first-parent", "--follow", "--format=%x01%H%x00%ct", "--raw",
            "--no-abbrev", "-z", head, "--", path, stdout_as_string=False, env=_LITERAL,
        )  # fmt: skip
        return output

    def changes_at(self, commit: str) -> list[PageCommit]:
        """What a commit changed against its first parent, with renames detected (asked of git
        once per commit: a folder move is looked at by every page it moved)."""
        if commit not in self._changes_at:
            self._changes_at[commit] = self._diff_tree(commit)
        return self._changes_at[commit]

    def _diff_tree(self, commit: str) -> list[PageCommit]:
        output = self._repo.git.diff_tree(
            "-r", "-M", "--raw", "--no-abbrev", "-z", "--no-commit-id",
            f"{commit}^1", commit, stdout_as_string=False,
        )  # fmt: skip
        entries = output.split(b":")[1:]
        return [c for e in entries if (c := read_page_commit(b"0\x000\x00:" + e)) is not None]

    def blob_at(self, commit: str, path: str) -> str | None:
        """The blob id of `path` at `commit`, or None when it has no file there."""
        try:
            return str(self._repo.git.rev_parse("--verify", "--quiet", f"{commit}:{path}"))
        except GitCommandError:
            return None

    def prefetch(self, blobs: Iterable[str]) -> None:
        """Bring the blobs a partial clone lacks in one fetch, not one round trip per blob."""
        wanted = sorted(set(blobs))
        if self.remote and wanted and self._is_partial():
            self._prefetch(wanted)

    def _is_partial(self) -> bool:
        """A blob-less clone (a bundle clones whole, since bundles cannot filter)."""
        with self._repo.config_reader() as config:
            return bool(config.get_value('remote "origin"', "promisor", default=False))

    def read_blob(self, blob: str) -> bytes:
        data: bytes = self._repo.odb.stream(bytes.fromhex(blob)).read()
        return data

    def _prefetch(self, blobs: list[str]) -> None:
        with tempfile.TemporaryFile() as wanted:
            wanted.write("".join(f"{blob}\n" for blob in blobs).encode("ascii"))
            wanted.seek(0)
            self._repo.git.execute(
                ["git", "-c", "fetch.negotiationAlgorithm=noop", "fetch", "origin", "--no-tags",
                 "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none",
                 "--stdin"],
                istream=wanted,
            )  # fmt: skip


_COMPLETE = "raci-tracker-clone-complete"


def clone_or_fetch(url: str, folder: Path, ref: str | None) -> None:
    """A blob-less partial clone on first use, then an incremental fetch of the ref.

    The cache is keyed by URL: documents on several branches, tags or commits of one repository
    share it, each fetched into `refs/raci/<ref>`. A clone is made in a temporary folder and
    renamed into place once complete, so a run killed mid-clone never leaves a cache that looks
    cloned; a lock beside the folder keeps two runs from cloning or fetching it at once.
    """
    name = check_ref(ref)
    with hold(folder.with_name(f"{folder.name}.lock")):
        for leftover in folder.parent.glob(f".{folder.name}.*.cloning"):
            shutil.rmtree(leftover, ignore_errors=True)  # a killed run's
        if not (folder / _COMPLETE).exists():
            _clone(url, folder)
        _fetch(folder, name)


def _clone(url: str, folder: Path) -> None:
    """Clone into `.NAME.PID.cloning` beside the cache folder, then rename it into place.

    The name is this run's own: a killed run's `git clone` may live on and keep writing to its
    folder, which is only removed by a later clone.
    """
    shutil.rmtree(folder, ignore_errors=True)  # a cache from before the completion marker
    temporary = folder.with_name(f".{folder.name}.{os.getpid()}.cloning")
    options = ["--filter=blob:none", "--bare", "--no-tags", "--single-branch"]
    try:
        Repo.clone_from(url, temporary, multi_options=options).close()
        (temporary / _COMPLETE).write_text("a complete clone\n", encoding="utf-8")
        temporary.rename(folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _fetch(folder: Path, name: str) -> None:
    with Repo(folder) as repo:
        if COMMIT_ID.match(name) and _has_commit(repo, name):
            return  # a commit never changes: nothing to fetch
        repo.git.fetch("origin", "--no-tags", "--no-write-fetch-head", f"+{name}:refs/raci/{name}")


def _has_commit(repo: Repo, commit: str) -> bool:
    try:
        repo.git.cat_file("-e", f"{commit}^{{commit}}")
    except GitCommandError:
        return False
    return True


def git_failure(error: GitCommandError) -> str:
    """git's own `fatal:` (or `error:`) line, not GitPython's framing around it."""
    text = error.stderr or str(error)
    lines = [line.strip().strip("'").strip() for line in text.splitlines()]
    lines = [line.removeprefix("stderr: ").strip("'").strip() for line in lines if line]
    for prefix in ("fatal:", "error:"):
        found = [line for line in lines if line.startswith(prefix)]
        if found:
            return found[-1]
    return next((line for line in reversed(lines) if line), "git failed")


def open_source(spec: RepositorySpec, cache_root: Path, ref: str | None) -> GitSource:
    """Open a local repository, or bring a URL's clone in the cache up to date and open it."""
    if not spec.cloned:
        return GitSource(Path(spec.text))
    folder = cache_folder(cache_root, spec.text)
    try:
        clone_or_fetch(spec.text, folder, ref)
    except GitCommandError as error:
        raise InputError(f"cannot clone or fetch {spec.text}: {git_failure(error)}") from None
    return GitSource(folder, remote=True)


# --- reading revisions for `diff REV:PATH` and `review` -----------------------------------------


def open_local(path: Path) -> GitSource:
    """A local repository (or the one a folder is inside), read in place."""
    try:
        root = Repo(path, search_parent_directories=True).working_tree_dir or str(path)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise InputError("is not inside a git repository", path=str(path)) from None
    return GitSource(Path(root))


def read_at(source: GitSource, rev: str, path: str) -> bytes:
    """The bytes of `path` at revision `rev` (`git show REV:PATH`)."""
    spec = f"{checked_rev(rev)}:{path.lstrip('/')}"
    try:
        blob = str(source._repo.git.rev_parse("--verify", "--quiet", spec))
        kind = str(source._repo.git.cat_file("-t", blob))
    except GitCommandError:
        raise InputError(f"{spec}: no such file at that revision", path=str(source.path)) from None
    if kind != "blob":
        raise InputError(f"{spec}: is a {kind}, not a file", path=str(source.path))
    return source.read_blob(blob)


def review_base(source: GitSource, base: str, head: str) -> str:
    """Where a pull request from `head` into `base` starts: their merge base, as GitHub's
    "Files changed" shows it; `base` itself when the two share no history."""
    start, end = source.resolve(checked_rev(base)), source.resolve(checked_rev(head))
    try:
        return str(source._repo.git.merge_base(start, end)).strip()
    except GitCommandError:
        return start


def changed_markdown(source: GitSource, base: str, head: str) -> list[ChangedPage]:
    """Markdown files added, modified, renamed or deleted from `base` to `head`, by path."""
    output = source._repo.git.diff(
        "--raw",
        "-M",
        "--no-abbrev",
        "-z",
        checked_rev(base),
        checked_rev(head),
        "--",
        "*.md",
        "*.markdown",
        stdout_as_string=False,
    )
    tokens = output.split(b"\x00")
    pages: list[ChangedPage] = []
    index = 0
    while index < len(tokens) - 1:
        page, index = changed_page(tokens, index)
        pages.append(page)
    return sorted(pages, key=lambda page: page.path)
