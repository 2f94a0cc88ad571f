"""The command line: a thin click layer over the stages. Exit codes: 0 fine, 1 findings or
changes when asked (`--fail-on`, `--exit-code`), 2 usage or input errors, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import Progress

from raci_tracker import __version__
from raci_tracker.config import DEFAULT_CACHE, DEFAULT_CONFIG, load_config
from raci_tracker.errors import InputError, RaciTrackerError, UsageError
from raci_tracker.files import MAX_INPUT_BYTES, guess_locale, read_input, write_atomic
from raci_tracker.lazy import LazyModule
from raci_tracker.lock import DEFAULT_WAIT
from raci_tracker.model import Severity, Snapshot
from raci_tracker.notify import ENVIRONMENT, notification_urls
from raci_tracker.output.annotations import unreadable_annotation
from raci_tracker.text import terminal_safe

if TYPE_CHECKING:
    from raci_tracker import app, codec
    from raci_tracker.compare import diff as changes
    from raci_tracker.history.walk import PageUpdate
    from raci_tracker.output import alerts, formats
    from raci_tracker.output import review as reviews
    from raci_tracker.page import parse, validate
else:  # imported when a command first needs them, so `--help` starts fast
    app = LazyModule("raci_tracker.app")
    codec = LazyModule("raci_tracker.codec")
    changes = LazyModule("raci_tracker.compare.diff")
    alerts = LazyModule("raci_tracker.output.alerts")
    formats = LazyModule("raci_tracker.output.formats")
    reviews = LazyModule("raci_tracker.output.review")
    parse = LazyModule("raci_tracker.page.parse")
    validate = LazyModule("raci_tracker.page.validate")

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


def _lock_wait_option(function: Any) -> Any:
    """`--lock-wait SECONDS`: how long to wait for another run on the same outputs."""
    return click.option(
        "--lock-wait",
        type=click.FloatRange(min=0),
        default=DEFAULT_WAIT,
        show_default=True,
        help="Seconds to wait for another run writing the same outputs before giving up.",
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
    return parse.parse_page(read_input(path), path=str(path), locale=locale or guess_locale(path))


def _load_revision(path: Path) -> Snapshot:
    return _parse_revision(read_input(path), path)


def _parse_revision(data: bytes, path: Path, name: str | None = None) -> Snapshot:
    """A Markdown page, or a snapshot JSON file (by its `.json` name or its leading `{`)."""
    if path.suffix == ".json" or data.lstrip()[:1] == b"{":
        where = name or str(path)
        parsed = codec.current_snapshot_data(codec.loads(data, path=where))
        validate.check_snapshot_data(parsed, path=where)
        return codec.snapshot_from_dict(parsed, path=where)
    return parse.parse_page(data, path=name or str(path), locale=guess_locale(path))


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
    data = codec.snapshot_to_json(_load_page(file, locale))
    if output is None:  # same JSON, with any control character as a `\u` escape
        sys.stdout.buffer.write(terminal_safe(data.decode("utf-8")).encode("utf-8"))
        sys.stdout.flush()
    else:
        write_atomic(output, data)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_format_option("text", "json", "github")
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
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
            results.append((str(path), _load_page(path, locale)))
        except InputError as error:
            _warn(str(error))
            if output_format == "github":
                click.echo(unreadable_annotation(str(path), error.detail, error.line))
            failed = True
    _echo_output(formats.format_lint(results, output_format))
    if failed:
        return EXIT_INPUT_ERROR
    threshold = Severity(fail_on).rank
    worst = max((f.severity.rank for _, snap in results for f in snap.findings), default=-1)
    return 1 if worst >= threshold else 0


@cli.command()
@click.argument("old")
@click.argument("new")
@_format_option("text", "md", "json")
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
    _echo_output(formats.format_diff(result, before, after, output_format))
    return 1 if exit_code and result.has_shifts else 0


def _read_stdin() -> bytes:
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"standard input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    return data


def _load_argument(argument: str, repository: Path) -> Snapshot:
    """A file on disk, `-` for standard input, or `REV:PATH` read from git."""
    if argument == "-":
        return _parse_revision(_read_stdin(), Path("<stdin>"))
    path = Path(argument)
    if ":" in argument and not path.exists():
        rev, page_path = argument.split(":", 1)
        data = app.read_revision(repository, rev, page_path)
        return _parse_revision(data, Path(page_path), name=argument)
    return _load_revision(path)


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
@_format_option("text", "md", "json")
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
    _echo_output(reviews.format_review(result, output_format))
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
@_format_option("text", "json")
def history(
    repository: str, page_path: str, ref: str | None, locale: str | None, output_format: str
) -> None:
    """List the dated revisions of a page in a git repository, following renames."""
    listing = app.page_history(repository, page_path, ref, locale, CACHE)
    _echo_output(formats.format_history(listing, output_format))


@cli.command()
@_config_option
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when there are role shifts to alert: new ones, or ones an earlier run took in "
    "and never alerted.",
)
@click.option("--no-progress", is_flag=True, help="Plain log lines, no progress display.")
@_lock_wait_option
@click.option(
    "--notify",
    "notify_urls",
    multiple=True,
    metavar="URL",
    help=f"Apprise URL to notify when role shifts come in (repeatable; also {ENVIRONMENT}, "
    "space-separated).",
)
@click.option(
    "--await-ack",
    is_flag=True,
    help="A later step delivers the shifts too (an issue): record them as alerted only when "
    "`ack-alerts` says it succeeded.",
)
def run(
    config_file: Path,
    exit_code: bool,
    no_progress: bool,
    lock_wait: float,
    notify_urls: Sequence[str],
    await_ack: bool,
) -> int:
    """Update snapshots from git, then reports, for every configured page and locale."""
    config = load_config(config_file)
    urls = notification_urls(notify_urls, os.environ.get(ENVIRONMENT))
    with app.lock_outputs(config, lock_wait, _warn):
        with _progress(len(app.targets(config)), plain=no_progress) as on_page:
            outcome = app.run_and_report(config, on_page)
        for warning in app.record_run(config, outcome, os.environ):
            _warn(warning)
        for problem in app.alert(config, outcome, urls, await_ack=await_ack):
            _warn(f"{reviews.printable(problem)} (the shifts stay pending for the next run)")
    _echo(formats.run_line(outcome))
    if outcome.summary.failed:
        return EXIT_INPUT_ERROR
    return 1 if exit_code and outcome.alert_count else 0


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


@cli.command("ack-alerts")
@_config_option
@_lock_wait_option
def ack_alerts(config_file: Path, lock_wait: float) -> None:
    """Record the shifts the last `run --await-ack` alerted as delivered (after the issue)."""
    config = load_config(config_file)
    with app.lock_outputs(config, lock_wait, _warn):
        count = app.acknowledge_alerts(config)
    if count:
        _echo(f"{count} alerted text(s) recorded in {config.reports / alerts.ALERTED}")
    else:
        _echo("no alert awaits acknowledgement")


@cli.command()
@_config_option
@_lock_wait_option
def report(config_file: Path, lock_wait: float) -> int:
    """Render every report again from the stored snapshots, without reading git."""
    config = load_config(config_file)
    failures: app.PageFailures = {}
    with app.lock_outputs(config, lock_wait, _warn):
        written, _ = app.write_reports(config, failures)
    for (document, locale), message in sorted(failures.items()):
        _echo(f"{document} {locale}: failed: {message}", err=True)
    _echo(f"{written} report file(s) written to {config.reports}")
    return EXIT_INPUT_ERROR if failures else 0


def _print_page(page: PageUpdate) -> None:
    _echo(formats.page_line(page), err=page.error is not None)


def _echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Every line the command line prints: page text cannot reach the terminal as controls."""
    click.echo(terminal_safe(text), err=err, nl=nl)


def _warn(message: str) -> None:
    _echo(f"raci-tracker: {message}", err=True)


def _echo_output(text: str) -> None:
    _echo(text, nl=False)


DATE_HELP = "YYYY-MM-DD; the text in force is the last one committed by the end of that day, UTC"


@cli.command()
@_config_option
@click.option("--doc", "document", help="Document id in the config (default: every document).")
@click.option("--locale", help="Locale (default: the document's first).")
@click.option("--repo", "repository", help="Instead of a config: a repository path or URL.")
@click.option("--path", "page_path", help="With --repo: the page's path in the repository.")
@click.option("--ref", help="With --repo: branch, tag or commit (default HEAD).")
@click.option("--from", "start", required=True, help=f"Date D ({DATE_HELP}).")
@click.option("--to", "end", help=f"Later date ({DATE_HELP}; default: today).")
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
    """Net change between the texts in force at two dates, citing the commits. Without --doc
    or --repo: every configured document and locale."""
    if document is None and repository is None:
        if locale or page_path or ref:
            raise UsageError("--locale goes with --doc; --path and --ref go with --repo")
        view = app.compare_portfolio(config_file, start, end)
        _echo_output(formats.format_portfolio(view, output_format))
        return
    query = app.PageQuery(config_file, document, locale, repository, page_path, ref)
    _echo_output(formats.format_compare(app.compare(query, start, end, CACHE), output_format))


@cli.command("history-of")
@click.argument("activity")
@_config_option
@click.option("--doc", "document", required=True, help="Document id in the config.")
@click.option("--locale", help="Locale (default: the document's first).")
@_format_option("md", "json")
def history_of(
    activity: str, config_file: Path, document: str, locale: str | None, output_format: str
) -> None:
    """Each version in which one activity's letters changed: when, from what, to what, and the
    commit; followed through rewordings and moves. ACTIVITY: its id, or part of its text."""
    view = app.activity_history(app.PageQuery(config_file, document, locale), activity)
    _echo_output(formats.format_activity_history(view, output_format))


@cli.command()
@_config_option
@click.option("--doc", "document", required=True, help="Document id in the config.")
@click.option("--locale", help="Locale (default: the document's first).")
@click.option("--at", "at", help=f"Date ({DATE_HELP}; default: today).")
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
    query = app.PageQuery(config_file, document, locale)
    _echo_output(formats.format_matrix(app.matrix(query, at, party), output_format))


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@_config_option
@click.option("--doc", "document", help="Document id in the config (instead of FILES).")
@click.option("--at", "at", help=f"Date ({DATE_HELP}; default: today).")
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
        view = app.consistency_of_files(
            {_locale_of(path): _load_page(path, None) for path in files}
        )
    elif document:
        view = app.consistency_of_document(config_file, document, at)
    else:
        raise UsageError("give page FILES, or --doc with a config")
    _echo_output(formats.format_consistency(view, output_format))


def _locale_of(path: Path) -> str:
    return guess_locale(path) or str(path)


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
    except UsageError as error:
        click.UsageError(str(error)).show()
        sys.exit(error.exit_code)
    except RaciTrackerError as error:
        _warn(str(error))
        sys.exit(error.exit_code)
    except MemoryError:
        _warn("out of memory")
        sys.exit(EXIT_INPUT_ERROR)
    except Exception as error:  # the promise is: no traceback, one line, exit 2
        if os.environ.get("RACI_TRACKER_DEBUG"):
            raise
        _warn(
            f"internal error: {type(error).__name__}: {error} "
            "(set RACI_TRACKER_DEBUG=1 for details)"
        )
        sys.exit(EXIT_INPUT_ERROR)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
