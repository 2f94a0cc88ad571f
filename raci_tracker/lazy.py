"""A module imported the first time one of its names is used.

The command line reaches the use cases through these, so `raci-tracker --help` and commands that
need neither git, Jinja2 nor deepdiff start without importing them."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = import_module(self._name)
        return getattr(self._module, attribute)
