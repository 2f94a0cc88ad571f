"""Snapshot JSON checked against its schema before it is read: types, letters, ids, patterns.

A snapshot file given on the command line (`diff old.json new.json`) may be crafted: a letter
`<script>` or a list where a string belongs must be a clear `InputError` naming the field, not a
crash or raw HTML in an output. The shipped `schemas/snapshot.schema.json` is the one statement
of the format; this module interprets the part of JSON Schema it uses (no extra library).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from raci_tracker.errors import InputError

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


@cache
def snapshot_schema() -> Mapping[str, Any]:
    text = resources.files("raci_tracker").joinpath("schemas/snapshot.schema.json").read_text()
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def check_snapshot_data(data: Any, *, path: str) -> None:
    """Raise an `InputError` naming the first field of `data` the snapshot schema refuses."""
    problem = _problem(data, snapshot_schema(), "snapshot")
    if problem is not None:
        raise InputError(f"is not a valid snapshot: {problem}", path=path)


def _problem(value: Any, schema: Mapping[str, Any], where: str) -> str | None:
    if "$ref" in schema:
        schema = _resolve(schema["$ref"])
    for check in (_type_problem, _value_problem, _object_problem, _array_problem):
        problem = check(value, schema, where)
        if problem is not None:
            return problem
    return None


def _resolve(ref: str) -> Mapping[str, Any]:
    root = snapshot_schema()
    if ref == "#":
        return root
    definitions: Mapping[str, Any] = root["$defs"]
    return definitions[ref.removeprefix("#/$defs/")]  # type: ignore[no-any-return]


def _type_problem(value: Any, schema: Mapping[str, Any], where: str) -> str | None:
    if "type" not in schema:
        return None
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if isinstance(value, bool) and "boolean" not in names:
        return f"{where}: expected {' or '.join(names)}, not a boolean"
    if any(isinstance(value, _TYPES[name]) for name in names):
        return None
    return f"{where}: expected {' or '.join(names)}, not {type(value).__name__}"


def _value_problem(value: Any, schema: Mapping[str, Any], where: str) -> str | None:
    if "const" in schema and value != schema["const"]:
        return f"{where}: expected {schema['const']!r}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where}: {_shown(value)} is not one of {', '.join(map(str, schema['enum']))}"
    if isinstance(value, str):
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            return f"{where}: {_shown(value)} does not match {schema['pattern']}"
        if len(value) < schema.get("minLength", 0):
            return f"{where}: is empty"
    if isinstance(value, int) and value < schema.get("minimum", value):
        return f"{where}: {value} is below {schema['minimum']}"
    return None


def _object_problem(value: Any, schema: Mapping[str, Any], where: str) -> str | None:
    if not isinstance(value, dict):
        return None
    for key in schema.get("required", ()):
        if key not in value:
            return f"{where}.{key}: is required"
    properties: Mapping[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    names = schema.get("propertyNames")
    for key, item in value.items():
        if names is not None and (problem := _problem(key, names, f"{where} key")):
            return problem
        if key in properties:
            sub: Any = properties[key]
        elif extra is False:
            return f"{where}.{key}: unknown field"
        else:
            sub = extra if isinstance(extra, dict) else {}
        if problem := _problem(item, sub, f"{where}.{key}"):
            return problem
    return None


def _array_problem(value: Any, schema: Mapping[str, Any], where: str) -> str | None:
    if not isinstance(value, list) or "items" not in schema:
        return None
    for index, item in enumerate(value):
        if problem := _problem(item, schema["items"], f"{where}[{index}]"):
            return problem
    return None


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """A schema pattern, where `$` means the very end (in Python it also matches before a final
    newline, which would let `"RA\\n"` pass as letters)."""
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
