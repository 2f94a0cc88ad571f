"""Errors raci-tracker reports to its user.

Every error a user can cause (a bad path, a file that is not text, a malformed config) is an
`InputError`: the command line prints its message on one line and exits 2, never a traceback.
"""

from __future__ import annotations


class RaciTrackerError(Exception):
    """Base of every error raci-tracker raises on purpose."""

    exit_code = 2


class OutputError(RaciTrackerError):
    """An output could not be written (read-only folder, disk full); nothing half-written stays."""


class InputError(RaciTrackerError):
    """Input the user gave us cannot be used; the message names the file (and line when known)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        if self.path is None:
            return self.detail
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.detail}"


class UsageError(RaciTrackerError):
    """The command was called with options that do not go together."""


def failure_message(error: BaseException | str) -> str:
    """One line for any failure: our own message, or the kind of an unforeseen error (a page's
    failure in a run, say)."""
    if isinstance(error, str):
        return error
    if isinstance(error, MemoryError):
        return "out of memory"
    if isinstance(error, RaciTrackerError):
        return " ".join(str(error).split())
    return " ".join(f"internal error: {type(error).__name__}: {error}".split())
