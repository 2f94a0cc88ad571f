"""Rendering: the only module that imports Jinja2. Python passes data; templates make the prose.

Document text is untrusted. HTML templates are autoescaped; Markdown templates escape every
value through the `md` filter (pipes, backslashes, HTML, newlines, mentions), so an activity named
`<script>` or `a | b` shows as text and never breaks a table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
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

from raci_tracker.codec import iso_time
from raci_tracker.compare.changelog import Entry, NewText, PageChangelog, permalink
from raci_tracker.compare.diligence import Consistency, NetChange, held_by
from raci_tracker.model import ChangeSeverity, CommitRef, Diff, Finding, Revision, Snapshot

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#@~])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def md(value: object) -> str:
    """Text safe inside Markdown, table cells included."""
    text = "" if value is None else str(value)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _NEWLINES.sub(" ", text).strip()


def make_environment(user_templates: Path | None = None) -> Environment:
    """Built-in templates, overridable by a user folder; `builtin/NAME` always reaches ours."""
    builtin = PackageLoader("raci_tracker.output", "templates")
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
    env.filters["label_words"] = label_words
    env.filters["plural"] = plural
    env.filters["upper_first"] = upper_first
    env.globals["md"] = md
    env.globals["plain"] = _plain
    env.globals["changes_roles"] = roles_text
    return env


LABEL_WORDS = {
    "responsibility-gained": "now responsible (R)",
    "responsibility-lost": "no longer responsible (R)",
    "accountability-gained": "now accountable (A)",
    "accountability-lost": "no longer accountable (A)",
    "consulted-gained": "now consulted (C)",
    "consulted-lost": "no longer consulted (C)",
    "informed-gained": "now informed (I)",
    "informed-lost": "no longer informed (I)",
}
DATE_SOURCES = {
    "front-matter": "page's `updated` field",
    "body": 'page\'s "last updated" line',
    "commit": "commit (the page carries no date)",
}


def upper_first(text: str) -> str:
    """Capitalise the first letter only ("OVHcloud" stays "OVHcloud")."""
    return text[:1].upper() + text[1:]


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def label_words(label: str) -> str:
    return LABEL_WORDS.get(label, label)


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
    return plural(count, "activity", "activities")


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


def holdings(snapshot: Snapshot, names: PartyNames) -> str:
    """Who is accountable for how many activities: "OVHcloud is accountable for 30 activities"."""
    parts = []
    for party in snapshot.parties:
        count = sum(1 for a in snapshot.activities if "A" in a.assignments.get(party.id, ""))
        if count:
            parts.append(f"{names.name(party.id)} is accountable for {_plural(count)}")
    sentence = "; ".join(parts) or "nobody is accountable for any activity"
    return sentence[0].upper() + sentence[1:]


def render_changelog(
    page: PageChangelog, output_format: str, env: Environment | None = None
) -> str:
    """`CHANGELOG.md` or `CHANGELOG.html` of one page and locale."""
    env = env or make_environment()
    latest = page.latest
    names = PartyNames.of(*(e.revision.snapshot for e in reversed(page.entries)))

    def link(ref: CommitRef) -> str | None:
        return permalink(page.permalink, ref, page.locale)

    return env.get_template(f"CHANGELOG.{output_format}.j2").render(
        page=page,
        latest=latest,
        names=names,
        link=link,
        summary=lambda diff: summary_sentence(diff, names),
        holdings=lambda snapshot: holdings(snapshot, names),
        date_sources=DATE_SOURCES,
    )


def open_findings(page: PageChangelog) -> str:
    """ "1 error, 3 warnings: no-responsible ×3, unknown-letter" for the latest revision."""
    latest = page.latest
    if latest is None:
        return "none"
    findings = [f for f in latest.revision.snapshot.findings if f.severity.value != "info"]
    if not findings:
        return "none"
    by_severity = Counter(f.severity.value for f in findings)
    counts = ", ".join(
        f"{n} {severity}{'s' if n != 1 else ''}" for severity, n in sorted(by_severity.items())
    )
    rules = Counter(f.rule for f in findings)
    detail = ", ".join(f"{rule} ×{n}" if n > 1 else rule for rule, n in sorted(rules.items()))
    return f"{counts}: {detail}"


def render_index(
    pages: Sequence[PageChangelog],
    output_format: str,
    extra_links: Sequence[tuple[str, str]] = (),
    env: Environment | None = None,
) -> str:
    env = env or make_environment()
    return env.get_template(f"index.{output_format}.j2").render(
        pages=pages, open_findings=open_findings, extra_links=extra_links
    )


def render_feed(pages: Sequence[PageChangelog], env: Environment | None = None) -> str:
    """An Atom feed: one entry per revision whose R, A, C or I moved, newest first."""
    env = env or make_environment()
    entries = []
    for page in pages:
        names = PartyNames.of(*(e.revision.snapshot for e in reversed(page.entries)))
        for entry in page.entries:
            if entry.has_shifts:
                entries.append(_feed_entry(page, entry, names, env))
    entries.sort(key=lambda item: (item["updated"], item["id"]), reverse=True)
    updated = entries[0]["updated"] if entries else "1970-01-01T00:00:00Z"
    return env.get_template("feed.xml.j2").render(
        feed_id=f"{FEED_TAG}:feed", updated=updated, entries=entries
    )


FEED_TAG = "tag:raci-tracker.invalid,2026"


def _feed_entry(
    page: PageChangelog, entry: Entry, names: PartyNames, env: Environment
) -> dict[str, str | None]:
    revision = entry.revision
    shifted = [s for s in entry.steps if s.diff is not None and s.diff.has_shifts]
    summary = "; ".join(summary_sentence(s.diff, names) for s in shifted if s.diff)
    html = env.get_template("feed_entry.html.j2").render(
        entry=entry, names=names, summary=lambda diff: summary_sentence(diff, names)
    )
    return {
        "id": f"{FEED_TAG}:{page.document}/{page.locale}/{revision.date}",
        "title": f"{page.title or page.document} ({page.locale}), {revision.date}: {summary}",
        "updated": iso_time(max(ref.commit_time for ref in revision.commits)),
        "link": permalink(page.permalink, revision.ref, page.locale)
        or f"{page.document}/{page.locale}/CHANGELOG.html#revision-{revision.date}",
        "summary": summary,
        "html": str(html).strip(),
    }


def roles_text(assignments: Mapping[str, str]) -> str:
    return ", ".join(f"{party} {letters or '-'}" for party, letters in assignments.items())


@dataclass(frozen=True, slots=True)
class CompareView:
    """`raci-tracker compare`: the net change, and the dates the user asked about."""

    net: NetChange
    title: str
    locale: str
    start_date: str
    end_date: str
    link: Callable[[CommitRef], str | None]


def render_compare(view: CompareView, output_format: str, env: Environment | None = None) -> str:
    env = env or make_environment()
    names = PartyNames.of(view.net.end.snapshot, view.net.start.snapshot)
    return env.get_template(f"compare.{output_format}.j2").render(
        net=view.net,
        grouped=view.net.by_party(),
        names=names,
        title=view.title,
        locale=view.locale,
        start_date=view.start_date,
        end_date=view.end_date,
        link=view.link,
        summary=summary_sentence(view.net.diff, names),
    )


@dataclass(frozen=True, slots=True)
class MatrixView:
    """`raci-tracker matrix`: the revision in force, optionally one party's share of it."""

    snapshot: Snapshot
    revision: Revision | None
    party: str | None
    at: str
    findings: Sequence[Finding]


def render_matrix(view: MatrixView, output_format: str, env: Environment | None = None) -> str:
    env = env or make_environment()
    snapshot = view.snapshot
    return env.get_template(f"matrix.{output_format}.j2").render(
        snapshot=snapshot,
        revision=view.revision,
        party=view.party,
        at=view.at,
        findings=view.findings,
        held=held_by(snapshot, view.party) if view.party else None,
        names=PartyNames.of(snapshot),
        title=snapshot.document.title or "RACI",
        locale=snapshot.document.locale or "",
    )


@dataclass(frozen=True, slots=True)
class ConsistencyView:
    """`raci-tracker consistency`: where the locales of one page disagree, and its title."""

    result: Consistency
    title: str


def render_consistency(
    result: Consistency, output_format: str, *, title: str, env: Environment | None = None
) -> str:
    env = env or make_environment()
    return env.get_template(f"consistency.{output_format}.j2").render(result=result, title=title)


def render_run_summary(
    new_texts: Sequence[NewText],
    failed: Sequence[Any],
    counts: Mapping[str, int],
    env: Environment | None = None,
) -> str:
    """The Markdown summary of a run: the job summary in CI, and the body of its issue."""
    env = env or make_environment()
    return env.get_template("last-run.md.j2").render(
        texts=new_texts,
        shifts=[t for t in new_texts if t.has_shifts],
        failed=failed,
        counts=counts,
        summary=summary_sentence,
        names_of=lambda page: PartyNames.of(*(e.revision.snapshot for e in reversed(page.entries))),
    )
