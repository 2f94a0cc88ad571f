"""How the store keeps the diff of two consecutive texts: `diffs/<before>-<after>.json`.

A diff depends only on the two stored objects (it never looks at where a text was), so it is
kept once per pair of object addresses and reused by every report. The file is compact JSON on
one line: a change keeps only the fields it sets, a word diff is `[op, text]` pairs (`=`, `-`,
`+`), and the file names the full addresses of its pair, its format and the version of the
diffing code that made it (`compare.diff.DIFF_VERSION`, given by the caller), so a file of
another format or version, of another pair, or unreadable is never trusted: the diff is computed
again. Since format 2 it also keeps the after text outlined (`model.TextOutline`) for the page's
home, and since format 3 the outline says where both texts took their date from, for the
changelog's wording; a file of an earlier format is computed again, with them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from raci_tracker.codec import finding_from_dict, finding_to_dict
from raci_tracker.errors import InputError
from raci_tracker.model import (
    Change,
    ChangeKind,
    ChangeSeverity,
    Diff,
    DiffSummary,
    FindingDelta,
    PartyTally,
    SeverityCounts,
    TextOutline,
    Transfer,
    WordOp,
)

DIFF_FORMAT = 3
COUNTS_FORMAT = 1
_OPS = {"equal": "=", "delete": "-", "insert": "+"}
_OP_NAMES = {short: name for name, short in _OPS.items()}
_TEXT_FIELDS = (
    "section",
    "activity",
    "activity_id",
    "previous_section",
    "previous_activity",
    "previous_activity_id",
    "party",
    "field",
    "title",
    "previous_title",
)
_TALLY_FIELDS = ("accountable_gained", "accountable_lost", "responsible_gained", "responsible_lost")


def diff_bytes(pair: tuple[str, str], diff: Diff, version: int) -> bytes:
    """The diff of the objects `pair` (before, after), made by diffing code `version`, as the
    store keeps it."""
    data = {
        "format": DIFF_FORMAT,
        "version": version,
        "pair": list(pair),
        "changes": [change_to_dict(c) for c in diff.changes],
        "summary": _summary_to_dict(diff.summary),
        "introduced": [finding_to_dict(f) for f in diff.findings.introduced],
        "resolved": [finding_to_dict(f) for f in diff.findings.resolved],
    }
    if diff.outline is not None:
        data["outline"] = _outline_to_dict(diff.outline)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text + "\n").encode("utf-8")


def diff_from_dict(data: Any, pair: tuple[str, str], version: int, *, path: str) -> Diff:
    """A stored diff; an `InputError` for a file of another format, version or pair, or
    malformed."""
    if not isinstance(data, dict) or data.get("format") != DIFF_FORMAT:
        raise InputError(f"is not a stored diff (format {DIFF_FORMAT})", path=path)
    if data.get("version") != version:
        raise InputError(f"was made by another version of the diff (not {version})", path=path)
    if data.get("pair") != list(pair):
        raise InputError("is the diff of another pair of texts", path=path)
    try:
        return Diff(
            changes=tuple(change_from_dict(c) for c in data["changes"]),
            summary=_summary(data["summary"]),
            findings=FindingDelta(
                tuple(finding_from_dict(f) for f in data["introduced"]),
                tuple(finding_from_dict(f) for f in data["resolved"]),
            ),
            outline=_outline(data["outline"]) if "outline" in data else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputError(
            f"is not a stored diff: {type(error).__name__} {error}", path=path
        ) from None


def counts_bytes(counts: Mapping[str, SeverityCounts], version: int) -> bytes:
    """`diff-counts.json`: each stored diff's changes by severity, by its file's name, so the
    reports know which texts shifted a role without reading their diffs (ADR 17)."""
    data = {
        "format": COUNTS_FORMAT,
        "version": version,
        "counts": {name: list(counts[name]) for name in sorted(counts)},
    }
    return (json.dumps(data, separators=(",", ":")) + "\n").encode("utf-8")


def counts_from_dict(data: Any, version: int, *, path: str) -> dict[str, SeverityCounts]:
    """The counts of `counts_bytes`; an `InputError` for a file of another format or version,
    or malformed."""
    if not isinstance(data, dict) or data.get("format") != COUNTS_FORMAT:
        raise InputError(f"is not a file of diff counts (format {COUNTS_FORMAT})", path=path)
    if data.get("version") != version:
        raise InputError(f"counts diffs of another version (not {version})", path=path)
    counts = data.get("counts")
    if not isinstance(counts, dict) or not all(map(_is_count, counts.values())):
        raise InputError("is not a file of diff counts: each is three whole numbers", path=path)
    return {str(name): SeverityCounts(*values) for name, values in counts.items()}


def _is_count(values: Any) -> bool:
    return (
        isinstance(values, list)
        and len(values) == 3
        and all(type(n) is int and n >= 0 for n in values)
    )


def change_to_dict(change: Change) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": change.kind.value, "severity": change.severity.value}
    data.update({n: getattr(change, n) for n in _TEXT_FIELDS if getattr(change, n) is not None})
    for name in ("before", "after"):
        if getattr(change, name) is not None:
            data[name] = getattr(change, name)
    if change.labels:
        data["labels"] = list(change.labels)
    if change.transfer is not None:
        t = change.transfer
        data["transfer"] = [t.role, t.from_party, t.to_party]
    if change.assignments is not None:
        data["assignments"] = dict(change.assignments)
    if change.word_diff is not None:
        data["words"] = [[_OPS[op.op], op.text] for op in change.word_diff]
    return data


def change_from_dict(data: Mapping[str, Any]) -> Change:
    transfer = data.get("transfer")
    words = data.get("words")
    assignments = data.get("assignments")
    return Change(
        kind=ChangeKind(data["kind"]),
        severity=ChangeSeverity(data["severity"]),
        **{name: _interned(data.get(name)) for name in _TEXT_FIELDS},
        before=_interned(data.get("before")),
        after=_interned(data.get("after")),
        labels=tuple(map(sys.intern, data.get("labels", ()))),
        transfer=Transfer(*map(_interned, transfer)) if transfer is not None else None,
        assignments=dict(assignments) if assignments is not None else None,
        word_diff=tuple(WordOp(_OP_NAMES[op], sys.intern(text)) for op, text in words)
        if words is not None
        else None,
    )


def _interned(value: Any) -> Any:
    """A text once for all the diffs of a history: names, sections and letters recur in each."""
    return sys.intern(value) if type(value) is str else value


def _summary_to_dict(summary: DiffSummary) -> dict[str, Any]:
    return {
        "counts": [
            summary.major,
            summary.minor,
            summary.editorial,
            summary.activities_added,
            summary.activities_removed,
        ],
        "parties": {
            party: [getattr(tally, name) for name in _TALLY_FIELDS]
            for party, tally in summary.parties.items()
        },
    }


def _summary(data: Mapping[str, Any]) -> DiffSummary:
    major, minor, editorial, added, removed = data["counts"]
    parties = {party: PartyTally(*values) for party, values in data["parties"].items()}
    return DiffSummary(major, minor, editorial, added, removed, parties)


def _outline_to_dict(outline: TextOutline) -> dict[str, Any]:
    return {
        "parties": [list(party) for party in outline.parties],
        "held": {party: list(counts) for party, counts in outline.held.items()},
        "ids": list(outline.activity_ids),
        "sections": [dict(outline.sections_before), dict(outline.sections_after)],
        "gone": [list(party) for party in outline.parties_gone],
        "dates": list(outline.date_fields),
    }


def _outline(data: Mapping[str, Any]) -> TextOutline:
    """An outline; its texts are interned, as a long history repeats them in every outline."""
    before, after = data["sections"]
    return TextOutline(
        parties=_parties(data["parties"]),
        held={sys.intern(party): _counts(*counts) for party, counts in data["held"].items()},
        activity_ids=tuple(sys.intern(i) for i in data["ids"]),
        sections_before=_titles(before),
        sections_after=_titles(after),
        parties_gone=_parties(data["gone"]),
        date_fields=_date_fields(data["dates"]),
    )


def _parties(pairs: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((sys.intern(party), sys.intern(label)) for party, label in pairs)


def _titles(titles: Mapping[str, str]) -> dict[str, str]:
    return {sys.intern(number): sys.intern(title) for number, title in titles.items()}


def _date_fields(fields: object) -> tuple[str, str]:
    if type(fields) is not list or len(fields) != 2 or any(type(f) is not str for f in fields):
        raise TypeError("date fields are not two texts")
    return sys.intern(fields[0]), sys.intern(fields[1])


def _counts(accountable: object, responsible: object) -> tuple[int, int]:
    if type(accountable) is not int or type(responsible) is not int:
        raise TypeError("held counts are not numbers")
    return accountable, responsible
