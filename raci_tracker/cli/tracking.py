"""The scheduled job's commands: run, report, ack-alerts."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from raci_tracker.cli.base import (
    EXIT_INPUT_ERROR,
    app,
    cli,
    config_option,
    echo,
    lastrun,
    lock_wait_option,
    reviews,
    warn,
)
from raci_tracker.config import load_config
from raci_tracker.lazy import LazyModule
from raci_tracker.notify import ENVIRONMENT, notification_urls
from raci_tracker.output.status import ALERTED

if TYPE_CHECKING:
    import rich.console as consoles
    import rich.progress as progresses

    from raci_tracker.history.walk import PageUpdate
else:  # only a progress bar needs rich: a scheduled run with nothing new starts without it
    consoles = LazyModule("rich.console")
    progresses = LazyModule("rich.progress")


@cli.command()
@config_option
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when there are role shifts to alert: new ones, or ones an earlier run took in "
    "and never alerted.",
)
@click.option("--no-progress", is_flag=True, help="Plain log lines, no progress display.")
@lock_wait_option
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
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes a first run over many pages reads its documents with (default: one per "
    "CPU the run may use; 1 reads them one after the other).",
)
def run(
    config_file: Path,
    exit_code: bool,
    no_progress: bool,
    lock_wait: float,
    notify_urls: Sequence[str],
    await_ack: bool,
    jobs: int | None,
) -> int:
    """Update snapshots from git, then reports, for every configured page and locale."""
    config = load_config(config_file)
    urls = notification_urls(notify_urls, os.environ.get(ENVIRONMENT))
    with app.lock_outputs(config, lock_wait, warn):
        with _progress(len(app.targets(config)), plain=no_progress) as on_page:
            outcome = app.run_and_report(config, on_page, jobs)
        for warning in app.record_run(config, outcome, os.environ):
            warn(warning)
        for problem in app.alert(config, outcome, urls, await_ack=await_ack):
            warn(f"{reviews.printable(problem)} (the shifts stay pending for the next run)")
    echo(lastrun.run_line(outcome))
    if outcome.summary.failed:
        return EXIT_INPUT_ERROR
    return 1 if exit_code and outcome.alert_count else 0


@contextmanager
def _progress(total: int, *, plain: bool) -> Iterator[Callable[[PageUpdate], None]]:
    """A progress bar on a terminal; plain log lines when piped, in CI or with --no-progress."""
    console = None if plain or os.environ.get("CI") else consoles.Console(stderr=True)
    if console is None or not console.is_interactive:
        yield _print_page
        return
    # refreshed as pages come, not by a thread of its own: a run forks its workers (`--jobs`),
    # and a fork must not copy a thread in the middle of writing to the terminal
    with progresses.Progress(console=console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task("Tracking pages", total=total)

        def advance(page: PageUpdate) -> None:
            _print_page(page)
            progress.advance(task)
            progress.refresh()

        yield advance


@cli.command("ack-alerts")
@config_option
@lock_wait_option
def ack_alerts(config_file: Path, lock_wait: float) -> None:
    """Record the shifts the last `run --await-ack` alerted as delivered (after the issue)."""
    config = load_config(config_file)
    with app.lock_outputs(config, lock_wait, warn):
        count = app.acknowledge_alerts(config)
    if count:
        echo(f"{count} alerted text(s) recorded in {config.reports / ALERTED}")
    else:
        echo("no alert awaits acknowledgement")


@cli.command()
@config_option
@lock_wait_option
def report(config_file: Path, lock_wait: float) -> int:
    """Render every report again from the stored snapshots, without reading git."""
    config = load_config(config_file)
    failures: app.PageFailures = {}
    with app.lock_outputs(config, lock_wait, warn):
        written, _ = app.write_reports(config, failures)
    for (document, locale), message in sorted(failures.items()):
        echo(f"{document} {locale}: failed: {message}", err=True)
    echo(f"{written} report file(s) written to {config.reports}")
    return EXIT_INPUT_ERROR if failures else 0


def _print_page(page: PageUpdate) -> None:
    echo(lastrun.page_line(page), err=page.error is not None)
