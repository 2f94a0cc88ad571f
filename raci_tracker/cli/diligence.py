"""The diligence commands: compare, history-of, matrix, consistency."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from raci_tracker.cli.base import (
    CACHE,
    app,
    cli,
    config_option,
    echo_output,
    format_option,
    formats,
    load_page,
)
from raci_tracker.errors import UsageError
from raci_tracker.files import guess_locale

DATE_HELP = "YYYY-MM-DD; the text in force is the last one committed by the end of that day, UTC"


@cli.command()
@config_option
@click.option("--doc", "document", help="Document id in the config (default: every document).")
@click.option("--locale", help="Locale (default: the document's first).")
@click.option("--repo", "repository", help="Instead of a config: a repository path or URL.")
@click.option("--path", "page_path", help="With --repo: the page's path in the repository.")
@click.option("--ref", help="With --repo: branch, tag or commit (default HEAD).")
@click.option("--from", "start", required=True, help=f"Date D ({DATE_HELP}).")
@click.option("--to", "end", help=f"Later date ({DATE_HELP}; default: today).")
@format_option("md", "html", "json", "csv")
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
        echo_output(formats.format_portfolio(view, output_format))
        return
    query = app.PageQuery(config_file, document, locale, repository, page_path, ref)
    echo_output(formats.format_compare(app.compare(query, start, end, CACHE), output_format))


@cli.command("history-of")
@click.argument("activity")
@config_option
@click.option("--doc", "document", required=True, help="Document id in the config.")
@click.option("--locale", help="Locale (default: the document's first).")
@format_option("md", "json")
def history_of(
    activity: str, config_file: Path, document: str, locale: str | None, output_format: str
) -> None:
    """Each version in which one activity's letters changed: when, from what, to what, and the
    commit; followed through rewordings and moves. ACTIVITY: its id, or part of its text."""
    view = app.activity_history(app.PageQuery(config_file, document, locale), activity)
    echo_output(formats.format_activity_history(view, output_format))


@cli.command()
@config_option
@click.option("--doc", "document", required=True, help="Document id in the config.")
@click.option("--locale", help="Locale (default: the document's first).")
@click.option("--at", "at", help=f"Date ({DATE_HELP}; default: today).")
@click.option("--party", help="Only what this party holds (customer, provider, ...).")
@format_option("md", "html", "json", "csv")
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
    echo_output(formats.format_matrix(app.matrix(query, at, party), output_format))


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@config_option
@click.option("--doc", "document", help="Document id in the config (instead of FILES).")
@click.option("--at", "at", help=f"Date ({DATE_HELP}; default: today).")
@format_option("md", "html", "json")
def consistency(
    files: Sequence[Path],
    config_file: Path,
    document: str | None,
    at: str | None,
    output_format: str,
) -> None:
    """Where the locales of one page disagree: letters, rows, sections and dates."""
    if files:
        view = app.consistency_of_files({_locale_of(path): load_page(path, None) for path in files})
    elif document:
        view = app.consistency_of_document(config_file, document, at)
    else:
        raise UsageError("give page FILES, or --doc with a config")
    echo_output(formats.format_consistency(view, output_format))


def _locale_of(path: Path) -> str:
    return guess_locale(path) or str(path)
