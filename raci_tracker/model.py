"""The domain vocabulary of raci-tracker: plain, typed values with no I/O.

Every stage (parse, store, diff, report) takes and returns these types; third-party
output is translated into them at the boundary of the module that owns the library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

ROLE_LETTERS = "RACI"
"""The canonical order of role letters in an assignment ("AR" is written "RA")."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class DateSource(StrEnum):
    FRONT_MATTER = "front-matter"
    BODY = "body"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Party:
    """A column of the matrix: `id` is normalised (`customer`, `provider`), `label` as written."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Section:
    number: str
    title: str
    line: int


@dataclass(frozen=True, slots=True)
class Activity:
    """One row of a RACI table: who holds which letters for this activity."""

    id: str
    section: str
    text: str
    line: int
    assignments: Mapping[str, str]

    def holders(self, letter: str) -> list[str]:
        """The parties holding `letter`, in the order of `assignments`."""
        return [party for party, letters in self.assignments.items() if letter in letters]


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a careful reader would raise about a page; never an error that stops parsing."""

    rule: str
    severity: Severity
    line: int | None
    message: str
    activity: str | None = None

    def sort_key(self) -> tuple[int, str, str, str]:
        return (self.line or 0, self.rule, self.activity or "", self.message)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    title: str | None
    excerpt: str | None
    updated: str | None
    date_source: DateSource
    body_date: str | None = None
    locale: str | None = None
    front_matter: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the parsed text came from; path, commit and blob are known for git revisions."""

    sha256: str
    path: str | None = None
    commit: str | None = None
    blob: str | None = None


@dataclass(frozen=True, slots=True)
class TableCounts:
    raci: int = 0
    legend: int = 0
    other: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One revision of a RACI page, parsed."""

    document: DocumentInfo
    source: SourceInfo
    legend: Mapping[str, str]
    parties: tuple[Party, ...]
    sections: tuple[Section, ...]
    activities: tuple[Activity, ...]
    findings: tuple[Finding, ...]
    tables: TableCounts = field(default_factory=TableCounts)
