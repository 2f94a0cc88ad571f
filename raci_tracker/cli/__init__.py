"""The command line: a thin click layer over the stages. Exit codes: 0 fine, 1 findings or
changes when asked (`--fail-on`, `--exit-code`), 2 usage or input errors, never a traceback.

The commands live by user: `pages` (snapshot, lint, diff, review, history), `tracking` (run,
report, ack-alerts), `diligence` (compare, history-of, matrix, consistency); `base` has what they
share. Importing this package registers them all on the `raci-tracker` group, and has the
process collect its garbage less often (`heap.collect_less_often`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from raci_tracker.heap import collect_less_often, exit_untraced

collect_less_often()  # before the commands' modules are imported: importing is most of a short run

import click  # noqa: E402

from raci_tracker.cli import diligence, pages, tracking  # noqa: E402
from raci_tracker.cli.base import EXIT_INPUT_ERROR, cli, warn  # noqa: E402
from raci_tracker.errors import RaciTrackerError, UsageError  # noqa: E402

COMMANDS = (pages, tracking, diligence)
"""The command modules, imported for the commands they register on `cli`."""

__all__ = ["COMMANDS", "cli", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the command and turn every failure into a one-line message and exit 2."""
    exit_untraced()
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
        warn(str(error))
        sys.exit(error.exit_code)
    except MemoryError:
        warn("out of memory")
        sys.exit(EXIT_INPUT_ERROR)
    except Exception as error:  # the promise is: no traceback, one line, exit 2
        if os.environ.get("RACI_TRACKER_DEBUG"):
            raise
        warn(
            f"internal error: {type(error).__name__}: {error} "
            "(set RACI_TRACKER_DEBUG=1 for details)"
        )
        sys.exit(EXIT_INPUT_ERROR)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
