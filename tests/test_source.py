"""Repositories: which URLs are accepted, and the partial clone kept in the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from raci_tracker.errors import InputError
from raci_tracker.history.repositories import cache_folder, check_repository
from raci_tracker.history.source import GitSource, clone_or_fetch, open_source
from tests.gitrepo import GitRepo, run_git


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ovh/docs.git",
        "ssh://git@github.com/ovh/docs.git",
        "git@github.com:ovh/docs.git",
    ],
)
def test_accepted_urls(url: str) -> None:
    spec = check_repository(url)

    assert (spec.text, spec.cloned) == (url, True)


def test_local_paths_resolve_against_the_base(tmp_path: Path) -> None:
    spec = check_repository("upstream/docs", base=tmp_path)

    assert (spec.text, spec.cloned) == (str(tmp_path / "upstream/docs"), False)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ext::sh -c touch% /tmp/pwned", "runs commands"),
        ("fd::3", "runs commands"),
        ("EXT::sh -c id", "runs commands"),
        ("--upload-pack=touch /tmp/pwned", "looks like an option"),
        ("-oProxyCommand=id", "looks like an option"),
        ("file:///etc", "scheme 'file' is not supported"),
        ("http://example.com/docs.git", "scheme 'http' is not supported"),
        ("", "repository is empty"),
    ],
)
def test_refused_urls(url: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_repository(url)


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a git repository"):
        GitSource(tmp_path)


def test_unknown_ref(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("page.md", "x\n")

    with GitSource(repo.root) as source, pytest.raises(InputError, match="'nope' does not exist"):
        source.resolve("nope")


def test_partial_clone_then_incremental_fetch(tmp_path: Path) -> None:
    """A blob-less clone into the cache, blobs fetched in one go, then only what is new."""
    upstream = GitRepo(tmp_path / "upstream")
    upstream.git("config", "uploadpack.allowFilter", "true")
    first = upstream.save("page.md", "first\n")
    url = f"file://{upstream.root}"
    folder = cache_folder(tmp_path / "cache", url)

    clone_or_fetch(url, folder, None)
    blobs_missing = run_git(folder, "rev-list", "--objects", "--missing=print", "--all")
    with GitSource(folder, remote=True) as source:
        (commit,) = source.page_commits(source.resolve(None), "page.md")
        source.prefetch([commit.blob or ""])
        content = source.read_blob(commit.blob or "")

    assert commit.commit == first
    assert "?" in blobs_missing  # the clone holds no blob until one is asked for
    assert content == b"first\n"

    second = upstream.save("page.md", "second\n")
    clone_or_fetch(url, folder, None)
    with GitSource(folder, remote=True) as source:
        assert source.resolve(None) == second
        assert [c.commit for c in source.page_commits(second, "page.md")] == [first, second]


def test_a_page_copied_from_another_starts_its_own_history(tmp_path: Path) -> None:
    """git --follow reports a new locale copied from an existing one as C; we stop there."""
    repo = GitRepo(tmp_path / "upstream")
    text = "---\nupdated: 2023-01-01\n---\n" + "| Activity | Customer | OVHcloud |\n" * 20
    repo.save("guide.fr-fr.md", text)
    repo.save("guide.fr-fr.md", text + "| More | RA | I |\n")
    copied = repo.save("guide.en-gb.md", text + "| More | RA | I |\n| Even more | I | RA |\n")

    with GitSource(repo.root) as source:
        commits = source.page_commits(source.resolve(None), "guide.en-gb.md")

    assert [(c.commit, c.status, c.path) for c in commits] == [(copied, "C", "guide.en-gb.md")]


def test_a_git_bundle_is_cloned_into_the_cache(tmp_path: Path) -> None:
    """The sample history ships as a bundle; it reads like any repository."""
    upstream = GitRepo(tmp_path / "upstream")
    first = upstream.save("page.md", "first\n")
    upstream.git("bundle", "create", str(tmp_path / "docs.bundle"), "HEAD", "main")
    spec = check_repository("docs.bundle", base=tmp_path)

    with open_source(spec, tmp_path / "cache", None) as source:
        (commit,) = source.page_commits(source.resolve(None), "page.md")
        source.prefetch([commit.blob or ""])
        content = source.read_blob(commit.blob or "")

    assert spec.cloned
    assert (commit.commit, content) == (first, b"first\n")


def test_a_blob_size_is_known_without_reading_the_blob(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "upstream")
    repo.save("page.md", "x" * 12_345)

    with GitSource(repo.root) as source:
        (commit,) = source.page_commits(source.resolve(None), "page.md")
        assert source.blob_size(commit.blob or "") == 12_345
