"""The command line: a thin click layer over the stages. Exit codes: 0 fine, 1 findings or
changes when asked (`--fail-on`, `--exit-code`), 2 usage or input errors, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import DEFAULT_CONFIG, load_config
from .diff import diff_snapshots
from .errors import InputError, RaciTrackerError
from .files import guess_locale, read_input, write_atomic
from .model import Finding, Severity, Snapshot
from .parse import parse_page
from .pipeline import HistoryListing, PageTarget, PageUpdate, walk_history, write_reports
from .pipeline import run as run_pipeline
from .report import render_diff
from .serialize import diff_to_dict, dumps, history_to_dict, load_snapshot, snapshot_to_json
from .source import check_repository, open_source

EXIT_INPUT_ERROR = 2
_SEVERITIES = [s.value for s in Severity]


def _load_page(path: Path, locale: str | None) -> Snapshot:
    return parse_page(read_input(path), path=str(path), locale=locale or guess_locale(path))


def _load_revision(path: Path) -> Snapshot:
    """A Markdown page, or a snapshot JSON file (by its `.json` name or its leading `{`)."""
    data = read_input(path)
    if path.suffix == ".json" or data.lstrip()[:1] == b"{":
        return load_snapshot(data, path=str(path))
    return parse_page(data, path=str(path), locale=guess_locale(path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="raci-tracker")
def cli() -> None:
    """Track how a published RACI responsibility matrix changes over time."""


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
    data = snapshot_to_json(_load_page(file, locale))
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(output, data)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default="error",
    show_default=True,
    help="Exit 1 when a finding at or above this severity exists.",
)
@click.option("--locale", help="Locale of the pages, when their file names do not say.")
def lint(files: Sequence[Path], output_format: str, fail_on: str, locale: str | None) -> int:
    """Print the findings of RACI pages: unassigned rows, no or several A, odd cells, dates."""
    results: list[tuple[Path, Snapshot]] = []
    failed = False
    for path in files:
        try:
            results.append((path, _load_page(path, locale)))
        except InputError as error:
            click.echo(f"raci-tracker: {error}", err=True)
            failed = True
    if output_format == "json":
        click.echo(dumps({"files": [_lint_json(path, snap) for path, snap in results]}), nl=False)
    else:
        for path, snap in results:
            for item in snap.findings:
                click.echo(_lint_line(path, item))
    if failed:
        return EXIT_INPUT_ERROR
    threshold = Severity(fail_on).rank
    worst = max((f.severity.rank for _, snap in results for f in snap.findings), default=-1)
    return 1 if worst >= threshold else 0


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "md", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when roles changed (major or minor changes), 0 when none.",
)
def diff(old: Path, new: Path, output_format: str, exit_code: bool) -> int:
    """Show who gained or lost which role between two revisions (pages or snapshot JSON)."""
    before, after = _load_revision(old), _load_revision(new)
    result = diff_snapshots(before, after)
    if output_format == "json":
        click.echo(dumps(diff_to_dict(result)), nl=False)
    else:
        click.echo(render_diff(result, before, after, output_format), nl=False)
    return 1 if exit_code and result.has_shifts else 0


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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def history(
    repository: str, page_path: str, ref: str | None, locale: str | None, output_format: str
) -> None:
    """List the dated revisions of a page in a git repository, following renames."""
    spec = check_repository(repository)
    target = PageTarget(
        "history", locale or guess_locale(Path(page_path)) or "", repository, ref, page_path
    )
    with open_source(spec, Path(".cache/raci-tracker"), ref) as source:
        listing = walk_history(source, target)
    if output_format == "json":
        click.echo(dumps(history_to_dict(listing)), nl=False)
    else:
        _print_history(listing)


def _print_history(listing: HistoryListing) -> None:
    for r in listing.revisions:
        edits = f", {len(r.silent_edits)} silent edit(s)" if r.silent_edits else ""
        state = "deleted" if r.status == "deleted" else f"{len(r.snapshot.activities)} activities"
        click.echo(
            f"{r.date}  {r.date_source:<12}  {r.ref.commit[:12]}  {state}  "
            f"({len(r.commits)} commit(s){edits})  {r.ref.path}"
        )
    for rename in listing.renames:
        click.echo(f"renamed at {rename.commit[:12]}: {rename.old_path} -> {rename.new_path}")
    for note in listing.notes:
        click.echo(f"{note.severity.value} [{note.rule}] {note.message}")


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The configuration file.",
)
@click.option("--no-progress", is_flag=True, help="Plain log lines, no progress display.")
def run(config_file: Path, no_progress: bool) -> int:
    """Update snapshots from git, then reports, for every configured page and locale."""
    config = load_config(config_file)
    summary = run_pipeline(config, on_page=_print_page)
    written = sum(page.files_written for page in summary.pages)
    reports = write_reports(config)
    click.echo(
        f"{len(summary.pages)} page(s), {written} snapshot file(s) and {reports} report file(s) "
        f"written, {len(summary.failed)} failed"
    )
    return EXIT_INPUT_ERROR if summary.failed else 0


@cli.command()
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The configuration file.",
)
def report(config_file: Path) -> None:
    """Render every report again from the stored snapshots, without reading git."""
    config = load_config(config_file)
    written = write_reports(config)
    click.echo(f"{written} report file(s) written to {config.reports}")


def _print_page(page: PageUpdate) -> None:
    name = f"{page.document} {page.locale}"
    if page.status == "failed":
        click.echo(f"{name}: failed: {page.error}", err=True)
    elif page.changed_dates:
        click.echo(
            f"{name}: {len(page.changed_dates)} revision(s) taken in "
            f"({', '.join(page.changed_dates)}), {page.files_written} file(s) written"
            + (" (upstream history was rewritten; walked again)" if page.rewritten else "")
        )
    else:
        click.echo(f"{name}: up to date")


def _lint_line(path: Path, item: Finding) -> str:
    where = f"{path}:{item.line}" if item.line else str(path)
    return f"{where}: {item.severity.value} [{item.rule}] {item.message}"


def _lint_json(path: Path, snap: Snapshot) -> dict[str, Any]:
    return {
        "path": str(path),
        "activities": len(snap.activities),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "line": f.line,
                "activity": f.activity,
                "message": f.message,
            }
            for f in snap.findings
        ],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command and turn every failure into a one-line message and exit 2."""
    try:
        result = cli.main(args=argv, prog_name="raci-tracker", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_INPUT_ERROR)
    except click.exceptions.Abort:
        click.echo("raci-tracker: aborted", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    except RaciTrackerError as error:
        click.echo(f"raci-tracker: {error}", err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # the promise is: no traceback, one line, exit 2
        if os.environ.get("RACI_TRACKER_DEBUG"):
            raise
        click.echo(
            f"raci-tracker: internal error: {type(error).__name__}: {error} "
            "(set RACI_TRACKER_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(EXIT_INPUT_ERROR)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
