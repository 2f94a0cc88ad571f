"""What a matrix cell says: role letters (`RA`, `A / R`, `**RA**`), full role words
(`Responsible`, `Consulté`, or a word the page's legend defines), or no role (blank, `-`, `N/A`,
or a marker the page's legend defines as "not involved").

Only words that name one letter in every translation we know are read without a legend:
`Verantwortlich` is R in some German pages and A in Microsoft's German CAF page, and
`Responsable` is R or A depending on the French translation, so they are read only where the
page's legend says which letter they are; elsewhere they are `unknown-letter`, never a guess."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import permutations

from raci_tracker.model import ROLE_LETTERS
from raci_tracker.text import fold

NOT_INVOLVED = frozenset({"", "-", "–", "—", "n/a", "na", "n.a.", "n. a.", "/"})
_CELL_SEPARATORS = re.compile(r"[\s,/+&;]+")
_WORD_SEPARATORS = re.compile(r"\s*(?:[,/+&;]|\band\b|\bet\b|\bund\b|\by\b|\be\b)\s*")
_MARKUP = "*_`"
_MAX_NAME_WORDS = 3

# Full role words, folded; a word names one letter in every locale the pages are written in.
ROLE_WORDS: dict[str, str] = {
    **dict.fromkeys(("responsible", "realise", "execute"), "R"),
    **dict.fromkeys(
        (
            "accountable",
            "approver",
            "approbateur",
            "approuve",
            "aprobador",
            "rechenschaftspflichtig",
            "genehmigend",
            "approvatore",
        ),
        "A",
    ),
    **dict.fromkeys(
        ("consulted", "consulte", "consultado", "consultato", "konsultiert", "befragt"), "C"
    ),
    **dict.fromkeys(("informed", "informe", "informado", "informato", "informiert"), "I"),
}
# What a legend says of a marker that means no role.
_NOT_INVOLVED_MEANINGS = re.compile(
    r"not involved|no role|none|not applicable|non concern|non impliqu|aucun|nicht beteiligt"
    r"|keine rolle|no involucrado|ninguno|non coinvolto|nessuno",
)


def _letter_forms() -> dict[str, str]:
    """Every way to write a set of role letters without separators: `IR` -> `RI`, `" "` -> `""`."""
    forms = dict.fromkeys(NOT_INVOLVED, "")
    for size in range(1, len(ROLE_LETTERS) + 1):
        for letters in permutations(ROLE_LETTERS, size):
            forms["".join(letters)] = "".join(x for x in ROLE_LETTERS if x in letters)
    return forms


_LETTER_FORMS = _letter_forms()


@dataclass(frozen=True, slots=True)
class CellKey:
    """What the page's legend adds to reading cells: markers of no role and role words, folded."""

    blanks: frozenset[str] = frozenset()
    words: Mapping[str, str] = field(default_factory=dict)


PLAIN = CellKey()


def read_letters(cell: str, key: CellKey = PLAIN) -> str | None:
    """Role letters in canonical order (`IR` -> `RI`), `""` for no role, None if unreadable."""
    known = _LETTER_FORMS.get(cell)
    if known is not None:
        return known
    bare = cell.strip(_MARKUP).strip()
    if fold(bare) in NOT_INVOLVED or fold(bare) in key.blanks:
        return ""
    compact = _CELL_SEPARATORS.sub("", bare).upper()
    if compact and set(compact) <= set(ROLE_LETTERS):
        return _canonical(compact)
    return _read_words(bare, key.words)


def _read_words(cell: str, defined: Mapping[str, str]) -> str | None:
    """`Responsible`, `Accountable, Responsible`, `Consulté et informé`; None for anything else."""
    if len(cell) > 80:
        return None
    parts = [fold(part.strip(_MARKUP + " .")) for part in _WORD_SEPARATORS.split(fold(cell))]
    letters = [defined.get(part) or ROLE_WORDS.get(part) for part in parts if part]
    if not letters or any(letter is None for letter in letters):
        return None
    return _canonical("".join(letter for letter in letters if letter))


def _canonical(letters: str) -> str:
    return "".join(letter for letter in ROLE_LETTERS if letter in letters)


def not_involved_markers(entries: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Legend keys (folded) whose meaning is "not involved", such as `- | Not involved`."""
    return frozenset(
        fold(key.strip(_MARKUP))
        for key, meaning in entries
        if key.strip(_MARKUP).strip()
        and not set(key.strip(_MARKUP).upper()) <= set(ROLE_LETTERS)
        and _NOT_INVOLVED_MEANINGS.search(fold(meaning))
    )


def defined_words(entries: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Role words a legend defines: the name before its description (`A | Verantwortlich`,
    `R: Responsible: Works on the task.` -> `responsible` is R); short names only."""
    words: dict[str, str] = {}
    for letter, meaning in entries:
        name = fold(meaning.split(":")[0].strip(_MARKUP + " ."))
        if name and len(name.split()) <= _MAX_NAME_WORDS:
            words.setdefault(name, letter)
    return words


def is_prose(cell: str) -> bool:
    """A cell that holds a sentence rather than a role."""
    return len(cell.split()) >= 4
