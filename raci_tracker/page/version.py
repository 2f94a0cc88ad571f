"""The parser's version, recorded in every snapshot and index: a store parsed by another version
is parsed again. Apart from the parser, so reading a store does not import markdown-it."""

from __future__ import annotations

PARSER_VERSION = "3"
"""Bumped whenever the same page would parse to a different snapshot."""
