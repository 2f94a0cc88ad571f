"""The JSON each command prints: views of diffs, histories, diligence results and runs.

Persisted formats (snapshots, revisions, the index) are in `raci_tracker.codec`; these views reuse
its pieces so a commit reads the same everywhere. The contract (docs/json.md): `activity` is
always an activity's text and `activity_id` its id; a number is named `..._count`; a comparison
says what it compared (`from`, `to`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from raci_tracker.codec import (
    dump_listing,
    finding_to_dict,
    note_to_dict,
    ref_to_dict,
    rename_to_dict,
    version_to_dict,
)
from raci_tracker.compare.activity_history import Lineage
from raci_tracker.compare.changelog import NewText
from raci_tracker.compare.diligence import Consistency
from raci_tracker.compare.in_force import Version, commit_day
from raci_tracker.compare.net import ActivityRow, Deletion, NetChange, tallies_by_document
from raci_tracker.history.walk import HistoryOutline
from raci_tracker.model import (
    Activity,
    Change,
    CommitRef,
    Diff,
    Finding,
    PartyTally,
    Revision,
    Snapshot,
    Transfer,
)
from raci_tracker.output.lastrun import RunOutcome, severity_counts
from raci_tracker.output.prose import SectionNames

Link = Callable[[CommitRef], str | None]


def change_to_dict(change: Change, sections: SectionNames | None = None) -> dict[str, Any]:
    """A change record; every key is always present (null where it does not apply). The titles
    of its sections come from `sections`, the texts compared."""
    word_diff = change.word_diff
    sections = sections or SectionNames({}, {})
    return {
        "kind": change.kind.value,
        "severity": change.severity.value,
        "section": change.section,
        "activity": change.activity,
        "activity_id": change.activity_id,
        "previous_section": change.previous_section,
        "previous_activity": change.previous_activity,
        "previous_activity_id": change.previous_activity_id,
        "party": change.party,
        "before": change.before,
        "after": change.after,
        "labels": list(change.labels),
        "transfer": _transfer_to_dict(change.transfer),
        "assignments": None if change.assignments is None else dict(change.assignments),
        "word_diff": None
        if word_diff is None
        else [{"op": w.op, "text": w.text} for w in word_diff],
        "field": change.field,
        "title": change.title,
        "previous_title": change.previous_title,
        "section_title": sections.section_title(change),
        "previous_section_title": sections.previous_title(change),
    }


def _transfer_to_dict(transfer: Transfer | None) -> dict[str, str] | None:
    if transfer is None:
        return None
    return {"role": transfer.role, "from": transfer.from_party, "to": transfer.to_party}


def finding_view(finding: Finding, snapshot: Snapshot) -> dict[str, Any]:
    """A finding as commands print it: the stored record (`activity_id`), plus the activity's
    text."""
    texts = {activity.id: activity.text for activity in snapshot.activities}
    text = texts.get(finding.activity) if finding.activity else None
    return {**finding_to_dict(finding), "activity": text}


def compared_file(snapshot: Snapshot) -> dict[str, Any]:
    """Which text a diff read: its path, its date, and its commit when it came from git."""
    return {
        "path": snapshot.source.path,
        "updated": snapshot.document.updated,
        "commit": snapshot.source.commit,
    }


def diff_to_dict(diff: Diff, old: Snapshot, new: Snapshot) -> dict[str, Any]:
    """`raci-tracker diff --format json`: what was compared, the changes, the finding delta."""
    return {"from": compared_file(old), "to": compared_file(new), **_diff_body(diff, old, new)}


def _diff_body(diff: Diff, old: Snapshot, new: Snapshot) -> dict[str, Any]:
    summary = diff.summary
    sections = SectionNames.of(new, old)
    return {
        "changes": [change_to_dict(c, sections) for c in diff.changes],
        "summary": {
            "major": summary.major,
            "minor": summary.minor,
            "editorial": summary.editorial,
            "activities_added": summary.activities_added,
            "activities_removed": summary.activities_removed,
            "parties": {party: tally_to_dict(tally) for party, tally in summary.parties.items()},
        },
        "findings": {
            "introduced": [finding_view(f, new) for f in diff.findings.introduced],
            "resolved": [finding_view(f, old) for f in diff.findings.resolved],
        },
    }


def history_to_dict(listing: HistoryOutline) -> dict[str, Any]:
    """`raci-tracker history --format json`: revisions in commit order, every version, renames,
    findings."""
    return {
        "revisions": [
            {
                "key": r.key,
                "date": r.date,
                "date_source": r.date_source,
                "status": r.status,
                "commit": r.commit,
                "path": r.path,
                "commits": list(r.commits),
                "silent_edit_count": r.silent_edit_count,
                "activity_count": r.activity_count,
            }
            for r in listing.revisions
        ],
        "versions": [version_to_dict(v) for v in listing.versions],
        "renames": [rename_to_dict(r) for r in listing.renames],
        "findings": [note_to_dict(n) for n in listing.notes],
    }


def revision_ref(revision: Revision) -> dict[str, Any]:
    """Which stored revision a view read: its date, commit, path and the page's own date."""
    return {
        "date": revision.date,
        "commit": revision.ref.commit,
        "path": revision.ref.path,
        "updated": revision.snapshot.document.updated,
    }


def version_ref(version: Version | None, date: str) -> dict[str, Any]:
    """The text in force on `date`: the commit that published it and the revision it carried
    (all null when the page did not exist yet)."""
    return {
        "date": date,
        "commit": version.ref.commit if version else None,
        "committed": version.committed if version else None,
        "path": version.ref.path if version else None,
        "revision": version.date if version else None,
        "updated": version.snapshot.document.updated if version else None,
    }


def cited_ref(ref: CommitRef, link: Link) -> dict[str, Any]:
    return {**ref_to_dict(ref), "date": commit_day(ref), "permalink": link(ref)}


def tally_to_dict(tally: PartyTally) -> dict[str, int]:
    return {
        "accountable_gained": tally.accountable_gained,
        "accountable_lost": tally.accountable_lost,
        "responsible_gained": tally.responsible_gained,
        "responsible_lost": tally.responsible_lost,
    }


def row_to_dict(row: ActivityRow, link: Link, sections: SectionNames) -> dict[str, Any]:
    """One activity whose letters changed: who held what before and after, what moved, where."""
    return {
        "section": row.section,
        "section_title": sections.title(row.section, before=row.after is None),
        "activity": row.activity,
        "previous_activity": row.previous_activity,
        "severity": row.severity,
        "before": None if row.before is None else dict(row.before),
        "after": None if row.after is None else dict(row.after),
        "transfers": [_transfer_to_dict(t) for t in row.transfers],
        "changes": [
            {"kind": c.change.kind.value, "party": c.change.party, "labels": list(c.change.labels)}
            for c in row.changes
        ],
        "commits": [cited_ref(ref, link) for ref in row.commits],
    }


def net_change_to_dict(
    net: NetChange, link: Link, dates: tuple[str, str] | None = None
) -> dict[str, Any]:
    """`compare --format json`: the texts compared, one row per activity, the `diff` shape with
    each change citing its commits, and each party's A and R gained and lost."""
    start_date, end_date = dates or (net.start.committed if net.start else "", net.end.committed)
    body = _diff_body(net.diff, net.start_snapshot, net.end.snapshot)
    sections = SectionNames.of(net.end.snapshot, net.start_snapshot)
    body["summary"]["parties"] = {p: tally_to_dict(t) for p, t in net.tallies().items()}
    for record, cited in zip(body["changes"], net.cited, strict=True):
        record["commits"] = [cited_ref(ref, link) for ref in cited.commits]
    return {
        "from": version_ref(net.start, start_date),
        "to": version_ref(net.end, end_date),
        "rows": [row_to_dict(row, link, sections) for row in net.rows()],
        "deletions": [deletion_to_dict(gap, link) for gap in net.deletions],
        **body,
    }


def deletion_to_dict(gap: Deletion, link: Link) -> dict[str, Any]:
    """A deletion between the two dates and the commit that restored the page (null: none)."""
    restored = gap.restored.ref if gap.restored else None
    return {
        **cited_ref(gap.deleted.ref, link),
        "restored_commit": restored.commit if restored else None,
        "restored_date": commit_day(restored) if restored else None,
    }


def portfolio_to_dict(
    pages: Sequence[tuple[str, str, dict[str, Any], NetChange]],
    absent: Sequence[tuple[str, str, str]],
) -> dict[str, Any]:
    """`compare --format json` over every page: `{"pages": [{"document", "locale", ...the page
    shape...}], "summary": {...}}`; the summary adds up the pages, per party and per document."""
    documents = tallies_by_document([(document, net) for document, _, _, net in pages])
    counts = ("major", "minor", "editorial", "activities_added", "activities_removed")
    return {
        "pages": [{"document": d, "locale": loc, **data} for d, loc, data, _ in pages],
        "summary": {
            "page_count": len(pages),
            **{key: sum(data["summary"][key] for _, _, data, _ in pages) for key in counts},
            "documents": {
                d: {p: tally_to_dict(t) for p, t in parties.items()}
                for d, parties in documents.items()
            },
            "absent": [{"document": d, "locale": loc, "reason": why} for d, loc, why in absent],
        },
    }


def lineage_to_dict(lineage: Lineage, link: Link) -> dict[str, Any]:
    """`history-of --format json`: one activity, its texts, and each change of its letters."""
    return {
        "activity": lineage.current.text,
        "activity_id": lineage.current.id,
        "section": lineage.current.section,
        "removed": lineage.removed,
        "texts": list(lineage.texts),
        "changes": [
            {
                "committed": change.version.committed,
                "revision": change.version.date,
                "commit": cited_ref(change.version.ref, link),
                "activity": change.activity,
                "section": change.section,
                "before": None if change.before is None else dict(change.before),
                "after": None if change.after is None else dict(change.after),
            }
            for change in lineage.changes
        ],
    }


def matrix_to_dict(
    snapshot: Snapshot,
    revision: Revision | None,
    party: str | None,
    held: dict[str, list[Activity]] | None,
    findings: list[Finding],
    version: Version | None = None,
) -> dict[str, Any]:
    """`matrix --format json`: the text in force (`in_force`: the commit that published it),
    the revision it was published under, its activities and what `party` holds."""
    return {
        "document": {
            "title": snapshot.document.title,
            "locale": snapshot.document.locale,
            "updated": snapshot.document.updated,
        },
        "revision": revision_ref(revision) if revision else None,
        "in_force": None
        if version is None
        else {
            "commit": version.ref.commit,
            "committed": version.committed,
            "path": version.ref.path,
        },
        "parties": [{"id": p.id, "label": p.label} for p in snapshot.parties],
        "activities": [
            {"id": a.id, "section": a.section, "text": a.text, "assignments": dict(a.assignments)}
            for a in snapshot.activities
        ],
        "party": party,
        "held": None
        if held is None
        else {
            words: [{"id": a.id, "section": a.section, "text": a.text} for a in activities]
            for words, activities in held.items()
        },
        "findings": [finding_view(f, snapshot) for f in findings],
    }


def consistency_to_dict(result: Consistency) -> dict[str, Any]:
    return {
        "locales": list(result.locales),
        "disagreements": [
            {
                "section": d.section,
                "position": d.position,
                "positions": dict(d.positions),
                "assignments": {k: dict(v) for k, v in d.assignments.items()},
                "activities": dict(d.activities),
            }
            for d in result.disagreements
        ],
        "missing": [
            {
                "section": m.section,
                "position": m.position,
                "present": list(m.present),
                "absent": list(m.absent),
                "activities": dict(m.activities),
            }
            for m in result.missing
        ],
        "skew": [{"locale": locale, "updated": updated} for locale, updated in result.skew],
    }


def run_json_pieces(outcome: RunOutcome) -> Iterator[str]:
    """`reports/last-run.json` (`run_to_dict`'s JSON) in pieces: its shifts a record at a time,
    read back from where the run keeps them (`ShiftsShown`), never all at once."""
    records = (_shift_record(outcome, text) for text in outcome.shifts)
    return dump_listing(run_to_dict(outcome, shifts=False), "shifts", records)


def run_to_dict(outcome: RunOutcome, shifts: bool = True) -> dict[str, Any]:
    """`reports/last-run.json`: what a run took in (without its shifts' records: `shifts`
    False). No clock time, so the same run gives the same bytes."""
    texts_by_page: dict[tuple[str, str], list[NewText]] = {}
    for text in outcome.new_texts:
        texts_by_page.setdefault((text.page.document, text.page.locale), []).append(text)
    return {
        "pages": [
            {
                "document": page.document,
                "locale": page.locale,
                "status": page.status,
                "new_revisions": page.changed_dates,
                "new_commits": page.new_commits,
                "skipped": page.skipped,
                "history_rewritten": page.rewritten,
                "moved_to": page.moved_to,
                "changes": severity_counts(texts_by_page.get((page.document, page.locale), [])),
                "error": page.error,
            }
            for page in outcome.summary.pages
        ],
        "totals": {
            **outcome.changes,
            "shifts": outcome.shift_count,
            "new_revisions": sum(len(p.changed_dates) for p in outcome.summary.pages),
            "failed": len(outcome.summary.failed),
        },
        "shifts": [_shift_record(outcome, text) for text in outcome.shifts] if shifts else [],
    }


def _shift_record(outcome: RunOutcome, text: NewText) -> dict[str, Any]:
    return outcome.shown.record(text.key) or shift_to_dict(text)


def shift_to_dict(text: NewText) -> dict[str, Any]:
    """A text a run took in whose letters moved, with its changes (editorial ones left out)."""
    step = text.step
    sections = SectionNames.of_step(step)
    return {
        "document": text.page.document,
        "locale": text.page.locale,
        "date": text.entry.head.date,
        "commit": step.ref.commit,
        "silent_edit": step.silent,
        "changes": [
            change_to_dict(c, sections)
            for c in (step.diff.changes if step.diff else ())
            if c.severity.value != "editorial"
        ],
    }


def lint_to_dict(path: str, snapshot: Snapshot) -> dict[str, Any]:
    return {
        "path": path,
        "activity_count": len(snapshot.activities),
        "findings": [finding_view(f, snapshot) for f in snapshot.findings],
    }
