"""What every command shares: the `raci-tracker` group, its options, reading pages and
snapshot files, and writing to a terminal safely."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from raci_tracker import __version__
from raci_tracker.config import DEFAULT_CACHE, DEFAULT_CONFIG
from raci_tracker.files import guess_locale, read_input
from raci_tracker.lazy import LazyModule
from raci_tracker.lock import DEFAULT_WAIT
from raci_tracker.model import Severity, Snapshot
from raci_tracker.text import terminal_safe

if TYPE_CHECKING:
    from raci_tracker import app, codec
    from raci_tracker.compare import diff as changes
    from raci_tracker.output import formats, lastrun
    from raci_tracker.output import review as reviews
    from raci_tracker.page import parse, validate
else:  # imported when a command first needs them, so `--help` starts fast
    app = LazyModule("raci_tracker.app")
    codec = LazyModule("raci_tracker.codec")
    changes = LazyModule("raci_tracker.compare.diff")
    formats = LazyModule("raci_tracker.output.formats")
    lastrun = LazyModule("raci_tracker.output.lastrun")
    reviews = LazyModule("raci_tracker.output.review")
    parse = LazyModule("raci_tracker.page.parse")
    validate = LazyModule("raci_tracker.page.validate")


EXIT_INPUT_ERROR = 2
SEVERITIES = [s.value for s in Severity]
CACHE = Path(DEFAULT_CACHE)
"""Where `--repo URL` is cloned when no config says otherwise."""


def config_option(function: Any) -> Any:
    """`--config FILE`, `raci-tracker.toml` in the current folder by default."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(path_type=Path),
        default=DEFAULT_CONFIG,
        show_default=True,
        help="The configuration file.",
    )(function)


def lock_wait_option(function: Any) -> Any:
    """`--lock-wait SECONDS`: how long to wait for another run on the same outputs."""
    return click.option(
        "--lock-wait",
        type=click.FloatRange(min=0),
        default=DEFAULT_WAIT,
        show_default=True,
        help="Seconds to wait for another run writing the same outputs before giving up.",
    )(function)


def format_option(*choices: str) -> Callable[[Any], Any]:
    """`--format`, the first choice by default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def load_page(path: Path, locale: str | None) -> Snapshot:
    return parse.parse_page(read_input(path), path=str(path), locale=locale or guess_locale(path))


def load_revision(path: Path) -> Snapshot:
    return parse_revision(read_input(path), path)


def parse_revision(data: bytes, path: Path, name: str | None = None) -> Snapshot:
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


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Every line the command line prints: page text cannot reach the terminal as controls."""
    click.echo(terminal_safe(text), err=err, nl=nl)


def warn(message: str) -> None:
    echo(f"raci-tracker: {message}", err=True)


def echo_output(text: str) -> None:
    echo(text, nl=False)


__all__ = [
    "CACHE",
    "EXIT_INPUT_ERROR",
    "SEVERITIES",
    "app",
    "changes",
    "cli",
    "codec",
    "config_option",
    "echo",
    "echo_output",
    "format_option",
    "formats",
    "lastrun",
    "load_page",
    "load_revision",
    "lock_wait_option",
    "parse",
    "parse_revision",
    "reviews",
    "validate",
    "warn",
]
