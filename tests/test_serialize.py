"""The snapshot JSON contract: golden files, round trips and byte-for-byte determinism."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raci_tracker import codec
from raci_tracker.cli import main
from raci_tracker.codec import (
    dump_listing,
    dump_pieces,
    dumps,
    load_snapshot,
    snapshot_from_dict,
    snapshot_to_dict,
    snapshot_to_json,
)
from raci_tracker.errors import InputError
from raci_tracker.page.parse import parse_page
from tests.helpers import corpus_entries, corpus_page

GOLDEN_PAGES = [
    "managed-kubernetes/fr-fr/2023-07-06__seed.md",
    "public-cloud-databases/en-gb/2021-09-28__4a3418c.md",
    "block-storage/en-gb/2022-12-23__02ab130.md",
    "responsibility-sharing-index/fr-fr/unknown__169f2a4.md",
]


@pytest.mark.parametrize("name", GOLDEN_PAGES)
def test_golden_snapshots(name: str, golden: Callable[[str, bytes], None]) -> None:
    """Snapshots of a few real pages, kept as readable files under tests/golden/snapshots."""
    snapshot = parse_page(corpus_page(name), path=name, locale=name.split("/")[1])

    golden(f"snapshots/{name.removesuffix('.md')}.json", snapshot_to_json(snapshot))


def test_json_is_deterministic_and_round_trips() -> None:
    """Parsing twice gives the same bytes; loading the JSON back gives the same snapshot."""
    for entry in corpus_entries():
        data = corpus_page(entry["file"])
        first = snapshot_to_json(parse_page(data, path=entry["file"]))

        assert first == snapshot_to_json(parse_page(data, path=entry["file"]))
        assert snapshot_to_json(load_snapshot(first, path="x.json")) == first


def test_json_format() -> None:
    """Sorted keys, two-space indent, UTF-8 unescaped, trailing newline."""
    data = snapshot_to_json(parse_page(corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md")))
    text = data.decode("utf-8")

    assert text.endswith("}\n")
    assert "Gérer" in text
    assert text.startswith('{\n  "activities": [\n    {\n      "assignments"')
    assert json.loads(text)["schema_version"] == 2


@pytest.mark.parametrize("size", [1, 100, 1 << 16])
def test_json_written_in_pieces_is_the_same_text(size: int) -> None:
    """A long listing is written as it is encoded: the pieces join to the JSON `dumps` makes,
    which is the standard library's text with a newline."""
    data = snapshot_to_dict(parse_page(corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md")))
    pieces = list(dump_pieces(data, size))
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    assert "".join(pieces) == text
    assert dumps(data) == text.encode("utf-8")
    assert len(pieces) > 1 if size < 1000 else len(pieces) == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    st.dictionaries(st.text(), JSON_VALUES, max_size=4),
    st.sampled_from(["", "a", "shifts", "zz", 'é\n"x']),
    st.lists(JSON_VALUES, max_size=4),
)
def test_a_listing_written_an_item_at_a_time_is_the_json_of_the_whole(
    data: dict[str, object], key: str, items: list[object]
) -> None:
    """`dump_listing` (last-run.json's shifts, a record at a time) gives the bytes `dumps` gives
    of the whole, whatever the keys around the listing and the items' own nesting."""
    pieces = list(dump_listing(data, key, iter(items)))

    assert "".join(pieces).encode("utf-8") == dumps({**data, key: items})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "x.json:1: is not valid JSON"),
        (b"[]", "x.json: is not a raci-tracker snapshot"),
        (b'{"schema_version": 1, "document": {}}', "x.json: is not a valid snapshot"),
        (b"\xff\xfe", "x.json: is not valid JSON"),
    ],
)
def test_loading_something_else_is_an_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        load_snapshot(data, path="x.json")

    assert str(caught.value).startswith(message)


def test_from_dict_rejects_other_schema_versions() -> None:
    with pytest.raises(InputError, match="schema_version 2"):
        snapshot_from_dict({"schema_version": 3})


def test_a_version_1_snapshot_is_still_read() -> None:
    """Version 1 called a finding's activity id `activity` and had no `date_field`."""
    snapshot = parse_page(corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md"))
    data = json.loads(snapshot_to_json(snapshot))
    data["schema_version"] = 1
    del data["document"]["date_field"]
    for item in data["findings"]:
        item["activity"] = item.pop("activity_id")

    assert any(item["activity"] for item in data["findings"])
    assert snapshot_from_dict(data) == snapshot


def test_findings_name_the_activity_id() -> None:
    snapshot = parse_page(corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md"))
    findings = json.loads(snapshot_to_json(snapshot))["findings"]

    assert any(item["activity_id"] for item in findings)
    assert all("activity" not in item for item in findings)


def test_diff_reads_a_version_1_snapshot_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A snapshot JSON written before schema 2 is checked and read as it was."""
    snapshot = parse_page(corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md"))
    data = json.loads(snapshot_to_json(snapshot))
    data["schema_version"] = 1
    del data["document"]["date_field"]
    for item in data["findings"]:
        item["activity"] = item.pop("activity_id")
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    new = tmp_path / "new.json"
    new.write_bytes(snapshot_to_json(snapshot))

    with pytest.raises(SystemExit) as done:
        main(["diff", str(old), str(new), "--format", "json"])

    assert done.value.code in (0, None)
    assert json.loads(capsys.readouterr().out)["changes"] == []


@given(st.integers(min_value=0, max_value=253402300799))  # up to 9999-12-31T23:59:59Z
def test_commit_times_come_back_as_written(timestamp: int) -> None:
    assert codec._timestamp(codec.iso_time(timestamp)) == timestamp


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-01",
        "2023-13-01T00:00:00Z",
        "2024-01-31T24:00:00Z",  # 3.14's fromisoformat reads it as the next midnight
        "2023-01-01T00:00:00+00:00",
        "2024-01-05t10:00:00z",
        "2024-1-5T1:2:3Z",
        "２023-01-01T00:00:00Z",
    ],
)
def test_a_commit_time_written_otherwise_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        codec._timestamp(text)
