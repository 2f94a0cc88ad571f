"""What a page's home shows of its whole history, folded one text at a time: each activity's
history (`activity.Follower`), each text's mark on the timeline (`timeline.Mark`) and each
revision's parties (their names). A run keeps the fold beside the page's store (`home.json`)
with what it was folded from, so the next run folds only the texts it took in: a page commit
reads the new diff for the home, not every diff of the history (ADR 19). A fold kept from other
texts, or by other code, is folded again from the first text."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, TypeVar, cast

from raci_tracker.codec import activity_from_dict, activity_to_dict, ref_from_dict, ref_to_dict
from raci_tracker.compare.changelog import PageChangelog, RevisionHead, Step
from raci_tracker.history.diffs import change_from_dict, change_to_dict
from raci_tracker.output.activity import ActivityEvent, Earlier, Events, Follower
from raci_tracker.output.paging import revision_key
from raci_tracker.output.prose import PartyNames, SectionNames
from raci_tracker.output.timeline import Mark, mark_of

FOLD_FORMAT = 1
"""The format of `home.json`; a kept fold of another format is folded again."""

TextIdOf = Callable[[PageChangelog, str], str | None]
"""What names a page's text for good, by its commit (`reuse.PageTextId`); None: unknown."""


def no_ids(page: PageChangelog, commit: str) -> None:
    """No text known: a fold that is not kept."""


Parties = tuple[tuple[str, str], ...]
_Made = TypeVar("_Made")


@dataclass(slots=True)
class HomeFold:
    """A page's history folded for its home, through its first `steps` texts; `chain` names
    what they were made of (None: a text with no known object, so the fold is not kept)."""

    follower: Follower = field(default_factory=Follower)
    marks: list[Mark] = field(default_factory=list)
    parties: list[tuple[str, Parties]] = field(default_factory=list)  # by revision key
    steps: int = 0
    chain: str | None = None

    def add(self, revision: RevisionHead, step: Step) -> None:
        key, outline = revision_key(revision), step.outline
        self.follower.add(revision.date, key, step)
        self.marks.append(mark_of(revision, step, outline))
        named = (key, outline.parties)
        if self.parties and self.parties[-1][0] == key:
            self.parties[-1] = named  # a revision's parties are those of its last text
        else:
            self.parties.append(named)

    def names(self) -> PartyNames:
        """The parties as the page's revisions name them, the newest name first."""
        return PartyNames.of_parties(p for _, parties in reversed(self.parties) for p in parties)


class _Chain:
    """A digest of what each folded text was made of: its revision, its commit, its object and
    the one before it (whose pair names its diff). `seed` names the code that folds."""

    def __init__(self, page: PageChangelog, text_id: TextIdOf, seed: str) -> None:
        self.page, self.text_id = page, text_id
        self.digest = hashlib.sha256(repr((FOLD_FORMAT, seed)).encode())
        self.trusted = True

    def add(self, revision: RevisionHead, step: Step) -> None:
        identity = self._identity(revision, step) if self.trusted else None
        if identity is None:
            self.trusted = False
            return
        self.digest.update(identity.encode("utf-8", "surrogatepass") + b"\0")

    def _identity(self, revision: RevisionHead, step: Step) -> str | None:
        text = self.text_id(self.page, step.text.commit)
        previous = self.text_id(self.page, step.previous.commit) if step.previous else ""
        if text is None or previous is None:
            return None
        head = (revision.date, revision_key(revision))
        return repr((head, step.ref, step.silent, step.found is None, text, previous))

    def name(self) -> str | None:
        return self.digest.hexdigest() if self.trusted else None


def _steps(page: PageChangelog) -> Iterator[tuple[RevisionHead, Step]]:
    for entry in page.entries:
        for step in entry.steps:
            yield entry.head, step


def fold_home(
    page: PageChangelog,
    kept: HomeFold | None = None,
    text_id: TextIdOf = no_ids,
    seed: str = "",
) -> HomeFold:
    """The page's history folded: from `kept` on where it was folded from the page's first
    texts as they are now (by the same code, named by `seed`), else from the first text."""
    folding = HomeFolding(page, kept, text_id, seed)
    folding.through(len(page.entries))
    return folding.done()


class HomeFolding:
    """`fold_home` a few revisions at a time, oldest first (`through`), so that a caller can let
    each revision's diffs go once they are folded. Whether `kept` still holds is told by what
    names the texts, without reading a diff."""

    def __init__(
        self,
        page: PageChangelog,
        kept: HomeFold | None = None,
        text_id: TextIdOf = no_ids,
        seed: str = "",
    ) -> None:
        self.page, self.steps = page, list(_steps(page))
        self.was = (kept.steps, kept.chain) if kept is not None else (0, None)  # as kept
        chain = _Chain(page, text_id, seed)
        known = kept.steps if kept is not None and kept.steps <= len(self.steps) else 0
        for revision, step in self.steps[:known]:
            chain.add(revision, step)
        if kept is None or not known or chain.name() != kept.chain:
            kept, known, chain = HomeFold(), 0, _Chain(page, text_id, seed)
        self.fold, self.folded, self.chain = kept, known, chain
        self.counts = list(accumulate(len(entry.steps) for entry in page.entries))

    def through(self, revisions: int) -> None:
        """Fold the steps of the page's first `revisions` revisions not folded yet."""
        end = self.counts[revisions - 1] if revisions else 0
        for revision, step in self.steps[self.folded : end]:
            self.chain.add(revision, step)
            self.fold.add(revision, step)
        self.folded = max(self.folded, end)

    def done(self) -> HomeFold:
        """The fold, once every revision is folded."""
        self.through(len(self.page.entries))
        self.fold.steps, self.fold.chain = len(self.steps), self.chain.name()
        return self.fold


# --- home.json ---------------------------------------------------------------------------------


class _Table:
    """Values a fold repeats (each text's counts, a revision's parties, a commit), written once
    each: `at` gives the row of a value of a `kind`, written as `written` (default: as it is)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, Hashable], int] = {}
        self.values: list[Any] = []

    def at(self, kind: str, value: Hashable, written: Any = None) -> int:
        row = self.rows.get((kind, value))
        if row is None:
            row = self.rows[(kind, value)] = len(self.values)
            self.values.append(value if written is None else written)
        return row


def fold_bytes(fold: HomeFold) -> bytes:
    """`home.json`: the fold, with the steps and chain it was folded from."""
    return b"".join(fold_pieces(fold))


def fold_pieces(fold: HomeFold) -> Iterator[bytes]:
    """`fold_bytes` in pieces, each written as it is encoded: a long history's marks (one per
    text) are never held as JSON all at once. The table comes last, filled as the rest is
    written."""
    table = _Table()
    follower = fold.follower
    head = {"format": FOLD_FORMAT, "steps": fold.steps, "chain": fold.chain,
            "next": follower.next_key}  # fmt: skip
    yield _json(head)[:-1]  # the object left open: the lists follow
    current = [[activity_id, key] for activity_id, key in follower.key_of.items()]
    yield b',"current":' + _json(current)
    histories = follower.current().items()
    yield from _json_list("histories", (_history_to_list(k, e, table) for k, e in histories))
    yield from _json_list("marks", (_mark_to_list(mark, table) for mark in fold.marks))
    parties = ([key, table.at("parties", parties)] for key, parties in fold.parties)
    yield from _json_list("parties", parties)
    yield b',"table":' + _json(table.values) + b"}\n"


def _json_list(name: str, values: Iterable[Any]) -> Iterator[bytes]:
    """`,"name":[...]`, a value at a time."""
    yield b',"' + name.encode("utf-8") + b'":['
    for at, value in enumerate(values):
        yield b"," + _json(value) if at else _json(value)
    yield b"]"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _history_to_list(key: int, events: Events, table: _Table) -> list[Any]:
    earlier = events.earlier
    before = None
    if earlier is not None:
        before = [earlier.count, earlier.since, _event_to_dict(earlier.newest, table)]
    return [key, [_event_to_dict(event, table) for event in events.events], before]


def _event_to_dict(event: ActivityEvent, table: _Table) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": event.date,
        "key": event.key,
        "ref": table.at("ref", event.ref, ref_to_dict(event.ref)),
        "silent": event.silent,
        "changes": [_shared(change_to_dict(change), table) for change in event.changes],
    }
    if event.activity is not None:
        data["activity"] = _shared(activity_to_dict(event.activity), table, _ACTIVITY_FIELDS)
    if event.sections is not None:
        named = (event.sections.before, event.sections.after)
        key = tuple(tuple(titles.items()) for titles in named)
        data["sections"] = table.at("sections", key, [dict(titles) for titles in named])
    return data


_CHANGE_FIELDS = {
    "activity": "activity",
    "activity_id": "activity_id",
    "previous_activity": "activity",
    "previous_activity_id": "activity_id",
    "labels": "labels",
}
"""A change's values that recur in every event of its activity, by their kind in the table."""
_ACTIVITY_FIELDS = {"id": "activity_id", "text": "activity"}
"""The same of an activity as first recorded."""


def _shared(data: dict[str, Any], table: _Table, fields: Mapping[str, str] = _CHANGE_FIELDS) -> Any:
    """`data` with the values of `fields` written once in the table, each replaced by its row."""
    for name, kind in fields.items():
        if name in data:
            value = data[name]
            data[name] = table.at(kind, tuple(value) if isinstance(value, list) else value, value)
    return data


def _mark_to_list(mark: Mark, table: _Table) -> list[Any]:
    held, columns = table.at("held", mark.held), table.at("columns", mark.columns)
    return [mark.day, mark.date, mark.key, mark.commit, mark.silent, mark.severity, held, columns]


def fold_from_bytes(data: bytes | None) -> HomeFold | None:
    """The fold `fold_bytes` wrote; None for none, another format, or anything malformed (the
    home is then folded again: the fold is only a shortcut)."""
    if data is None:
        return None
    try:
        return _fold(json.loads(data))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def _fold(data: Mapping[str, Any]) -> HomeFold | None:
    if data.get("format") != FOLD_FORMAT or not isinstance(data["chain"], str):
        return None
    rows = _Rows(data["table"])
    histories = {int(key): rows.events(events, before) for key, events, before in data["histories"]}
    key_of = {str(activity_id): int(key) for activity_id, key in data["current"]}
    if not set(key_of.values()) <= set(histories):
        return None
    follower = Follower(key_of, histories, int(data["next"]))
    marks = [rows.mark(values) for values in data["marks"]]
    parties = [(str(key), rows.parties(at)) for key, at in data["parties"]]
    return HomeFold(follower, marks, parties, int(data["steps"]), data["chain"])


class _Rows:
    """The values of `_Table` as read back, each made once (the texts of a step share them)."""

    def __init__(self, table: Sequence[Any]) -> None:
        self.table = table
        self.made: dict[tuple[str, int], Any] = {}

    def _once(self, kind: str, at: int, make: Callable[[Any], _Made]) -> _Made:
        if (kind, at) not in self.made:
            self.made[(kind, at)] = make(self._row(at))
        return cast(_Made, self.made[(kind, at)])

    def events(self, events: Sequence[Any], before: Sequence[Any] | None) -> Events:
        earlier = None
        if before is not None:
            earlier = Earlier(int(before[0]), str(before[1]), self.event(before[2]))
        return Events([self.event(event) for event in events], earlier)

    def event(self, data: Mapping[str, Any]) -> ActivityEvent:
        sections = data.get("sections")
        return ActivityEvent(
            date=str(data["date"]),
            key=str(data["key"]),
            ref=self._once("ref", data["ref"], ref_from_dict),
            silent=bool(data["silent"]),
            changes=tuple(change_from_dict(self.shared(c)) for c in data["changes"]),
            activity=activity_from_dict(self.shared(data["activity"], _ACTIVITY_FIELDS))
            if "activity" in data
            else None,
            sections=self._once("sections", sections, _sections) if sections is not None else None,
        )

    def shared(
        self, data: Mapping[str, Any], fields: Mapping[str, str] = _CHANGE_FIELDS
    ) -> dict[str, Any]:
        """`data` with the values `_shared` wrote in the table put back."""
        return {name: self._row(value) if name in fields else value for name, value in data.items()}

    def _row(self, at: object) -> Any:
        if type(at) is not int or not 0 <= at < len(self.table):
            raise IndexError(f"no row {at!r}")
        return self.table[at]

    def mark(self, values: Sequence[Any]) -> Mark:
        day, date, key, commit, silent, severity, held, columns = values
        counts = self._once("held", held, _held)
        named = self._once("columns", columns, lambda rows: tuple(str(party) for party in rows))
        return Mark(int(day), str(date), str(key), str(commit), bool(silent), str(severity),
                    counts, named)  # fmt: skip

    def parties(self, at: int) -> Parties:
        return self._once("parties", at, lambda rows: tuple((str(p), str(n)) for p, n in rows))


def _held(rows: Sequence[Any]) -> tuple[tuple[str, int, int], ...]:
    return tuple((str(party), int(a), int(r)) for party, a, r in rows)


def _sections(values: Sequence[Any]) -> SectionNames:
    return SectionNames(dict(values[0]), dict(values[1]))
