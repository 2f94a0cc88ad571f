"""The command line: a thin click layer over the stages. Exit codes: 0 fine, 1 findings or
changes when asked (`--fail-on`, `--exit-code`), 2 usage or input errors, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress

from . import __version__
from .changelog import permalink
from .config import DEFAULT_CACHE, DEFAULT_CONFIG, load_config
from .dates import iso_date
from .diff import diff_snapshots
from .diligence import MATRIX_RULES, held_by, in_force, net_change
from .diligence import consistency as check_consistency
from .errors import InputError, RaciTrackerError
from .files import guess_locale, read_input, write_atomic
from .model import CommitRef, Finding, Severity, Snapshot
from .parse import parse_page
from .pipeline import (
    HistoryListing,
    PageTarget,
    PageUpdate,
    record_run,
    repository_revisions,
    run_and_report,
    stored_revisions,
    targets,
    walk_history,
    write_reports,
)
from .report import (
    CompareView,
    MatrixView,
    render_compare,
    render_consistency,
    render_diff,
    render_matrix,
)
from .serialize import (
    consistency_to_dict,
    diff_to_dict,
    dumps,
    finding_to_dict,
    history_to_dict,
    load_snapshot,
    matrix_csv,
    matrix_to_dict,
    net_change_csv,
    net_change_to_dict,
    snapshot_to_json,
)
from .source import check_repository, open_source

EXIT_INPUT_ERROR = 2
_SEVERITIES = [s.value for s in Severity]
CACHE = Path(DEFAULT_CACHE)
"""Where `--repo URL` is cloned when no config says otherwise."""


def _config_option(function: Any) -> Any:
    """`--config FILE`, `raci-tracker.toml` in the current folder by default."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(path_type=Path),
        default=DEFAULT_CONFIG,
        show_default=True,
        help="The configuration file.",
    )(function)


def _format_option(*choices: str) -> Callable[[Any], Any]:
    """`--format`, the first choice by default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


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
@_format_option("text", "json")
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
@_format_option("text", "md", "json")
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
@_format_option("text", "json")
def history(
    repository: str, page_path: str, ref: str | None, locale: str | None, output_format: str
) -> None:
    """List the dated revisions of a page in a git repository, following renames."""
    spec = check_repository(repository)
    target = PageTarget(
        "history", locale or guess_locale(Path(page_path)) or "", repository, ref, page_path
    )
    with open_source(spec, CACHE, ref) as source:
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
@_config_option
@click.option(
    "--exit-code", is_flag=True, help="Exit 1 when this run found new major or minor changes."
)
@click.option("--no-progress", is_flag=True, help="Plain log lines, no progress display.")
def run(config_file: Path, exit_code: bool, no_progress: bool) -> int:
    """Update snapshots from git, then reports, for every configured page and locale."""
    config = load_config(config_file)
    with _progress(len(targets(config)), plain=no_progress) as on_page:
        outcome = run_and_report(config, on_page)
    record_run(config, outcome, os.environ)
    summary = outcome.summary
    changes = outcome.changes
    click.echo(
        f"{len(summary.pages)} page(s): "
        f"{sum(len(p.changed_dates) for p in summary.pages)} new revision(s); "
        f"{changes['major']} major, {changes['minor']} minor, {changes['editorial']} editorial "
        f"change(s); {len(summary.failed)} failed; "
        f"{sum(p.files_written for p in summary.pages)} snapshot file(s) and "
        f"{outcome.reports_written} report file(s) written"
    )
    if summary.failed:
        return EXIT_INPUT_ERROR
    return 1 if exit_code and outcome.shift_count else 0


@contextmanager
def _progress(total: int, *, plain: bool) -> Iterator[Callable[[PageUpdate], None]]:
    """A progress bar on a terminal; plain log lines when piped, in CI or with --no-progress."""
    console = Console(stderr=True)
    if plain or os.environ.get("CI") or not console.is_interactive:
        yield _print_page
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Tracking pages", total=total)

        def advance(page: PageUpdate) -> None:
            _print_page(page)
            progress.advance(task)

        yield advance


@cli.command()
@_config_option
def report(config_file: Path) -> None:
    """Render every report again from the stored snapshots, without reading git."""
    config = load_config(config_file)
    written, _ = write_reports(config)
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


def _date(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    parsed = iso_date(value)
    if parsed is None or len(value.strip()) != 10:
        raise InputError(f"{option}: {value!r} is not a YYYY-MM-DD date")
    return parsed


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _echo_output(text: str) -> None:
    click.echo(text, nl=False)


@cli.command()
@_config_option
@click.option("--doc", "document", help="Document id in the config.")
@click.option("--locale", help="Locale (default: the document's first).")
@click.option("--repo", "repository", help="Instead of a config: a repository path or URL.")
@click.option("--path", "page_path", help="With --repo: the page's path in the repository.")
@click.option("--ref", help="With --repo: branch, tag or commit (default HEAD).")
@click.option("--from", "start", required=True, help="Date D: the revision in force then.")
@click.option("--to", "end", help="Later date (default: today, the latest revision).")
@_format_option("md", "html", "json", "csv")
def compare(
    config_file: Path,
    document: str | None,
    locale: str | None,
    repository: str | None,
    page_path: str | None,
    ref: str | None,
    start: str,
    end: str | None,
    output_format: str,
) -> None:
    """Net change between the revisions in force at two dates, citing the commits."""
    today = _today()
    start_date = _date(start, "--from") or today
    end_date = _date(end, "--to") or today
    if repository and page_path:
        chosen = locale or guess_locale(Path(page_path)) or ""
        revisions = repository_revisions(repository, page_path, ref, chosen, CACHE)
        title, template = page_path, None
    elif document and not repository:
        config = load_config(config_file)
        chosen, revisions = stored_revisions(config, document, locale)
        title, template = document, config.document(document).permalink
    else:
        raise click.UsageError("give --doc (with a config), or --repo and --path")
    if not revisions:
        raise InputError(f"{title}: the page has no revision")
    net = net_change(
        revisions, in_force(revisions, start_date, today), in_force(revisions, end_date, today)
    )
    title = net.end.snapshot.document.title or title

    def link(commit: CommitRef) -> str | None:
        return permalink(template, commit, chosen)

    if output_format == "json":
        _echo_output(dumps(net_change_to_dict(net, link)).decode("utf-8"))
    elif output_format == "csv":
        _echo_output(net_change_csv(net, link))
    else:
        view = CompareView(net, title, chosen, start_date, end_date, link)
        _echo_output(render_compare(view, output_format))


@cli.command()
@_config_option
@click.option("--doc", "document", required=True, help="Document id in the config.")
@click.option("--locale", help="Locale (default: the document's first).")
@click.option("--at", "at", help="Date (default: today, the latest revision).")
@click.option("--party", help="Only what this party holds (customer, provider, ...).")
@_format_option("md", "html", "json", "csv")
def matrix(
    config_file: Path,
    document: str,
    locale: str | None,
    at: str | None,
    party: str | None,
    output_format: str,
) -> None:
    """The matrix in force at a date, or what one party is accountable and responsible for."""
    today = _today()
    when = _date(at, "--at") or today
    config = load_config(config_file)
    _, revisions = stored_revisions(config, document, locale)
    revision = in_force(revisions, when, today)
    snapshot = revision.snapshot
    if party is not None and party not in {p.id for p in snapshot.parties}:
        known = ", ".join(p.id for p in snapshot.parties)
        raise InputError(f"--party: {party!r} is not a party of this page ({known})")
    findings = [f for f in snapshot.findings if f.rule in MATRIX_RULES]
    if output_format == "json":
        held = held_by(snapshot, party) if party else None
        _echo_output(dumps(matrix_to_dict(snapshot, revision, party, held, findings)).decode())
    elif output_format == "csv":
        _echo_output(matrix_csv(snapshot, party))
    else:
        _echo_output(
            render_matrix(MatrixView(snapshot, revision, party, when, findings), output_format)
        )


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@_config_option
@click.option("--doc", "document", help="Document id in the config (instead of FILES).")
@click.option("--at", "at", help="Date (default: today, the latest revisions).")
@_format_option("md", "html", "json")
def consistency(
    files: Sequence[Path],
    config_file: Path,
    document: str | None,
    at: str | None,
    output_format: str,
) -> None:
    """Where the locales of one page disagree: letters, rows, sections and dates."""
    if files:
        pages = {guess_locale(path) or str(path): _load_page(path, None) for path in files}
        title = next(iter(pages.values())).document.title or "the page"
    elif document:
        today = _today()
        config = load_config(config_file)
        when = _date(at, "--at") or today
        pages = {
            locale: in_force(stored_revisions(config, document, locale)[1], when, today).snapshot
            for locale in config.document(document).locales
        }
        title = next(iter(pages.values())).document.title or document
    else:
        raise click.UsageError("give page FILES, or --doc with a config")
    result = check_consistency(pages)
    if output_format == "json":
        _echo_output(dumps(consistency_to_dict(result)).decode("utf-8"))
    else:
        _echo_output(render_consistency(result, output_format, title=title))


def _lint_line(path: Path, item: Finding) -> str:
    where = f"{path}:{item.line}" if item.line else str(path)
    return f"{where}: {item.severity.value} [{item.rule}] {item.message}"


def _lint_json(path: Path, snap: Snapshot) -> dict[str, Any]:
    return {
        "path": str(path),
        "activities": len(snap.activities),
        "findings": [finding_to_dict(f) for f in snap.findings],
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
