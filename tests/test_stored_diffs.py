"""The diffs the store keeps: a complete round trip on real pages, never trusted when they are of
another format or pair, computed again when missing, removed when no pair uses them, and
changelogs built with them equal to changelogs diffed afresh."""

from __future__ import annotations

import hashlib
import json
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from raci_tracker.app.changelogs import StoredDiffs, stored_entries
from raci_tracker.codec import loads
from raci_tracker.compare.changelog import build_entries
from raci_tracker.compare.diff import DIFF_VERSION, diff_snapshots
from raci_tracker.compare.outline import count, outline_of, with_outline
from raci_tracker.errors import InputError
from raci_tracker.history.diffs import DIFF_FORMAT, diff_bytes, diff_from_dict
from raci_tracker.history.store import SnapshotStore
from raci_tracker.model import (
    Change,
    ChangeKind,
    ChangeSeverity,
    Diff,
    DiffSummary,
    Finding,
    FindingDelta,
    PartyTally,
    Severity,
    Snapshot,
    Transfer,
    WordOp,
)
from raci_tracker.page.parse import parse_page
from tests.helpers import TESTS, corpus_entries, corpus_page
from tests.test_history_properties import Step, Upstream, steps, update

PAIR = ("a" * 64, "b" * 64)


def corpus_snapshots() -> list[Snapshot]:
    """Every corpus page, page by page and locale by locale, in file order."""
    entries = sorted(corpus_entries(), key=lambda e: e["file"])
    return [parse_page(corpus_page(e["file"]), path=e["file"], locale=e["locale"]) for e in entries]


def round_trip(diff: Diff) -> Diff:
    data = loads(diff_bytes(PAIR, diff, DIFF_VERSION), path="diff")
    return diff_from_dict(data, PAIR, DIFF_VERSION, path="diff")


def test_every_diff_of_the_corpus_comes_back_the_same() -> None:
    """Consecutive corpus pages: revisions of a page, then one locale against the next (real
    rewordings, moves, metadata and finding changes)."""
    pairs = list(pairwise(corpus_snapshots()))
    diffs = [with_outline(diff_snapshots(old, new), old, new) for old, new in pairs]
    kinds = {change.kind for diff in diffs for change in diff.changes}
    again = [round_trip(d) for d in diffs]

    assert {ChangeKind.ROLE_CHANGED, ChangeKind.ACTIVITY_REWORDED} <= kinds
    assert any(d.findings.introduced or d.findings.resolved for d in diffs)
    assert again == diffs
    assert [d.outline for d in again] == [d.outline for d in diffs]
    assert any(d.outline and d.outline.sections_before for d in again)  # a move names sections


def test_an_outline_says_what_its_text_says() -> None:
    """Parties as named, A and R held per party, activity ids in order, and the titles of the
    sections the diff's changes name, from the text before and this one."""
    pairs = list(pairwise(corpus_snapshots()))
    for old, new in pairs:
        diff = with_outline(diff_snapshots(old, new), old, new)
        outline = diff.outline
        named = {n for c in diff.changes for n in (c.section, c.previous_section) if n}
        assert outline is not None
        assert outline.parties == tuple((p.id, p.label) for p in new.parties)
        assert outline.activity_ids == tuple(a.id for a in new.activities)
        columns = {p.id for p in new.parties}
        assert outline.parties_gone == tuple(
            (p.id, p.label) for p in old.parties if p.id not in columns
        )
        for party, _ in outline.parties:
            holding = [a.assignments.get(party, "") for a in new.activities]
            assert count(outline, party, "A") == sum("A" in x for x in holding)
            assert count(outline, party, "R") == sum("R" in x for x in holding)
        for text, titles in ((old, outline.sections_before), (new, outline.sections_after)):
            assert titles == {s.number: s.title for s in text.sections if s.number in named}


DIFFS_DIGEST = TESTS / "golden/diffs/corpus.sha256"


def test_the_diffs_of_the_corpus_are_those_of_this_diff_version() -> None:
    """The diffs of consecutive corpus pages, as the store keeps them (with their after text
    outlined), pinned by their digest together with `DIFF_VERSION`: a change to the diffing or
    outlining code that moves any of them fails here until `DIFF_VERSION` is bumped (so stored
    diffs are computed again) and the digest renewed. A new layout of the file bumps
    `DIFF_FORMAT` instead, which also has them computed again."""
    digest = hashlib.sha256()
    for old, new in pairwise(corpus_snapshots()):
        diff = with_outline(diff_snapshots(old, new), old, new)
        digest.update(diff_bytes(PAIR, diff, DIFF_VERSION))
    pinned = DIFFS_DIGEST.read_text("utf-8").split()

    assert pinned == [str(DIFF_VERSION), digest.hexdigest()], (
        "the diffs of the corpus changed: bump DIFF_VERSION in raci_tracker/compare/diff.py and "
        f"write '{DIFF_VERSION + 1} <new digest>' to {DIFFS_DIGEST}"
    )


def test_every_field_of_a_diff_comes_back() -> None:
    finding = Finding("rule", Severity.WARNING, 3, "a <message>", "activity-1")
    diff = Diff(
        changes=(
            Change(
                ChangeKind.ROLE_CHANGED,
                ChangeSeverity.MAJOR,
                section="",
                activity="Back up",
                activity_id="1-back-up",
                previous_section="1",
                previous_activity="Backup",
                previous_activity_id="1-backup",
                party="customer",
                before="RA",
                after="I",
                labels=("responsibility-lost", "accountability-lost"),
                transfer=Transfer("RA", "customer", "provider"),
                assignments={"provider": "RA", "customer": ""},
                word_diff=(WordOp("equal", "Back"), WordOp("delete", "up"), WordOp("insert", "")),
                field="ms.date",
                title="Title",
                previous_title="Old title",
            ),
            Change(
                ChangeKind.METADATA_CHANGED,
                ChangeSeverity.EDITORIAL,
                field="tags",
                before=[1, {"b": 2, "a": None}],
                after=0.5,
            ),
        ),
        summary=DiffSummary(
            1, 0, 1, 0, 0, {"provider": PartyTally(1, 0, 1, 0), "customer": PartyTally()}
        ),
        findings=FindingDelta((finding,), (Finding("other", Severity.INFO, None, "gone"),)),
    )

    again = round_trip(diff)

    assert again == diff
    assert list(again.summary.parties) == ["provider", "customer"]
    assert list(again.changes[0].assignments or {}) == ["provider", "customer"]


@pytest.mark.parametrize(
    "data",
    [
        {"format": DIFF_FORMAT + 1, "version": DIFF_VERSION, "pair": list(PAIR), "changes": []},
        {"format": 1, "version": DIFF_VERSION, "pair": list(PAIR), "changes": []},  # no outlines
        {"format": DIFF_FORMAT, "version": DIFF_VERSION + 1, "pair": list(PAIR), "changes": []},
        {"format": DIFF_FORMAT, "pair": list(PAIR), "changes": []},
        {"format": DIFF_FORMAT, "version": DIFF_VERSION, "pair": [PAIR[1], PAIR[0]], "changes": []},
        {
            "format": DIFF_FORMAT,
            "version": DIFF_VERSION,
            "pair": list(PAIR),
            "changes": [{"kind": "nope"}],
        },
        {"format": DIFF_FORMAT, "version": DIFF_VERSION, "pair": list(PAIR)},
        [],
    ],
)
def test_a_diff_of_another_format_or_pair_is_not_trusted(data: object) -> None:
    with pytest.raises(Exception, match="diff") as raised:
        diff_from_dict(data, PAIR, DIFF_VERSION, path="diffs/x.json")
    assert "diffs/x.json" in str(raised.value)


def page_store(root: Path, history: list[Step]) -> SnapshotStore:
    upstream = Upstream(root / "upstream")
    store = SnapshotStore(root / "store")
    update(upstream.repo, store)
    for step in history:
        upstream.apply(step)
        update(upstream.repo, store)
    return store


def fresh_entries(store: SnapshotStore) -> tuple[object, ...]:
    return build_entries(store.revisions("kube", "en-gb"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_changelogs_with_stored_diffs_equal_changelogs_diffed_afresh(history: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = page_store(Path(folder), history)
        computed = stored_entries(store, "kube", "en-gb")  # the diffs written
        diffs = sorted((store.folder("kube", "en-gb") / "diffs").glob("*.json"))
        read = stored_entries(store, "kube", "en-gb")  # the diffs read back

        assert computed == read == fresh_entries(store)
        assert sorted((store.folder("kube", "en-gb") / "diffs").glob("*.json")) == diffs


def damaged_store(root: Path) -> tuple[SnapshotStore, list[Path]]:
    store = page_store(root, [("edit", 1, 1), ("edit", 2, 2), ("edit", 2, 3)])
    stored_entries(store, "kube", "en-gb")
    return store, sorted((store.folder("kube", "en-gb") / "diffs").glob("*.json"))


def test_a_damaged_or_foreign_diff_is_computed_and_written_again(tmp_path: Path) -> None:
    store, diffs = damaged_store(tmp_path)
    good = {path: path.read_bytes() for path in diffs}
    diffs[0].write_text("{not json", encoding="utf-8")
    foreign = json.loads(good[diffs[1]])
    diffs[1].write_text(json.dumps({**foreign, "format": DIFF_FORMAT + 1}), encoding="utf-8")

    entries = stored_entries(store, "kube", "en-gb")

    assert entries == fresh_entries(store)  # each diff read, as a report asks for it
    assert len(diffs) == 3
    assert {path: path.read_bytes() for path in diffs} == good


def as_format(data: dict[str, Any], format: int) -> dict[str, Any]:
    """A stored diff as an earlier format wrote it: 1 kept no outline, 2 no date fields."""
    if format == 1:
        return {key: value for key, value in data.items() if key != "outline"} | {"format": 1}
    outline = {key: value for key, value in data["outline"].items() if key != "dates"}
    return data | {"format": 2, "outline": outline}


@pytest.mark.parametrize("format", [1, 2])
def test_diffs_of_earlier_formats_are_written_again_with_their_outlines(
    tmp_path: Path, format: int
) -> None:
    """A store whose diffs were kept before outlines (format 1) or before outlines said where the
    texts took their dates from (format 2): they are computed again, once, and its steps then
    carry the outlines their texts say."""
    store, diffs = damaged_store(tmp_path)
    good = {path: path.read_bytes() for path in diffs}
    for path in diffs:
        path.write_text(json.dumps(as_format(json.loads(good[path]), format)), encoding="utf-8")

    entries = stored_entries(store, "kube", "en-gb")

    steps = [step for entry in entries for step in entry.steps if step.diff is not None]
    assert len(steps) == 3
    for step in steps:
        assert step.diff is not None and step.diff.outline is not None
        assert step.outline == outline_of(step.snapshot, step.before, step.diff.changes)
    assert {path: path.read_bytes() for path in diffs} == good  # each written as it was read


def test_diffs_no_pair_uses_are_removed_and_missing_ones_written(tmp_path: Path) -> None:
    store, diffs = damaged_store(tmp_path)
    stale = diffs[0].with_name(f"{'c' * 16}-{'d' * 16}.json")
    stale.write_bytes(diffs[0].read_bytes())
    diffs[1].unlink()
    index = store.load_index("kube", "en-gb")
    assert index is not None
    lookup = StoredDiffs(store, index)

    entries = build_entries(store.revisions("kube", "en-gb"), lookup)

    assert lookup.computed == 1
    assert lookup.prune() == 1
    assert sorted(stale.parent.glob("*.json")) == diffs
    assert entries == fresh_entries(store)


def test_an_unwritable_store_still_gets_its_changelog(tmp_path: Path) -> None:
    store, diffs = damaged_store(tmp_path)
    folder = diffs[0].parent
    for path in diffs:
        path.unlink()
    folder.rmdir()
    folder.write_text("not a folder", encoding="utf-8")  # no diff can be written under it

    assert stored_entries(store, "kube", "en-gb") == fresh_entries(store)


@pytest.mark.parametrize("dates", ["ub", {"updated": 1, "body": 2}, ["updated"], ["a", 1], None])
def test_an_outline_whose_date_fields_are_not_two_texts_is_not_trusted(dates: object) -> None:
    old, new = corpus_snapshots()[:2]
    data = json.loads(diff_bytes(PAIR, with_outline(diff_snapshots(old, new), old, new), 1))
    assert all(isinstance(field, str) for field in data["outline"]["dates"])
    data["outline"]["dates"] = dates

    with pytest.raises(InputError, match="not a stored diff"):
        diff_from_dict(data, PAIR, 1, path="diffs/x.json")
