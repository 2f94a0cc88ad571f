"""Commands on pages and revisions: snapshot, lint, diff, review, history."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from raci_tracker.cli.base import (
    CACHE,
    EXIT_INPUT_ERROR,
    SEVERITIES,
    app,
    changes,
    cli,
    codec,
    echo_output,
    format_option,
    formats,
    load_page,
    load_revision,
    parse_revision,
    reviews,
    warn,
)
from raci_tracker.errors import InputError, UsageError
from raci_tracker.files import MAX_INPUT_BYTES, write_atomic
from raci_tracker.model import Severity, Snapshot
from raci_tracker.output.annotations import unreadable_annotation
from raci_tracker.text import terminal_safe


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--locale", help="Locale of the page, when its file name does not say (fr-fr).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the snapshot to this file (atomically) instead of standard output.",
)
def snapshot(file: Path, locale: str | None, output: Path | None) -> None:
    """Print the snapshot JSON of one RACI page (Markdown)."""
    data = codec.snapshot_to_json(load_page(file, locale))
    if output is None:  # same JSON, with any control character as a `\u` escape
        sys.stdout.buffer.write(terminal_safe(data.decode("utf-8")).encode("utf-8"))
        sys.stdout.flush()
    else:
        write_atomic(output, data)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option("text", "json", "github")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="error",
    show_default=True,
    help="Exit 1 when a finding at or above this severity exists.",
)
@click.option("--locale", help="Locale of the pages, when their file names do not say.")
def lint(files: Sequence[Path], output_format: str, fail_on: str, locale: str | None) -> int:
    """Print the findings of RACI pages: unassigned rows, no or several A, odd cells, dates.

    `--format github` writes them as GitHub Actions annotations on the file and line."""
    results: list[tuple[str, Snapshot]] = []
    failed = False
    for path in files:
        try:
            results.append((str(path), load_page(path, locale)))
        except InputError as error:
            warn(str(error))
            if output_format == "github":
                click.echo(unreadable_annotation(str(path), error.detail, error.line))
            failed = True
    echo_output(formats.format_lint(results, output_format))
    if failed:
        return EXIT_INPUT_ERROR
    threshold = Severity(fail_on).rank
    worst = max((f.severity.rank for _, snap in results for f in snap.findings), default=-1)
    return 1 if worst >= threshold else 0


@cli.command()
@click.argument("old")
@click.argument("new")
@format_option("text", "md", "json")
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when roles changed (major or minor changes), 0 when none.",
)
@click.option(
    "--repo",
    "repository",
    type=click.Path(path_type=Path),
    default=".",
    help="Where REV:PATH arguments are read (default: the current repository).",
)
def diff(old: str, new: str, output_format: str, exit_code: bool, repository: Path) -> int:
    """Show who gained or lost which role between two revisions.

    OLD and NEW are pages or snapshot JSON files, `REV:PATH` (a file at a git revision, as
    `git show` takes it) or `-` for standard input."""
    if old == new == "-":
        raise UsageError("only one of OLD and NEW can be standard input (-)")
    before, after = _load_argument(old, repository), _load_argument(new, repository)
    result = changes.diff_snapshots(before, after)
    echo_output(formats.format_diff(result, before, after, output_format))
    return 1 if exit_code and result.has_shifts else 0


def _read_stdin() -> bytes:
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"standard input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    return data


def _load_argument(argument: str, repository: Path) -> Snapshot:
    """A file on disk, `-` for standard input, or `REV:PATH` read from git."""
    if argument == "-":
        return parse_revision(_read_stdin(), Path("<stdin>"))
    path = Path(argument)
    if ":" in argument and not path.exists():
        rev, page_path = argument.split(":", 1)
        data = app.read_revision(repository, rev, page_path)
        return parse_revision(data, Path(page_path), name=argument)
    return load_revision(path)


@cli.command()
@click.argument("base")
@click.argument("head")
@click.option(
    "--repo",
    "repository",
    type=click.Path(path_type=Path),
    default=".",
    help="The docs repository (default: the current one).",
)
@format_option("text", "md", "json")
@click.option("--exit-code", is_flag=True, help="Exit 1 when a role moved on any page.")
@click.option(
    "--fail-on",
    "policy",
    multiple=True,
    help="Exit 1 on: major, minor (any role change), accountability (an A moved), or "
    "party-loses:PARTY (PARTY loses A or R). Repeatable.",
)
@click.option("-v", "--verbose", is_flag=True, help="Name the changed Markdown that is not RACI.")
def review(
    base: str,
    head: str,
    repository: Path,
    output_format: str,
    exit_code: bool,
    policy: Sequence[str],
    verbose: bool,
) -> int:
    """Diff every RACI page changed between two revisions, as a pull request shows them
    (from the merge base of BASE and HEAD, renames followed)."""
    result = app.review_changes(repository, base, head, policy)
    if verbose:
        for path in result.skipped:
            click.echo(f"skipped, not a RACI page: {reviews.printable(path)}", err=True)
    for error in result.errors:
        click.echo(f"raci-tracker: {reviews.printable(error)}", err=True)
    echo_output(reviews.format_review(result, output_format))
    if result.errors:
        return EXIT_INPUT_ERROR
    return 1 if result.breaches or (exit_code and result.has_shifts) else 0


@cli.command()
@click.option(
    "--repo",
    "repository",
    required=True,
    help="Repository: a local path, https://, ssh:// or git@host:path.",
)
@click.option("--path", "page_path", required=True, help="The page's path in the repository.")
@click.option("--ref", help="Branch, tag or commit (default: the repository's HEAD).")
@click.option("--locale", help="Locale of the page, when its file name does not say.")
@format_option("text", "json")
def history(
    repository: str, page_path: str, ref: str | None, locale: str | None, output_format: str
) -> None:
    """List the dated revisions of a page in a git repository, following renames."""
    listing = app.page_outline(repository, page_path, ref, locale, CACHE)
    for piece in formats.history_output(listing, output_format):
        echo_output(piece)
