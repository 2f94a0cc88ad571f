"""Rendering: the only module that imports Jinja2. Python passes data; templates make the prose.

Document text is untrusted. HTML templates are autoescaped; Markdown templates escape every
value through the `md` filter (pipes, backslashes, HTML, newlines, mentions), so an activity named
`<script>` or `a | b` shows as text and never breaks a table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)

from .model import ChangeSeverity, Diff, Snapshot

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#@~])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def md(value: object) -> str:
    """Text safe inside Markdown, table cells included."""
    text = "" if value is None else str(value)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _NEWLINES.sub(" ", text).strip()


def make_environment(user_templates: Path | None = None) -> Environment:
    """Built-in templates, overridable by a user folder; `builtin/NAME` always reaches ours."""
    builtin = PackageLoader("raci_tracker", "templates")
    loaders: list[Any] = [FileSystemLoader(user_templates)] if user_templates else []
    env = Environment(
        loader=ChoiceLoader([*loaders, builtin, PrefixLoader({"builtin": builtin})]),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "xml.j2"),
            default_for_string=False,
            default=False,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.globals["md"] = md
    env.globals["plain"] = _plain
    return env


def _plain(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class PartyNames:
    """How parties are named in prose: the provider by its label, the customer as "the customer"."""

    labels: Mapping[str, str]

    @classmethod
    def of(cls, *snapshots: Snapshot) -> PartyNames:
        labels: dict[str, str] = {}
        for snapshot in snapshots:
            for party in snapshot.parties:
                labels.setdefault(party.id, party.label)
        return cls(labels)

    def name(self, party: str | None) -> str:
        if party is None:
            return ""
        if party == "customer":
            return "the customer"
        return self.labels.get(party, party)


def summary_sentence(diff: Diff, names: PartyNames) -> str:
    """One line a reader acts on: who gave up or gained A and R; what was added or removed."""
    parts = []
    givers_first = sorted(
        diff.summary.parties.items(),
        key=lambda item: (not (item[1].accountable_lost or item[1].responsible_lost), item[0]),
    )
    for party, tally in givers_first:
        lost = _counted({"A": tally.accountable_lost, "R": tally.responsible_lost})
        gained = _counted({"A": tally.accountable_gained, "R": tally.responsible_gained})
        phrases = [f"gave up {lost}"] if lost else []
        phrases += [f"gained {gained}"] if gained else []
        if phrases:
            parts.append(f"{names.name(party)} {' and '.join(phrases)}")
    summary = diff.summary
    if summary.activities_added:
        parts.append(_activities(summary.activities_added, "added"))
    if summary.activities_removed:
        parts.append(_activities(summary.activities_removed, "removed"))
    if not parts:
        parts.append("C or I changed only" if summary.minor else "no responsibility shift")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]


def _counted(counts: Mapping[str, int]) -> str:
    """`{"A": 1, "R": 1}` -> "A and R on 1 activity"; unequal counts are spelled one by one."""
    present = {letter: n for letter, n in counts.items() if n}
    if not present:
        return ""
    if len(set(present.values())) == 1:
        count = next(iter(present.values()))
        return f"{' and '.join(present)} on {_plural(count)}"
    return " and ".join(f"{letter} on {_plural(n)}" for letter, n in present.items())


def _plural(count: int) -> str:
    return f"{count} activit{'y' if count == 1 else 'ies'}"


def _activities(count: int, verb: str) -> str:
    return f"{_plural(count)} {verb}"


def render_diff(
    diff: Diff, old: Snapshot, new: Snapshot, output_format: str, env: Environment | None = None
) -> str:
    """The diff as `text` or `md`."""
    env = env or make_environment()
    names = PartyNames.of(new, old)
    template = env.get_template(f"diff.{output_format}.j2")
    return template.render(
        diff=diff,
        shifts=[c for c in diff.changes if c.severity is not ChangeSeverity.EDITORIAL],
        editorial=[c for c in diff.changes if c.severity is ChangeSeverity.EDITORIAL],
        summary=summary_sentence(diff, names),
        names=names,
        old=old.document,
        new=new.document,
    )
