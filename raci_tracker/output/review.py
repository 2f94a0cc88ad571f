"""`raci-tracker review` in each format: text for a terminal, a pull-request comment in Markdown,
and `{"pages": [...], "summary": {...}}` in JSON."""

from __future__ import annotations

from typing import Any

from raci_tracker.codec import dumps
from raci_tracker.compare.review import Review, ReviewedPage
from raci_tracker.model import ChangeSeverity
from raci_tracker.output.prose import PartyNames, SectionNames, summary_sentence
from raci_tracker.output.render import make_environment, render_diff
from raci_tracker.output.views import diff_to_dict

STATUSES = {"A": "added", "D": "deleted", "R": "renamed"}
COMMENT_MARKER = "<!-- raci-tracker-review -->"
"""The first line of the pull-request comment, so a workflow finds its own comment to update."""


def page_status(code: str) -> str:
    return STATUSES.get(code, "modified")


def printable(text: str) -> str:
    """A path from git as a terminal may show it: control characters replaced by `?`."""
    return "".join(char if char.isprintable() else "?" for char in text)


def review_to_dict(result: Review) -> dict[str, Any]:
    return {
        "base": result.base,
        "head": result.head,
        "pages": [_page_to_dict(page) for page in result.pages],
        "skipped": list(result.skipped),
        "errors": list(result.errors),
        "summary": {
            "pages": len(result.pages),
            "pages_with_shifts": sum(1 for page in result.pages if page.diff.has_shifts),
            "major": result.total("major"),
            "minor": result.total("minor"),
            "editorial": result.total("editorial"),
            "policy": list(result.policy),
            "breaches": list(result.breaches),
        },
    }


def _page_to_dict(page: ReviewedPage) -> dict[str, Any]:
    return {
        "path": page.texts.path,
        "previous_path": page.texts.previous_path,
        "status": page_status(page.texts.status),
        **diff_to_dict(page.diff, page.before, page.after),
    }


def format_review(result: Review, output_format: str) -> str:
    if output_format == "json":
        return dumps(review_to_dict(result)).decode("utf-8")
    template = make_environment().get_template(f"review.{output_format}.j2")
    return template.render(
        review=result,
        pages=[_page_view(page) for page in result.pages],
        marker=COMMENT_MARKER,
        printable=printable,
    )


def _page_view(page: ReviewedPage) -> dict[str, Any]:
    names = PartyNames.of(page.after, page.before)
    changes = page.diff.changes
    return {
        "path": page.texts.path,
        "previous_path": page.texts.previous_path,
        "status": page_status(page.texts.status),
        "diff": page.diff,
        "names": names,
        "sections": SectionNames.of(page.after, page.before),
        "summary": summary_sentence(page.diff, names),
        "shifts": [c for c in changes if c.severity is not ChangeSeverity.EDITORIAL],
        "text": render_diff(page.diff, page.before, page.after, "text"),
    }
