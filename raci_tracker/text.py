"""Text normalisation shared by every stage: comparable text, and how ids are made."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice

_WHITESPACE = re.compile(r"\s+")
_COMBINING_MARKS = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Pandoc-style attribute blocks the ovh/docs pages put after links: `[text](url){.external}`.
_ATTRIBUTE_BLOCK = re.compile(r"\{\.[\w-]+\}")
SLUG_MAX = 60
# Zero-width characters and bidirectional controls: invisible, they can make two different texts
# look the same or display text in another order than it reads ("Trojan Source").
# Control characters (C0 but tab and line ends, DEL, C1) and the non-characters U+FFFE/U+FFFF are
# invisible too, and worse: ESC starts terminal escape sequences (OSC 52 writes the clipboard) and
# they make an XML feed invalid.
INVISIBLE = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]"
)
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text a terminal shows as written: controls become visible `\\u001b`-style escapes.

    Newlines and tabs stay; ESC, BEL, CR, backspace, C1 and text-direction controls cannot move
    the cursor, set the title or the clipboard, or hide what follows.
    """
    return _TERMINAL_UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"  # also a valid escape inside a JSON string


def strip_invisible(text: str) -> str:
    return _WHITESPACE.sub(" ", INVISIBLE.sub("", text)).strip()


@lru_cache(maxsize=16384)  # cell texts recur in every revision of a page
def clean_text(raw: str) -> str:
    """Collapse whitespace (including NBSP) and drop attribute blocks; keep the words as written."""
    text = raw if raw.isascii() else unicodedata.normalize("NFC", raw)
    if "{" in text:
        text = _ATTRIBUTE_BLOCK.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


# A page's texts recur in every revision of its history, and within a parse each text is folded
# for its id and again for the duplicate check: caching makes the repeats free.
@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """A key for comparing text loosely: no accents, no case, single spaces."""
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return _WHITESPACE.sub(" ", text.casefold()).strip()


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


@lru_cache(maxsize=16384)
def slugify(text: str) -> str:
    """An ASCII slug; long or non-Latin texts get a short hash so distinct texts stay distinct."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    if not slug:
        return short_hash(text)
    if len(slug) <= SLUG_MAX:
        return slug
    cut = slug[:SLUG_MAX].rsplit("-", 1)[0] or slug[:SLUG_MAX]
    return f"{cut}-{short_hash(text)}"


class UniqueIds:
    """Ids made unique by counting up (`x`, `x-2`, `x-3`...) in time linear in the number of ids.

    Each base remembers the next suffix to try, so 20,000 identical rows cost 20,000 steps, not
    200 million; a suffix already taken by another base's text (`x-2` written on the page) is
    skipped.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}

    def __contains__(self, candidate: str) -> bool:
        return candidate in self._taken

    def add(self, base: str) -> str:
        candidate = base
        if candidate in self._taken:
            suffix = self._next.get(base, 2)
            while f"{base}-{suffix}" in self._taken:
                suffix += 1
            candidate = f"{base}-{suffix}"
            self._next[base] = suffix + 1
        self._taken.add(candidate)
        return candidate


_DELIMITER_CELL = re.compile(r"\s*:?-{3,}:?\s*")


def is_delimiter_row(line: str) -> bool:
    """A Markdown table's delimiter row (`| --- | :---: |`), checked cell by cell in linear time.

    The equivalent single regular expression backtracks quadratically: `---`, 80,000 spaces and
    a letter take tens of seconds.
    """
    stripped = line[1:] if line.startswith("|") else line  # a leading pipe only in column 1
    stripped = stripped.rstrip()
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    cells = stripped.split("|")
    return all(_DELIMITER_CELL.fullmatch(cell) for cell in cells) and bool(stripped.strip())


def has_delimiter_row(text: str) -> bool:
    """Whether any line of `text` (a paragraph's content) is a table's delimiter row."""
    return any(is_delimiter_row(line) for line in text.split("\n"))


def joined_in_pieces(fragments: Iterable[str], size: int = 1 << 12, end: str = "") -> Iterator[str]:
    """`fragments` (an encoder's or a template's: a few characters each) joined `size` at a
    time, `end` closing the last piece: a long text written as it is made is never held whole.
    Counting fragments, not characters, leaves the work to `islice`."""
    fragments = iter(fragments)
    piece = list(islice(fragments, size))
    while piece:
        following = list(islice(fragments, size))
        if not following:
            piece.append(end)
        yield "".join(piece)
        piece = following
