"""Revision dates written in page bodies ("Dernière mise à jour le 05/07/2023", "May 2nd, 2023").

Older ovh/docs pages have no `updated:` front matter; their date is an in-body line in the page's
language. Other sites date pages with `lastupdated:`, `last_modified:`, `date:` or Microsoft's
`ms.date: MM/DD/YYYY`, or a "Last modified on Jun 07, 2021" line. This module finds the page's
date, says which field gave it, and does no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from raci_tracker.model import DateSource, Finding
from raci_tracker.page.rules import finding
from raci_tracker.text import fold

# Month names in English, French, German, Spanish, Italian, Polish (both cases) and Portuguese,
# folded (no accents, lower case).
_MONTH_NAMES: dict[int, str] = {
    1: "january jan janvier januar janner enero gennaio styczen stycznia janeiro",
    2: "february feb fevrier februar febrero febbraio luty lutego fevereiro",
    3: "march mar mars marz marzo marzec marca marco",
    4: "april apr avril abril aprile kwiecien kwietnia",
    5: "may mai mayo maggio maj maja maio",
    6: "june jun juin juni junio giugno czerwiec czerwca junho",
    7: "july jul juillet juli julio luglio lipiec lipca julho",
    8: "august aug aout agosto sierpien sierpnia",
    9: "september sep sept septembre septiembre setiembre settembre wrzesien wrzesnia setembro",
    10: "october oct octobre oktober octubre ottobre pazdziernik pazdziernika outubro",
    11: "november nov novembre noviembre listopad listopada novembro",
    12: "december dec decembre dezember diciembre dicembre grudzien grudnia dezembro",
}
MONTHS: dict[str, int] = {
    name: number for number, names in _MONTH_NAMES.items() for name in names.split()
}

# "Last updated" in the languages ovh/docs publishes, folded (no accents, lower case).
_LAST_UPDATED = re.compile(
    r"^\W*(derniere mise a jour|mise a jour|mis a jour|last updated|last update|updated"
    r"|last modified on|last modified"
    r"|letzte aktualisierung|zuletzt aktualisiert|aktualisiert"
    r"|ultima actualizacion|actualizado|ultimo aggiornamento|aggiornato"
    r"|ostatnia aktualizacja|zaktualizowano|ultima atualizacao|ultima actualizacao|atualizado)\b"
    r"(?P<rest>.*)$"
)
_YEAR = re.compile(r"\d{4}")
_NUMERIC = re.compile(r"\b(\d{1,2}|x{1,2})[/.-](\d{1,2}|x{1,2})[/.-](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2}|1er|x{1,2})(?:st|nd|rd|th|er|\.|º)?\s+(?:de\s+)?([a-z]+)\.?,?\s+"
    r"(?:de\s+)?(\d{4})\b"
)
_MONTH_DAY_YEAR = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2}|x{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


@dataclass(frozen=True, slots=True)
class BodyDate:
    """An in-body "last updated" line: its ISO date, or `placeholder` when the date is `xx`."""

    iso: str | None
    text: str
    line: int
    placeholder: bool = False


def find_body_date(lines: list[str], first_line: int = 1) -> BodyDate | None:
    """The first "last updated" line carrying a date (or a placeholder), with its 1-based line."""
    for offset, raw in enumerate(lines):
        if raw.lstrip().startswith("|") or not _YEAR.search(raw):
            continue
        match = _LAST_UPDATED.match(fold(raw))
        if match is None:
            continue
        found = read_date(match.group("rest"))
        if found is not None:
            iso, placeholder = found
            return BodyDate(iso, raw.strip(" *_"), first_line + offset, placeholder)
    return None


def read_date(text: str) -> tuple[str | None, bool] | None:
    """Read a date in any of the forms real pages use; `(None, True)` for an `xx` placeholder."""
    folded = fold(text)
    for reader in (_read_iso, _read_numeric, _read_day_month_year, _read_month_day_year):
        found = reader(folded)
        if found is not None:
            return found
    return None


def _read_iso(text: str) -> tuple[str | None, bool] | None:
    match = _ISO.search(text)
    return None if match is None else _checked(*(int(g) for g in match.groups()))


def _read_numeric(text: str) -> tuple[str | None, bool] | None:
    match = _NUMERIC.search(text)
    if match is None:
        return None
    first, second, year = match.groups()
    if "x" in first or "x" in second:
        return (None, True)
    day, month = int(first), int(second)
    if month > 12 >= day:  # written month first (US style)
        day, month = month, day
    return _checked(int(year), month, day)


def _read_day_month_year(text: str) -> tuple[str | None, bool] | None:
    for match in _DAY_MONTH_YEAR.finditer(text):
        day, month_name, year = match.groups()
        if month_name in MONTHS:
            return _named(day, MONTHS[month_name], year)
    return None


def _read_month_day_year(text: str) -> tuple[str | None, bool] | None:
    for match in _MONTH_DAY_YEAR.finditer(text):
        month_name, day, year = match.groups()
        if month_name in MONTHS:
            return _named(day, MONTHS[month_name], year)
    return None


def _named(day: str, month: int, year: str) -> tuple[str | None, bool] | None:
    if "x" in day:
        return (None, True)
    return _checked(int(year), month, 1 if day == "1er" else int(day))


def _checked(year: int, month: int, day: int) -> tuple[str | None, bool] | None:
    try:
        return (date(year, month, day).isoformat(), False)
    except ValueError:
        return None


def iso_date(value: str) -> str | None:
    """`value` as a YYYY-MM-DD date if it starts with a valid one (a datetime keeps its date)."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s])", value)
    if match is None:
        return None
    found = _checked(*(int(g) for g in match.groups()))
    return None if found is None else found[0]


# --- the page's own date -----------------------------------------------------------------------

DATE_FIELDS = ("updated", "lastupdated", "last_modified", "date", "ms.date")
"""Front-matter fields that date a page, the first one readable wins."""
_US_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


@dataclass(frozen=True, slots=True)
class PageDate:
    """A page's own date, where it came from (`date_field`: a front-matter key or "body")."""

    iso: str | None
    source: DateSource
    date_field: str | None
    findings: list[Finding] = field(default_factory=list)


def field_date(key: str, raw: str) -> str | None:
    """A front-matter date: ISO (a datetime keeps its date), or MM/DD/YYYY for `ms.date`."""
    found = iso_date(raw)
    if found is None and key == "ms.date" and (match := _US_DATE.match(raw)):
        month, day, year = (int(g) for g in match.groups())
        checked = _checked(year, month, day)
        found = checked[0] if checked else None
    return found


def resolve_date(
    front: Mapping[str, object], body: BodyDate | None, line_of: Callable[[str], int | None]
) -> PageDate:
    """The page's date: the first readable front-matter date field, else the in-body date."""
    findings = []
    chosen: tuple[str, str] | None = None
    for key in DATE_FIELDS:
        raw = front.get(key)
        if not isinstance(raw, str):
            continue
        found = field_date(key, raw)
        if found is None:
            expected = "an MM/DD/YYYY or YYYY-MM-DD" if key == "ms.date" else "a YYYY-MM-DD"
            message = f"front-matter {key!r} is not {expected} date: {raw!r}"
            findings.append(finding("date-invalid", line_of(key), message))
        elif chosen is None:
            chosen = (key, found)
    if body is not None and body.placeholder:
        message = f"the in-body date is a placeholder: '{body.text}'"
        findings.append(finding("date-placeholder", body.line, message))
    if chosen is not None:
        key, updated = chosen
        if body is not None and body.iso is not None and body.iso != updated:
            message = (
                f"front matter says {updated} but the page body says {body.iso} ('{body.text}')"
            )
            findings.append(finding("date-mismatch", body.line, message))
        return PageDate(updated, DateSource.FRONT_MATTER, key, findings)
    if body is not None and body.iso is not None:
        return PageDate(body.iso, DateSource.BODY, "body", findings)
    message = (
        "the page has no date: no front-matter date (" + ", ".join(DATE_FIELDS) + ") "
        "and no in-body date line"
    )
    findings.append(finding("date-missing", None, message))
    return PageDate(None, DateSource.NONE, None, findings)
