"""The page's key to its letters, in the shapes real pages use: a one-column table of `R: ...`
rows, a two-column table (`R | Réalise`, `(R) Réalise | ...`), a 3-4 column key
(`Letter | Name | Description`, often below the matrix), or a bullet list (`- **R**: ...`).

A key may also define a marker of no role (`- | Not involved`): those markers are returned apart,
so cells holding them read as blank."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from raci_tracker.model import ROLE_LETTERS
from raci_tracker.page.cells import CellKey, defined_words, not_involved_markers
from raci_tracker.page.tables import BulletItem, Table

# `R`, `**R**`, `(R) Réalise`, `R: Responsible`, `R = Responsible`, `R - Responsible`
_KEY = re.compile(r"^(?:\(([RACI])\)\s*(.*)|([RACI])(?:\s*[:=\-–—]\s*(.*))?)$")
_BULLET_KEY = re.compile(r"^\(?([RACI])\)?\s*[:=\-–—)]\s*(.+)$")
_BULLET_NAMED_KEY = re.compile(
    r"^([RACI])\s*\(([^)]+)\)\s*[:=\-–—]?\s*(.*)$"
)  # R (Responsible): ...
_MARKUP = "*_` "
MAX_KEY_COLUMNS = 4
MIN_BULLET_LETTERS = 3


@dataclass(slots=True)
class Legend:
    entries: dict[str, str] = field(default_factory=dict)
    markers: frozenset[str] = frozenset()

    def add(self, entries: Iterable[tuple[str, str]]) -> None:
        for letter, meaning in entries:
            self.entries.setdefault(letter, meaning)

    def cell_key(self) -> CellKey:
        return CellKey(self.markers, defined_words(self.entries.items()))


def _key(cell: str) -> tuple[str, str] | None:
    match = _KEY.match(cell.strip(_MARKUP).replace("**", "").replace("__", ""))
    if match is None:
        return None
    letter = match.group(1) or match.group(3)
    return letter, (match.group(2) or match.group(4) or "").strip()


def is_legend(table: Table) -> bool:
    """A table whose first column (header included) keys role letters, row after row."""
    if not 1 <= len(table.header) <= MAX_KEY_COLUMNS:
        return False
    firsts = [row.cells[0] for row in table.rows if row.cells]
    keys = [key for key in map(_key, [table.header[0], *firsts]) if key is not None]
    if len(table.header) == 1:
        return any(meaning for _, meaning in keys)
    return len({letter for letter, _ in keys}) >= 2 and 2 * len(keys) >= len(firsts)


def legend_entries(table: Table) -> list[tuple[str, str]]:
    """(letter, meaning) pairs; a key over several columns joins them (`Name: Description`)."""
    entries = []
    for cells in [table.header, *(row.cells for row in table.rows)]:
        key = _key(cells[0]) if cells else None
        if key is None:
            continue
        words = [key[1], *(cell for cell in cells[1:] if cell)]
        meaning = ": ".join(word for word in words if word)
        if meaning:
            entries.append((key[0], meaning))
    return entries


def table_markers(table: Table) -> frozenset[str]:
    """Markers of no role the key defines: `| | - | Not involved |` or `| - | Not involved |`."""
    pairs = []
    for row in table.rows:
        cells = [cell for cell in row.cells if cell.strip()]
        if len(cells) >= 2 and _key(cells[0]) is None:
            pairs.append((cells[0], " ".join(cells[1:])))
    return not_involved_markers(pairs)


def _bullet_key(item: BulletItem) -> tuple[str, str] | None:
    text = item.text.strip(" *_").replace("**", "").replace("__", "")
    named = _BULLET_NAMED_KEY.match(text)
    if named is not None:
        letter, name, rest = named.groups()
        return letter, f"{name}: {rest}" if rest else name
    match = _BULLET_KEY.match(text)
    return (match.group(1), match.group(2).strip()) if match else None


def bullet_entries(items: Sequence[BulletItem]) -> list[tuple[str, str]]:
    """A bullet list keying at least three letters; fewer is more likely prose that starts `A -`."""
    entries = [entry for entry in map(_bullet_key, items) if entry is not None]
    letters = {letter for letter, _ in entries}
    return entries if len(letters & set(ROLE_LETTERS)) >= MIN_BULLET_LETTERS else []
