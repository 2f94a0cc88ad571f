"""Text normalisation shared by every stage: comparable text, and how ids are made."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

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
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]")


def strip_invisible(text: str) -> str:
    return _WHITESPACE.sub(" ", INVISIBLE.sub("", text)).strip()


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
