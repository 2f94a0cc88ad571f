"""Revision dates written in page bodies ("Dernière mise à jour le 05/07/2023", "May 2nd, 2023").

Older ovh/docs pages have no `updated:` front matter; their date is an in-body line in the page's
language. This module finds that line and reads its date; it does no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

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
