"""What the scheduled job remembers between runs so it never loses or swallows an alert.

- `alerted.json` (in the reports folder): which texts with role shifts were already alerted.
  A run alerts its own shifts and any shift an earlier run took in but never alerted (it was
  interrupted, or its notification failed), then records them. A text is named by its content,
  not its commit (`text_key`), so an upstream history rewritten with the same texts (a
  reworded commit message, a rebase) alerts nothing again.
- `awaiting-ack.json` (in the reports folder): the texts a run alerted whose delivery is left to
  a later step (`run --await-ack`, e.g. the workflow's issue); `ack-alerts` moves them into
  `alerted.json` once that step succeeded. Until then they count as never alerted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from raci_tracker.codec import dumps
from raci_tracker.compare.changelog import NewText, PageChangelog, permalink
from raci_tracker.errors import InputError
from raci_tracker.files import remove_file, write_atomic
from raci_tracker.output.prose import PartyNames, summary_sentence
from raci_tracker.output.render import make_environment
from raci_tracker.output.status import ALERTED, AWAITING, read_record

SCHEMA = 2
READABLE = (1, 2)
"""Schema 1 named texts by commit (`<doc>/<locale>/<commit>`); those names are still read."""


def commit_key(text: NewText) -> str:
    """A text's name in a schema-1 record: its page, locale and commit."""
    return f"{text.page.document}/{text.page.locale}/{text.step.ref.commit}"


def text_keys(page: PageChangelog) -> dict[str, str]:
    """Each text's name in the record, by its commit key: its page, locale, blob and how many
    times the page had that text so far (`<doc>/<locale>/<blob>#2` when a text comes back),
    which a history rewritten with the same texts keeps."""
    seen: dict[str, int] = {}
    keys = {}
    for entry in page.entries:
        for step in entry.steps:
            blob = step.ref.blob or "deleted"
            seen[blob] = seen.get(blob, 0) + 1
            text = NewText(page, entry, step)
            keys[commit_key(text)] = f"{page.document}/{page.locale}/{blob}#{seen[blob]}"
    return keys


def _read_keys(path: Path, key: str) -> list[str] | None:
    """A record's list of text keys, None when the file does not exist."""
    record = read_record(path, key, SCHEMA, READABLE)
    keys = None if record is None else record[key]
    if keys is not None and not (
        isinstance(keys, list) and all(isinstance(item, str) for item in keys)
    ):
        raise InputError(f"{key!r} is not a list of texts; fix or remove it", path=str(path))
    return keys


def shift_texts(pages: Iterable[PageChangelog]) -> Iterable[NewText]:
    """Every stored text that moved a role, page by page in date order."""
    for page in pages:
        for entry in page.entries:
            for step in entry.steps:
                text = NewText(page, entry, step)
                if text.has_shifts:
                    yield text


def _keyed_shifts(pages: Iterable[PageChangelog]) -> Iterable[tuple[str, str, NewText]]:
    """Every stored shift with its name in the record and its commit key."""
    for page in pages:
        keys = text_keys(page)
        for text in shift_texts([page]):
            yield keys[commit_key(text)], commit_key(text), text


def pending_alerts(
    reports: Path, pages: Sequence[PageChangelog], new_texts: Sequence[NewText]
) -> tuple[NewText, ...]:
    """Shifts taken in by an earlier run and never alerted. With no record yet, every stored
    shift but this run's counts as alerted: a tracker set up on an old store does not replay
    its whole history."""
    new = {commit_key(text) for text in new_texts}
    alerted = _read_keys(reports / ALERTED, "alerted")
    if alerted is None:
        return ()
    known = set(alerted)  # schema-1 records name texts by commit key
    return tuple(
        text
        for key, by_commit, text in _keyed_shifts(pages)
        if by_commit not in new and key not in known and by_commit not in known
    )


def record_alerted(
    reports: Path,
    pages: Sequence[PageChangelog],
    unsent: Iterable[NewText],
    awaiting: Iterable[NewText] = (),
) -> bool:
    """Record every stored shift as alerted except `unsent` (a notification failed) and
    `awaiting` (delivered by a later step, recorded by `acknowledge`)."""
    shifts = {by_commit: key for key, by_commit, _ in _keyed_shifts(pages)}
    skip = {shifts.get(commit_key(text), commit_key(text)) for text in unsent}
    held = sorted({shifts.get(commit_key(text), commit_key(text)) for text in awaiting} - skip)
    keys = sorted(set(shifts.values()) - skip - set(held))
    previous = _read_keys(reports / ALERTED, "alerted")
    written = _write_awaiting(reports, held)
    if previous is not None and sorted(previous) == keys:
        return written
    return write_atomic(reports / ALERTED, dumps({"schema": SCHEMA, "alerted": keys})) or written


def _write_awaiting(reports: Path, keys: Sequence[str]) -> bool:
    """`awaiting-ack.json` with `keys`, or no file when nothing awaits. Each run writes it
    afresh: what an earlier run left unacknowledged is pending again, so among this run's alerts."""
    path = reports / AWAITING
    if keys:
        return write_atomic(path, dumps({"schema": SCHEMA, "awaiting": list(keys)}))
    return remove_file(path)


def acknowledge(reports: Path) -> int:
    """Record the alerts awaiting acknowledgement as alerted, then drop the awaiting file;
    how many were not recorded yet. Idempotent: with nothing awaiting, nothing changes."""
    awaiting = _read_keys(reports / AWAITING, "awaiting")
    if awaiting is None:
        return 0
    alerted = _read_keys(reports / ALERTED, "alerted") or []
    keys = sorted(set(alerted) | set(awaiting))
    write_atomic(reports / ALERTED, dumps({"schema": SCHEMA, "alerted": keys}))
    remove_file(
        reports / AWAITING
    )  # after the record: stopped in between, acking again is harmless
    return len(keys) - len(set(alerted))


# --- the notification --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notification:
    """The run's one message: its title, and its Markdown body fitted to what a destination
    takes (`body_within`)."""

    title: str
    texts: tuple[NewText, ...]
    summary_line: str
    pending: int

    @property
    def body(self) -> str:
        """The whole body: every shift."""
        return self._body(len(self.texts))

    def body_within(self, limit: int) -> str:
        """The body in at most `limit` characters: the summary line, then as many shifts as fit,
        in order, and how many are left out; cut at `limit` where even no shift is too long."""
        if len(whole := self.body) <= limit:
            return whole
        shown, too_many = 0, len(self.texts)  # a body of `shown` shifts fits, one of `too_many` not
        while too_many - shown > 1:
            middle = (shown + too_many) // 2
            shown, too_many = (middle, too_many) if self._fits(middle, limit) else (shown, middle)
        return self._body(shown)[:limit]

    def _fits(self, shown: int, limit: int) -> bool:
        return len(self._body(shown)) <= limit

    def _body(self, shown: int) -> str:
        by_page: dict[tuple[str, str], list[NewText]] = {}
        for text in self.texts[:shown]:
            by_page.setdefault((text.page.document, text.page.locale), []).append(text)
        return str(
            _environment()
            .get_template("notification.md.j2")
            .render(
                summary_line=self.summary_line,
                pending=self.pending,
                pages=list(by_page.values()),
                left_out=len(self.texts) - shown,
                summary=summary_sentence,
                names_of=lambda text: PartyNames.of_step(text.step),
                link=lambda text: permalink(text.page.permalink, text.step.ref, text.page.locale),
            )
        )


@cache
def _environment() -> Any:
    return make_environment()


def notification(alerts: Sequence[NewText], summary_line: str, pending: int = 0) -> Notification:
    """One message for the run: the summary line, then the shifts page by page, with links;
    `pending` of them were taken in by an earlier run and never alerted."""
    count = len(alerts)
    title = f"RACI responsibility shifts: {count} text{'s' if count != 1 else ''} with role changes"
    return Notification(title, tuple(alerts), summary_line, pending)


def render_pending(pending: Sequence[NewText], env: Any) -> str:
    """The issue body's part on shifts an earlier run took in but never alerted."""
    if not pending:
        return ""
    return str(
        env.get_template("pending.md.j2").render(
            texts=pending,
            summary=summary_sentence,
            names_of=lambda text: PartyNames.of_step(text.step),
        )
    )
