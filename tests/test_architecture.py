"""The package's layout, pinned (docs/decisions/0005-package-layout.md): each third-party library
is imported only by its owner module, and imports point one way down the layers, with no cycle,
not even under TYPE_CHECKING or inside a function."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import raci_tracker

PACKAGE = Path(raci_tracker.__file__).parent

OWNERS = {
    "markdown_it": {"raci_tracker.page.tables"},
    "mdit_py_plugins": {"raci_tracker.page.tables"},
    "yaml": {"raci_tracker.page.frontmatter"},
    "deepdiff": {"raci_tracker.compare.diff"},
    "jinja2": {"raci_tracker.output.render"},
    "markupsafe": {"raci_tracker.output.render"},  # Jinja2's own: a part rendered before
    "git": {"raci_tracker.history.source"},
    "rich": {"raci_tracker.cli.tracking"},
    "click": {f"raci_tracker.cli.{name}" for name in ("base", "pages", "tracking", "diligence")}
    | {"raci_tracker.cli"},
    "apprise": {"raci_tracker.notify"},
}
"""Each third-party library and the one module that may import it."""

LAYERS = {
    "cli": 7,
    "app": 6,
    "output": 5,
    "notify": 5,
    "compare": 4,
    "history": 4,
    "codec": 3,
    "page": 2,
    "config": 2,
    "files": 1,
    "lock": 1,
    "model": 0,
    "errors": 0,
    "text": 0,
    "lazy": 0,
    "recent": 0,
    "heap": 0,
    "processes": 0,
    "version": 0,
}
"""cli -> app -> output -> {compare, history} -> codec -> page -> the foundation (config, which
reads through files; files and lock over model, errors, text and processes). Two layers of the
same rank may not import each other."""

ENTRY_POINTS = {"raci_tracker", "raci_tracker.__main__"}
"""The public API and `python -m` may import anything (the API lazily)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> Iterator[str]:
    """Every module `path` imports, wherever the import statement sits."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def internal_imports(path: Path, known: set[str]) -> set[str]:
    """The package's own modules that `path` imports (`from x import name` counts as x)."""
    return {name for name in imports(path) if name in known and name != "raci_tracker"}


def layer(module: str) -> str:
    """`raci_tracker.output.views` -> "output"; the package itself is its own entry point."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else module


def test_each_library_is_imported_by_its_owner_only() -> None:
    wrong = []
    for module, path in modules().items():
        for name in imports(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in {"raci_tracker", "__future__"}:
                continue
            owners = OWNERS.get(top)
            if owners is None:
                wrong.append(f"{module} imports {top}, which has no owner in OWNERS")
            elif module not in owners:
                wrong.append(f"{module} imports {top}, owned by {sorted(owners)[0]}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_imports_point_down_the_layers() -> None:
    found = modules()
    wrong = []
    for module, path in found.items():
        if module in ENTRY_POINTS:
            continue
        assert layer(module) in LAYERS, f"{module}: add its layer to LAYERS and to ADR 0005"
        for target in internal_imports(path, set(found)):
            mine, theirs = layer(module), layer(target)
            if mine != theirs and LAYERS[theirs] >= LAYERS[mine]:
                wrong.append(f"{module} imports {target}: {mine} may not import {theirs}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_no_import_cycle() -> None:
    found = modules()
    # `from package import submodule` names the package itself: not an edge
    graph = {m: internal_imports(p, set(found)) - ENTRY_POINTS - {m} for m, p in found.items()}
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in the import graph, as the list of modules around it, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ],
)
def test_the_cycle_finder_finds_cycles(
    graph: dict[str, set[str]], expected: list[str] | None
) -> None:
    assert find_cycle(graph) == expected
