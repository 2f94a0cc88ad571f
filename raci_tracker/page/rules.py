"""Lint rules over a parsed matrix: what a careful reader of a RACI page would point out.

Rule ids are part of the snapshot contract; see `RULES` for each one's severity.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from raci_tracker.model import Activity, Finding, Section, Severity
from raci_tracker.text import fold

RULES: dict[str, Severity] = {
    "no-accountable": Severity.WARNING,
    "multiple-accountable": Severity.WARNING,
    "no-responsible": Severity.WARNING,
    "unassigned": Severity.WARNING,
    "unknown-letter": Severity.ERROR,
    "extra-cells": Severity.ERROR,
    "malformed-table": Severity.ERROR,
    "duplicate-activity": Severity.WARNING,
    "duplicate-section-number": Severity.WARNING,
    "empty-table": Severity.WARNING,
    "date-missing": Severity.WARNING,
    "date-invalid": Severity.WARNING,
    "date-mismatch": Severity.WARNING,
    "date-placeholder": Severity.WARNING,
    "front-matter-invalid": Severity.ERROR,
    "no-raci-table": Severity.WARNING,
    "table-without-delimiter": Severity.WARNING,
    "prose-cells": Severity.INFO,
    "roles-as-columns": Severity.WARNING,
    "page-deleted": Severity.WARNING,
    "invisible-characters": Severity.WARNING,
    "page-bound-exceeded": Severity.ERROR,
    "pairing-bounded": Severity.WARNING,
}
# The same text in two different sections is common on real pages (2.2 and 4.1 of Managed
# Kubernetes) and usually deliberate, so it is reported for information only.
DUPLICATE_ACROSS_SECTIONS = Severity.INFO


def finding(rule: str, line: int | None, message: str, activity: str | None = None) -> Finding:
    return Finding(rule=rule, severity=RULES[rule], line=line, message=message, activity=activity)


def activity_findings(activity: Activity, labels: Mapping[str, str] | None = None) -> list[Finding]:
    """Role-balance findings for one row: nobody assigned, no or several A, no R. Parties are
    named by their `labels` (id -> header as written)."""
    if not any(activity.assignments.values()):
        return [
            finding(
                "unassigned",
                activity.line,
                f"nobody holds a role for {_quote(activity)}",
                activity.id,
            )
        ]
    found = []
    accountable = activity.holders("A")
    if not accountable:
        found.append(
            finding(
                "no-accountable",
                activity.line,
                f"no party is accountable (A) for {_quote(activity)}",
                activity.id,
            )
        )
    elif len(accountable) > 1:
        found.append(
            finding(
                "multiple-accountable",
                activity.line,
                f"{' and '.join((labels or {}).get(p, p) for p in accountable)} are both "
                f"accountable (A) for {_quote(activity)}",
                activity.id,
            )
        )
    if not activity.holders("R"):
        found.append(
            finding(
                "no-responsible",
                activity.line,
                f"no party is responsible (R) for {_quote(activity)}",
                activity.id,
            )
        )
    return found


def duplicate_activity_findings(activities: Iterable[Activity]) -> Iterator[Finding]:
    """One finding per repeat of an activity text already seen earlier on the page."""
    first_seen: dict[str, Activity] = {}
    for activity in activities:
        key = fold(activity.text)
        earlier = first_seen.setdefault(key, activity)
        if earlier is activity:
            continue
        same_section = earlier.section == activity.section
        yield Finding(
            rule="duplicate-activity",
            severity=RULES["duplicate-activity"] if same_section else DUPLICATE_ACROSS_SECTIONS,
            line=activity.line,
            message=f"{_quote(activity)} repeats the activity of line {earlier.line}"
            + ("" if same_section else f" (section {earlier.section or 'none'})"),
            activity=activity.id,
        )


def duplicate_section_findings(sections: Iterable[Section]) -> Iterator[Finding]:
    seen: dict[str, Section] = {}
    for section in sections:
        earlier = seen.setdefault(section.number, section)
        if earlier is not section:
            named = (
                f"section number {section.number}"
                if section.number[:1].isdigit()
                else f"heading '{section.number}'"
            )
            yield finding(
                "duplicate-section-number",
                section.line,
                f"{named} is used again (first at line {earlier.line}); "
                "its rows are read as one section",
            )


def _quote(activity: Activity) -> str:
    text = activity.text if len(activity.text) <= 80 else activity.text[:77] + "..."
    return f"'{text}'"
