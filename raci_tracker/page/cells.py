"""What a matrix cell says: role letters (`RA`, `A / R`, `**RA**`), full role words
(`Responsible`, `Accountable`, in the supported locales), or no role (blank, `-`, `N/A`, or a
marker the page's legend defines as "not involved")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import permutations

from raci_tracker.model import ROLE_LETTERS
from raci_tracker.text import fold

NOT_INVOLVED = frozenset({"", "-", "–", "—", "n/a", "na", "n.a.", "n. a.", "/"})
_CELL_SEPARATORS = re.compile(r"[\s,/+&;]+")
_WORD_SEPARATORS = re.compile(r"\s*(?:[,/+&;]|\band\b|\bet\b|\bund\b|\by\b|\be\b)\s*")
_MARKUP = "*_`"

# Full role words, folded; a word names one letter in every locale the pages are written in.
ROLE_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("responsible", "responsable", "responsabile", "verantwortlich", "realise", "execute"),
        "R",
    ),
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


def read_letters(cell: str, blanks: frozenset[str] = frozenset()) -> str | None:
    """Role letters in canonical order (`IR` -> `RI`), `""` for no role, None if unreadable.

    `blanks` are extra markers (folded) the page's legend defines as no role."""
    known = _LETTER_FORMS.get(cell)
    if known is not None:
        return known
    bare = cell.strip(_MARKUP).strip()
    if fold(bare) in NOT_INVOLVED or fold(bare) in blanks:
        return ""
    compact = _CELL_SEPARATORS.sub("", bare).upper()
    if compact and set(compact) <= set(ROLE_LETTERS):
        return _canonical(compact)
    return _read_words(bare)


def _read_words(cell: str) -> str | None:
    """`Responsible`, `Accountable, Responsible`, `Consulté et informé`; None for anything else."""
    if len(cell) > 80:
        return None
    parts = [fold(part.strip(_MARKUP + " .")) for part in _WORD_SEPARATORS.split(fold(cell))]
    letters = [ROLE_WORDS.get(part) for part in parts if part]
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
        if key.strip()
        and key.strip(_MARKUP).upper() not in ROLE_LETTERS
        and _NOT_INVOLVED_MEANINGS.search(fold(meaning))
    )


def is_prose(cell: str) -> bool:
    """A cell that holds a sentence rather than a role."""
    return len(cell.split()) >= 4
