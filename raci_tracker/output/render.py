"""Rendering: the only module that imports Jinja2. Python passes data; templates make the prose.

Document text is untrusted. HTML templates are autoescaped; Markdown templates escape every
value through the `md` filter (pipes, backslashes, HTML, newlines, mentions), so an activity named
`<script>` or `a | b` shows as text and never breaks a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)

from raci_tracker.codec import iso_time
from raci_tracker.compare.activity_history import Lineage
from raci_tracker.compare.changelog import Entry, NewText, PageChangelog, permalink
from raci_tracker.compare.diligence import Consistency, held_by
from raci_tracker.compare.in_force import Version, commit_day
from raci_tracker.compare.net import Deletion, NetChange, tallies_by_document
from raci_tracker.errors import InputError
from raci_tracker.model import (
    ChangeSeverity,
    CommitRef,
    Diff,
    Finding,
    Revision,
    RevisionStatus,
    Snapshot,
)
from raci_tracker.output.pages import grid, matrix_sections
from raci_tracker.output.paging import ChangelogPage, revision_hrefs, revision_key
from raci_tracker.output.prose import (
    DATE_SOURCES,
    PartyNames,
    SectionNames,
    date_fields,
    dated_from,
    holdings,
    label_words,
    plural,
    roles_text,
    section_name,
    step_summary,
    summary_sentence,
    upper_first,
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#@~])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def md(value: object) -> str:
    """Text safe inside Markdown, table cells included."""
    text = "" if value is None else xml_safe(str(value))
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _NEWLINES.sub(" ", text).strip()


def _plain(value: object) -> str:
    return "" if value is None else str(value)


# Characters XML 1.0 forbids (C0 controls but tab and line ends, U+FFFE, U+FFFF, lone surrogates)
# and C1 controls: one in an activity would make the whole feed invalid, and in a report opened in
# a terminal, ESC starts an escape sequence.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """A text without the characters XML forbids; other values (numbers, None) as they are."""
    if isinstance(value, str) and _NOT_XML.search(value):
        return value.__class__(_NOT_XML.sub("", value))  # a `Markup` stays `Markup`
    return value


class _Environment(Environment):
    """Jinja's environment, where a template that does not compile is an `InputError` naming the
    template and line (a user's template folder can hold one)."""

    def _load_template(self, name: str, globals: Any) -> Any:
        try:
            return super()._load_template(name, globals)
        except TemplateSyntaxError as error:
            where = error.filename or error.name or name
            raise InputError(
                f"template syntax error: {error.message}", path=where, line=error.lineno
            ) from None


def make_environment(user_templates: Path | None = None) -> Environment:
    """Built-in templates, overridable by a user folder; `builtin/NAME` always reaches ours.

    Every value a template prints passes `xml_safe` (Jinja's `finalize`). A template folder is
    trusted like the workflow that runs it (docs/decisions/0006-template-trust.md).
    """
    builtin = PackageLoader("raci_tracker.output", "templates")
    loaders: list[Any] = [FileSystemLoader(user_templates)] if user_templates else []
    env = _Environment(
        finalize=xml_safe,
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
    env.filters["xml_safe"] = xml_safe
    env.filters["label_words"] = label_words
    env.filters["plural"] = plural
    env.filters["upper_first"] = upper_first
    env.globals["md"] = md
    env.globals["escapers"] = {"md": md, "html": env.filters["escape"], "text": _plain}
    env.globals["changes_roles"] = roles_text
    env.globals["commit_day"] = commit_day
    env.globals["section_name"] = section_name
    env.globals["date_fields"] = date_fields
    return env


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
        sections=SectionNames.of(new, old),
        old=old.document,
        new=new.document,
    )


Templates = Environment
"""The template environment, for modules that render without importing Jinja2."""


def render_template(env: Templates, name: str, **values: Any) -> str:
    return env.get_template(name).render(**values)


def render_changelog(
    page: PageChangelog,
    output_format: str,
    env: Environment | None = None,
    part: ChangelogPage | None = None,
) -> str:
    """`CHANGELOG.md` or `CHANGELOG.html` of one page and locale: every revision, or one `part`
    of a long changelog with links to the others and to the site's pages."""
    env = env or make_environment()
    latest = page.latest

    def link(ref: CommitRef) -> str | None:
        return permalink(page.permalink, ref, page.locale)

    return env.get_template(f"CHANGELOG.{output_format}.j2").render(
        page=page,
        entries=part.entries if part else page.newest_first(),
        part=part,
        latest=latest,
        link=link,
        sections=SectionNames.of_step,
        step_names=PartyNames.of_step,
        summary=step_summary,
        holdings=lambda snapshot: holdings(snapshot, PartyNames.of(snapshot)),
        date_sources=DATE_SOURCES,
        dated_from=dated_from,
    )


def render_feed(
    pages: Sequence[PageChangelog], env: Environment | None = None, base_url: str | None = None
) -> str:
    """An Atom feed: one entry per revision whose R, A, C or I moved, newest first. With
    `base_url` (where the reports are published) its links are absolute and it names itself."""
    env = env or make_environment()
    entries = []
    for page in pages:
        hrefs = revision_hrefs(page)
        for entry in page.entries:
            if entry.has_shifts:
                local = f"{page.document}/{page.locale}/{hrefs[revision_key(entry.revision)]}"
                entries.append(_feed_entry(page, entry, env, local, base_url))
    entries.sort(key=lambda item: (item["updated"], item["id"]), reverse=True)
    updated = entries[0]["updated"] if entries else "1970-01-01T00:00:00Z"
    return env.get_template("feed.xml.j2").render(
        feed_id=f"{FEED_TAG}:feed", updated=updated, entries=entries, base_url=base_url
    )


FEED_TAG = "tag:raci-tracker.invalid,2026"


def _feed_entry(
    page: PageChangelog,
    entry: Entry,
    env: Environment,
    local: str,
    base_url: str | None,
) -> dict[str, str | None]:
    """The entry links the published changelog when the site has a `base_url` (the source as
    related), else the source, else the changelog by its relative path."""
    revision = entry.revision
    shifted = [s for s in entry.steps if s.diff is not None and s.diff.has_shifts]
    summary = "; ".join(step_summary(s) for s in shifted)
    source = permalink(page.permalink, revision.ref, page.locale)
    html = env.get_template("feed_entry.html.j2").render(
        entry=entry,
        sections=SectionNames.of_step,
        step_names=PartyNames.of_step,
        summary=step_summary,
    )
    return {
        "id": f"{FEED_TAG}:{page.document}/{page.locale}/{revision.key or revision.date}",
        "title": f"{page.title or page.document} ({page.locale}), {revision.date}: {summary}",
        "updated": iso_time(max(step.ref.commit_time for step in entry.steps)),
        "link": base_url + local if base_url else source or local,
        "related": source if base_url else None,
        "summary": summary,
        "html": str(html).strip(),
    }


@dataclass(frozen=True, slots=True)
class CompareView:
    """`raci-tracker compare`: the net change, and the dates the user asked about."""

    net: NetChange
    title: str
    locale: str
    start_date: str
    end_date: str
    link: Callable[[CommitRef], str | None]
    document: str | None = None
    first: Version | None = None  # the page's first version, said when `start` is None

    @property
    def names(self) -> PartyNames:
        return PartyNames.of(self.net.end.snapshot, self.net.start_snapshot)

    @property
    def sections(self) -> SectionNames:
        return SectionNames.of(self.net.end.snapshot, self.net.start_snapshot)


def _compare_context(view: CompareView) -> dict[str, Any]:
    names = view.names
    return {
        "view": view,
        "net": view.net,
        "rows": view.net.rows(),
        "grouped": view.net.by_party(),
        "names": names,
        "sections": view.sections,
        "title": view.title,
        "locale": view.locale,
        "start_date": view.start_date,
        "end_date": view.end_date,
        "link": view.link,
        "day": commit_day,
        "date_sources": DATE_SOURCES,
        "summary": summary_sentence(view.net.diff, names, view.net.tallies()),
    }


def render_compare(view: CompareView, output_format: str, env: Environment | None = None) -> str:
    env = env or make_environment()
    context = _compare_context(view)
    return env.get_template(f"compare.{output_format}.j2").render(c=context, **context)


@dataclass(frozen=True, slots=True)
class PortfolioView:
    """`raci-tracker compare` over every configured page, and the pages it could not compare."""

    pages: tuple[CompareView, ...]
    absent: tuple[tuple[str, str, str], ...]  # document, locale, why
    start_date: str
    end_date: str


def render_portfolio(
    view: PortfolioView, output_format: str, env: Environment | None = None
) -> str:
    """A portfolio summary (per document: letters each party lost and gained), then each page."""
    env = env or make_environment()
    documents = tallies_by_document([(page.document or "", page.net) for page in view.pages])
    return env.get_template(f"portfolio.{output_format}.j2").render(
        view=view,
        pages=[_compare_context(page) for page in view.pages],
        documents=documents,
        names=names_by_document(view.pages),
    )


def names_by_document(pages: Sequence[CompareView]) -> dict[str, PartyNames]:
    """document -> how its parties are named: by its own pages' texts, never another document's
    (a provider column is "OVHcloud" on one page, "Rôle Cloud Temple" on another)."""
    snapshots: dict[str, list[Snapshot]] = {}
    for page in pages:
        found = snapshots.setdefault(page.document or "", [])
        found += [page.net.end.snapshot, page.net.start_snapshot]
    return {document: PartyNames.of(*texts) for document, texts in snapshots.items()}


@dataclass(frozen=True, slots=True)
class ActivityHistoryView:
    """`raci-tracker history-of`: the activities found, each with its changes of letters."""

    found: tuple[Lineage, ...]
    title: str
    locale: str
    document: str
    query: str
    link: Callable[[CommitRef], str | None]
    deletions: tuple[Deletion, ...] = ()  # the page deleted, then restored (or not)


def render_activity_history(
    view: ActivityHistoryView, output_format: str, env: Environment | None = None
) -> str:
    env = env or make_environment()
    snapshots = [change.version.snapshot for a in view.found for change in a.changes]
    return env.get_template(f"history-of.{output_format}.j2").render(
        view=view, names=PartyNames.of(*reversed(snapshots)), link=view.link, day=commit_day
    )


@dataclass(frozen=True, slots=True)
class MatrixView:
    """`raci-tracker matrix`: the revision in force, optionally one party's share of it."""

    snapshot: Snapshot
    revision: Revision | None
    party: str | None
    at: str
    findings: Sequence[Finding]
    version: Version | None = None  # the text in force, when read from a history
    page: tuple[str, str] = ("the page", "")  # its document and locale, if the page is deleted

    @property
    def deleted(self) -> bool:
        """No matrix was in force: the page was deleted on or before the date."""
        return self.version is not None and self.version.revision.status is RevisionStatus.DELETED

    def deleted_note(self) -> str:
        """Why no matrix is shown, plain text: the commit that deleted the page and its day."""
        assert self.version is not None
        return (
            f"no matrix was in force on {self.at}: the page was deleted by commit"
            f" {self.version.ref.commit[:12]}, committed {self.version.committed}"
        )


def render_matrix(view: MatrixView, output_format: str, env: Environment | None = None) -> str:
    env = env or make_environment()
    snapshot = view.snapshot
    if view.deleted:
        return env.get_template(f"matrix_deleted.{output_format}.j2").render(
            view=view, version=view.version, document=view.page[0], locale=view.page[1]
        )
    return env.get_template(f"matrix.{output_format}.j2").render(
        snapshot=snapshot,
        revision=view.revision,
        version=view.version,
        day=commit_day,
        party=view.party,
        at=view.at,
        findings=view.findings,
        held=held_by(snapshot, view.party) if view.party else None,
        sections=matrix_sections(snapshot),
        section_names=SectionNames.of(snapshot),
        names=PartyNames.of(snapshot),
        title=snapshot.document.title or "RACI",
        locale=snapshot.document.locale or "",
    )


GRID_DIFFERENCES = {"same": "", "differs": "letters differ", "missing": "missing in some locales"}
"""What the consistency grid says of a row, by its kind."""


@dataclass(frozen=True, slots=True)
class ConsistencyView:
    """`raci-tracker consistency`: where the locales of one page disagree, its title, and the
    names of its parties."""

    result: Consistency
    title: str
    names: PartyNames = field(default_factory=lambda: PartyNames({}))


def render_consistency(
    result: Consistency,
    output_format: str,
    *,
    title: str,
    env: Environment | None = None,
    names: PartyNames | None = None,
    home: str | None = None,
) -> str:
    """The grid of rows where the locales differ; `home` links the site's index."""
    env = env or make_environment()
    return env.get_template(f"consistency.{output_format}.j2").render(
        result=result,
        title=title,
        rows=grid(result, names or PartyNames({})),
        home=home,
        locale_links=lambda locales, f: [(f"Locale {x}", f"{x}/index.{f}") for x in locales],
        differences=GRID_DIFFERENCES,
    )


def render_run_summary(
    new_texts: Sequence[NewText],
    failed: Sequence[Any],
    counts: Mapping[str, int],
    env: Environment | None = None,
    skipped: Sequence[Any] = (),
) -> str:
    """The Markdown summary of a run: the job summary in CI, and the body of its issue."""
    env = env or make_environment()
    return env.get_template("last-run.md.j2").render(
        texts=new_texts,
        skipped=skipped,
        shifts=[t for t in new_texts if t.has_shifts],
        failed=failed,
        counts=counts,
        summary=summary_sentence,
        sections=SectionNames.of_step,
        names_of=lambda text: PartyNames.of_step(text.step),
    )
