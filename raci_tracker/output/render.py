"""Rendering: the only module that imports Jinja2. Python passes data; templates make the prose.

Document text is untrusted. HTML templates are autoescaped; Markdown templates escape every
value through the `md` filter (pipes, backslashes, HTML, newlines, mentions), so an activity named
`<script>` or `a | b` shows as text and never breaks a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup

from raci_tracker.codec import iso_time
from raci_tracker.compare.changelog import Entry, NewText, PageChangelog, ShiftKey, permalink
from raci_tracker.compare.in_force import commit_day
from raci_tracker.errors import InputError
from raci_tracker.model import (
    ChangeSeverity,
    CommitRef,
    Diff,
    Snapshot,
)
from raci_tracker.output.activity import ActivityEvent
from raci_tracker.output.feed import FEED_TAG, FeedEntries, Listed, feed_listing
from raci_tracker.output.pages import Home
from raci_tracker.output.paging import ChangelogPage
from raci_tracker.output.prose import (
    DATE_SOURCES,
    PartyNames,
    SectionNames,
    date_fields,
    dated_from,
    holdings,
    label_words,
    open_findings,
    plural,
    roles_text,
    section_name,
    step_summary,
    summary_sentence,
    upper_first,
)
from raci_tracker.output.reuse import HomeTexts, KeptText, RenderedEntry, rendered_now
from raci_tracker.text import joined_in_pieces

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


def make_environment(
    user_templates: Path | None = None, compiled: Path | None = None
) -> Environment:
    """Built-in templates, overridable by a user folder; `builtin/NAME` always reaches ours.
    With `compiled` (a folder of the cache), the compiled templates are kept there: compiling
    them is most of what a run that renders one page costs. Jinja keys each by its name and
    source, so an edited template is compiled again.

    Every value a template prints passes `xml_safe` (Jinja's `finalize`). A template folder is
    trusted like the workflow that runs it (docs/decisions/0006-template-trust.md).
    """
    builtin = PackageLoader("raci_tracker.output", "templates")
    loaders: list[Any] = [FileSystemLoader(user_templates)] if user_templates else []
    env = _Environment(
        bytecode_cache=_compiled_cache(compiled),
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


def _compiled_cache(folder: Path | None) -> FileSystemBytecodeCache | None:
    """A cache folder that cannot be made is no cache: templates compile as they did."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


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
    kept: KeptText[Entry] = rendered_now,
) -> str:
    """`CHANGELOG.md` or `CHANGELOG.html` of one page and locale: every revision, or one `part`
    of a long changelog with links to the others and to the site's pages. Each revision's
    section comes through `kept`, which may hold it from an earlier render."""
    env = env or make_environment()

    def link(ref: CommitRef) -> str | None:
        return permalink(page.permalink, ref, page.locale)

    helpers = {
        "link": link,
        "sections": SectionNames.of_step,
        "step_names": PartyNames.of_step,
        "summary": step_summary,
        "holdings": lambda snapshot: holdings(snapshot, PartyNames.of(snapshot)),
        "date_sources": DATE_SOURCES,
        "dated_from": dated_from,
    }
    section = env.get_template(f"changelog_entry.{output_format}.j2")

    def entry_section(entry: Entry) -> str:
        text = kept(entry, lambda: section.render(entry=entry, **helpers))
        return _placed(text, output_format)

    return env.get_template(f"CHANGELOG.{output_format}.j2").render(
        page=page,
        entries=part.entries if part else page.newest_first(),
        part=part,
        latest=page.latest,
        entry_section=entry_section,
        **helpers,
    )


def render_home(
    env: Environment, view: Home, output_format: str, kept: HomeTexts | None = None
) -> Iterator[str]:
    """A page's home (`pages.Home`), in pieces as it is rendered: its timeline has a mark per
    text, and a long history's home is never held whole. Each activity's history (the `events`
    macro of `_history.j2`), and each line of it (its `event` macro), comes through `kept`,
    which may hold it from an earlier render. The macros are called here as the home template
    would call them: what they print is escaped by `_macros.j2`, not by the template calling
    them."""
    kept = kept or HomeTexts()
    history: Any = env.get_template("builtin/_history.j2").module  # its macros

    def event_line(event: ActivityEvent) -> str:
        text = kept.line(event, lambda: str(history.event(event, view, output_format)))
        return _placed(text, output_format)

    def activity_history(activity_id: str) -> str:
        def render() -> str:
            events, earlier = view.histories.get(activity_id, ()), view.earlier.get(activity_id)
            return str(history.events(events, view, output_format, earlier, event_line))

        return _placed(kept.history(activity_id, render), output_format)

    fragments = env.get_template(f"home.{output_format}.j2").generate(
        view=view, open_findings=open_findings, activity_history=activity_history
    )
    return joined_in_pieces(fragments)


def _placed(text: str, output_format: str) -> str:
    """A part rendered on its own, placed in its page as it is: in HTML, already escaped."""
    return Markup(text) if output_format == "html" else text


def render_feed(
    pages: Sequence[PageChangelog],
    env: Environment | None = None,
    base_url: str | None = None,
    listed: Sequence[Listed] | None = None,
    reused: FeedEntries | None = None,
) -> str:
    """An Atom feed: one entry per revision whose R, A, C or I moved, the newest `FEED_SIZE`,
    newest first (`listed`, when the caller has them). With `base_url` (where the reports are
    published) its links are absolute and it names itself. With `reused`, an entry rendered
    before is taken as it was, and the entries are kept for the next feed."""
    env = env or make_environment()
    listed = feed_listing(pages) if listed is None else listed
    keys = reused.keys if reused else [None] * len(listed)
    before = reused.kept.load() if reused else {}
    made = [_entry(item, key, before, env) for item, key in zip(listed, keys, strict=True)]
    if reused:
        reused.kept.keep({key: entry for key, entry in zip(keys, made, strict=True) if key})
    entries = [_feed_entry(item, entry, base_url) for item, entry in zip(listed, made, strict=True)]
    updated = entries[0]["updated"] if entries else "1970-01-01T00:00:00Z"
    return env.get_template("feed.xml.j2").render(
        feed_id=f"{FEED_TAG}:feed", updated=updated, entries=entries, base_url=base_url
    )


def _entry(
    item: Listed, key: str | None, before: Mapping[str, RenderedEntry], env: Environment
) -> RenderedEntry:
    kept = before.get(key) if key else None
    return kept if kept is not None else _rendered_entry(item, env)


def _rendered_entry(item: Listed, env: Environment) -> RenderedEntry:
    """What an entry says of its revision: its summary (a sentence per shifted text) and its
    HTML (the shifts, text by text)."""
    shifted = [s for s in item.entry.steps if s.diff is not None and s.diff.has_shifts]
    summary = ". ".join(step_summary(s) for s in shifted)  # each a sentence
    html = env.get_template("feed_entry.html.j2").render(
        entry=item.entry,
        sections=SectionNames.of_step,
        step_names=PartyNames.of_step,
        summary=step_summary,
    )
    return summary, str(html).strip()


def _feed_entry(
    item: Listed, rendered: RenderedEntry, base_url: str | None
) -> dict[str, str | None]:
    """The entry links the published changelog when the site has a `base_url` (the source as
    related), else the source, else the changelog by its relative path."""
    page, revision = item.page, item.entry.head
    summary, html = rendered
    source = permalink(page.permalink, revision.ref, page.locale)
    return {
        "id": item.id,
        "title": f"{page.title or page.document} ({page.locale}), {revision.date}: {summary}",
        "updated": iso_time(item.updated),
        "link": base_url + item.local if base_url else source or item.local,
        "related": source if base_url else None,
        "summary": summary,
        "html": html,
    }


def render_run_summary(
    new_texts: Sequence[NewText],
    failed: Sequence[Any],
    counts: Mapping[str, int],
    env: Environment | None = None,
    skipped: Sequence[Any] = (),
    sections: Mapping[ShiftKey, bytes] | None = None,
) -> Iterator[str]:
    """The Markdown summary of a run, in pieces as it is rendered: the job summary in CI, and
    the body of its issue. The `sections` of its shifts rendered already (`shift_sections`)
    are used as they are."""
    env = env or make_environment()
    known, section = sections or {}, _shift_section(env)
    fragments = env.get_template("last-run.md.j2").generate(
        texts=new_texts,
        skipped=skipped,
        shifts=[t for t in new_texts if t.has_shifts],
        failed=failed,
        counts=counts,
        summary=summary_sentence,
        sections=SectionNames.of_step,
        names_of=lambda text: PartyNames.of_step(text.step),
        shift_section=lambda text: _known(known, text) or section(text),
    )
    return joined_in_pieces(fragments)


def shift_sections(texts: Iterable[NewText], env: Environment) -> dict[ShiftKey, bytes]:
    """The section of a run's summary of each text with shifts, rendered while the texts' diffs
    are at hand. Each is kept as UTF-8: a first run keeps one for every text of a history, and
    one dash makes a Python string of the whole section two bytes a character."""
    section = _shift_section(env)
    return {text.key: section(text).encode("utf-8") for text in texts if text.has_shifts}


def _known(sections: Mapping[ShiftKey, bytes], text: NewText) -> str | None:
    found = sections.get(text.key)
    return found.decode("utf-8") if found is not None else None


def _shift_section(env: Environment) -> Callable[[NewText], str]:
    template = env.get_template("last-run-shift.md.j2")

    def section(text: NewText) -> str:
        return template.render(
            text=text,
            names=PartyNames.of_step(text.step),
            summary=summary_sentence,
            sections=SectionNames.of_step,
        )

    return section
