"""The snapshot schema check, field by field, in process (the CLI tests run it in a process)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from raci_tracker.errors import InputError
from raci_tracker.page.validate import check_snapshot_data
from tests.helpers import GOLDEN

GOOD = json.loads(
    (GOLDEN / "snapshots/block-storage/en-gb/2022-12-23__02ab130.json").read_text("utf-8")
)


def changed(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_a_real_snapshot_passes() -> None:
    check_snapshot_data(GOOD, path="good.json")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["schema_version"], 3, "snapshot.schema_version: expected 2"),
        (["document", "date_source"], "guess", "'guess' is not one of front-matter, body, none"),
        (["document", "updated"], "2023-1-1", "does not match"),
        (["document", "title"], True, "expected string or null, not a boolean"),
        (["document", "title"], KeyError, "snapshot.document.title: is required"),
        (["document", "extra"], 1, "snapshot.document.extra: unknown field"),
        (["parties", 0, "id"], "", "snapshot.parties[0].id: is empty"),
        (["activities", 0, "line"], 0, "snapshot.activities[0].line: 0 is below 1"),
        (["activities", 0, "assignments", "customer"], "AR", "does not match ^R?A?C?I?$"),
        (["legend", "X"], "x", "snapshot.legend key: 'X' is not one of R, A, C, I"),
        (["findings", 0, "severity"], "fatal", "is not one of error, warning, info"),
        (["activities"], {}, "snapshot.activities: expected array, not dict"),
        (["tables", "raci"], 1.5, "snapshot.tables.raci: expected integer, not float"),
        (["source", "sha256"], "x" * 200, "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."),
    ],
)
def test_each_kind_of_problem_names_its_field(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(InputError) as raised:
        check_snapshot_data(changed(path, value), path="bad.json")

    assert str(raised.value).startswith("bad.json: is not a valid snapshot: ")
    assert message in str(raised.value)


def test_anything_but_an_object_is_refused() -> None:
    with pytest.raises(InputError, match="snapshot: expected object, not list"):
        check_snapshot_data([GOOD], path="bad.json")
