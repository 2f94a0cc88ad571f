"""raci-tracker's version: the one place it is written (`pyproject.toml` reads it from here).

A constant rather than the installed package's metadata, which costs a scan of the installed
distributions at every start."""

from __future__ import annotations

__version__ = "0.1.0"
