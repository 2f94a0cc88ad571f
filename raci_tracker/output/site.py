"""The report plan: which files a run renders, named how, with which links between them."""

from __future__ import annotations

from collections.abc import Sequence

from raci_tracker.compare.changelog import PageChangelog
from raci_tracker.compare.diligence import consistency
from raci_tracker.config import Config
from raci_tracker.model import Snapshot
from raci_tracker.output.render import (
    make_environment,
    render_changelog,
    render_consistency,
    render_feed,
    render_index,
)


def _latest_by_locale(pages: Sequence[PageChangelog], document: str) -> dict[str, Snapshot]:
    return {
        page.locale: page.latest.revision.snapshot
        for page in pages
        if page.document == document and page.latest is not None
    }


def render_reports(config: Config, pages: Sequence[PageChangelog]) -> dict[str, str]:
    """Every report, by its path under the reports folder."""
    env = make_environment(config.templates)
    outputs: dict[str, str] = {}
    for page in pages:
        for output_format in ("md", "html"):
            name = f"{page.document}/{page.locale}/CHANGELOG.{output_format}"
            outputs[name] = render_changelog(page, output_format, env)
    links = []
    for document in config.documents:
        if len(document.locales) < 2:
            continue
        result = consistency(_latest_by_locale(pages, document.id))
        title = next((p.title for p in pages if p.document == document.id and p.title), None)
        title = title or document.id
        for output_format in ("md", "html"):
            outputs[f"{document.id}/consistency.{output_format}"] = render_consistency(
                result, output_format, title=title, env=env
            )
        links.append((f"Where the locales of {title} disagree", f"{document.id}/consistency.html"))
    for output_format in ("md", "html"):
        outputs[f"index.{output_format}"] = render_index(pages, output_format, links, env=env)
    outputs["feed.xml"] = render_feed(pages, env)
    return outputs
