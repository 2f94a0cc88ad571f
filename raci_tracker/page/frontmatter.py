"""YAML front matter, read safely: the only module that imports PyYAML.

Every scalar stays a string (dates stay ISO strings, `no` stays "no"). Tags are ignored, so
`!!python/object` is plain text, and aliases are refused: nothing in a page can make the loader
build objects or expand a billion laughs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
MAX_DEPTH = 20


@dataclass(frozen=True, slots=True)
class FrontMatter:
    data: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    problem_line: int | None = None


class _Refused(Exception):
    pass


def read_front_matter(raw: str, first_line: int) -> FrontMatter:
    """Parse front matter whose text starts at 1-based `first_line` of the page."""
    try:
        node = yaml.compose(raw, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = first_line + mark.line if mark is not None else first_line
        return FrontMatter(
            problem=f"front matter is not valid YAML: {error.problem}", problem_line=line
        )
    except yaml.YAMLError as error:
        return FrontMatter(
            problem=f"front matter is not valid YAML: {error}", problem_line=first_line
        )
    if node is None:
        return FrontMatter()
    try:
        value = _plain(node, set(), 0)
    except _Refused as refused:
        return FrontMatter(problem=str(refused), problem_line=first_line)
    if not isinstance(value, dict):
        return FrontMatter(
            problem="front matter is not a mapping of keys to values", problem_line=first_line
        )
    return FrontMatter(data=value)


def _plain(node: yaml.Node, seen: set[int], depth: int) -> Any:
    if id(node) in seen:
        raise _Refused("front matter uses YAML aliases, which are not accepted")
    if depth > MAX_DEPTH:
        raise _Refused("front matter is nested too deeply")
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, seen, depth + 1) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {
            str(_plain(key, seen, depth + 1)): _plain(value, seen, depth + 1)
            for key, value in node.value
        }
    raise _Refused("front matter holds an unsupported YAML node")
