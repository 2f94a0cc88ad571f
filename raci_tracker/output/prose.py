"""The sentences reports are made of: role words, counts, party names, the one-line summary of a
diff. Pure Python; the templates (`output/templates/`) call these through `render.py`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from raci_tracker.compare.changelog import Entry, PageChangelog, Step
from raci_tracker.compare.net import party_labels
from raci_tracker.compare.outline import date_field
from raci_tracker.model import (
    ROLES,
    Change,
    ChangeKind,
    Diff,
    PartyTally,
    RevisionStatus,
    Snapshot,
)
from raci_tracker.page.tables import PATH_SEPARATOR

LABEL_WORDS = {
    role.label(gained): f"{'now' if gained else 'no longer'} {role.adjective} ({role.letter})"
    for role in ROLES.values()
    for gained in (True, False)
}
"""Change label -> words: "accountability-lost" -> "no longer accountable (A)"."""
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


@dataclass(frozen=True, slots=True)
class PartyNames:
    """How parties are named in prose: the provider by its label, the customer as "the customer"."""

    labels: Mapping[str, str]

    @classmethod
    def of(cls, *snapshots: Snapshot) -> PartyNames:
        return cls.of_parties((p.id, p.label) for snapshot in snapshots for p in snapshot.parties)

    @classmethod
    def of_parties(cls, parties: Iterable[tuple[str, str]]) -> PartyNames:
        """Each party by the first label it comes with."""
        labels: dict[str, str] = {}
        for party, label in parties:
            labels.setdefault(party, label)
        return cls(labels)

    @classmethod
    def of_step(cls, step: Step) -> PartyNames:
        """The parties of a changelog step as its own texts name them (the page's later texts may
        have renamed a column): its text first, then the text it was compared with. From the
        outline kept with its diff when there is one: no text is read."""
        outline = step.kept_outline
        if outline is not None:
            return cls.of_parties((*outline.parties, *outline.parties_gone))
        return cls.of(step.snapshot, *([step.before] if step.before else []))

    def name(self, party: str | None) -> str:
        if party is None:
            return ""
        if party == "customer":
            return "the customer"
        return self.labels.get(party, party)


def date_fields(step: object) -> tuple[str, str] | None:
    """Where the page's date came from in a step's two texts ("updated", "body"...), as its
    stored diff's outline keeps it, or None for a comparison without its texts at hand."""
    if isinstance(step, Step) and step.kept_outline is not None:
        return step.kept_outline.date_fields
    before, after = getattr(step, "before", None), getattr(step, "snapshot", None)
    if not isinstance(before, Snapshot) or not isinstance(after, Snapshot):
        return None
    return (before.document.date_field or "", after.document.date_field or "")


def section_name(number: str | None, title: str | None) -> str:
    """How prose names a section: "2.2 Reversibility model". A section named by its heading
    (`Services › Backup`, titled "Backup") already says its title, so it is said once; a section
    without a title is its number alone."""
    number = number or ""
    if not title or title == number or number.endswith(PATH_SEPARATOR + title):
        return number
    return f"{number} {title}" if number else title


@dataclass(frozen=True, slots=True)
class SectionNames:
    """The sections of a diff, named from the text each change belongs to: the after text, or
    the before text for a removed activity and for where an activity was (`previous_section`)."""

    before: Mapping[str, str]
    after: Mapping[str, str]

    @classmethod
    def of(cls, after: Snapshot | None, before: Snapshot | None = None) -> SectionNames:
        return cls(_titles(before), _titles(after))

    @classmethod
    def of_step(cls, step: Step) -> SectionNames:
        """The sections of a changelog step: its text, and the text it was compared with; those
        its changes name, from the outline kept with its diff, when there is one."""
        outline = step.kept_outline
        if outline is not None:
            return cls(outline.sections_before, outline.sections_after)
        return cls.of(step.snapshot, step.before)

    def title(self, number: str | None, before: bool = False) -> str | None:
        """The title of a section of the after text (of the before text with `before`); a
        number one text lacks is looked up in the other."""
        if number is None:
            return None
        first, second = (self.before, self.after) if before else (self.after, self.before)
        return first.get(number, second.get(number)) or None

    def name(self, number: str | None, before: bool = False) -> str:
        """A section by number and title, as `section_name` says it."""
        return section_name(number, self.title(number, before))

    def section_title(self, change: Change) -> str | None:
        """The title of the section a change is in: an activity removed is in the before text."""
        return self.title(change.section, change.kind is ChangeKind.ACTIVITY_REMOVED)

    def previous_title(self, change: Change) -> str | None:
        return self.title(change.previous_section, before=True)


def _titles(snapshot: Snapshot | None) -> dict[str, str]:
    return {} if snapshot is None else {s.number: s.title for s in snapshot.sections}


def summary_sentence(
    diff: Diff, names: PartyNames, parties: Mapping[str, PartyTally] | None = None
) -> str:
    """One line a reader acts on: who gave up or gained A and R, on activities added and removed
    too; what was added or removed. `parties` replaces the tallies taken from the diff."""
    parts = []
    givers_first = sorted(
        (party_tallies(diff.changes) if parties is None else parties).items(),
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
    return upper_first(sentence)


def party_tallies(changes: Iterable[Change]) -> dict[str, PartyTally]:
    """What each party gained and lost, A and R, in activities: a role changed, and every
    letter of an activity added or removed (as `compare` counts them; the diff's own summary
    counts role changes only)."""
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for change in changes:
        for party, label in party_labels(change):
            labels[party][label] += 1
    tallies = {
        party: PartyTally(
            accountable_gained=counts["accountability-gained"],
            accountable_lost=counts["accountability-lost"],
            responsible_gained=counts["responsibility-gained"],
            responsible_lost=counts["responsibility-lost"],
        )
        for party, counts in sorted(labels.items())
    }
    return {party: tally for party, tally in tallies.items() if tally != PartyTally()}


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


def holdings(snapshot: Snapshot, names: PartyNames) -> str:
    """Who is accountable for how many activities: "OVHcloud is accountable for 30 activities"."""
    parts = []
    for party in snapshot.parties:
        count = sum(1 for a in snapshot.activities if "A" in a.assignments.get(party.id, ""))
        if count:
            parts.append(f"{names.name(party.id)} is accountable for {_plural(count)}")
    sentence = "; ".join(parts) or "nobody is accountable for any activity"
    return upper_first(sentence)


def open_findings(page: PageChangelog) -> str:
    """ "1 error, 3 warnings: no-responsible ×3, unknown-letter" for the latest revision."""
    latest = page.latest
    if latest is None:
        return "none"
    findings = [f for f in latest.snapshot.findings if f.severity.value != "info"]
    if not findings:
        return "none"
    by_severity = Counter(f.severity.value for f in findings)
    counts = ", ".join(
        plural(n, severity, f"{severity}s") for severity, n in sorted(by_severity.items())
    )
    rules = Counter(f.rule for f in findings)
    detail = ", ".join(f"{rule} ×{n}" if n > 1 else rule for rule, n in sorted(rules.items()))
    return f"{counts}: {detail}"


def roles_text(assignments: Mapping[str, str]) -> str:
    return ", ".join(f"{party} {letters or '-'}" for party, letters in assignments.items())


def step_summary(step: Step) -> str:
    """A changelog step's one-line summary, its parties named as its own texts name them."""
    return summary_sentence(step.diff, PartyNames.of_step(step)) if step.diff else ""


def dated_from(entry: Entry) -> str:
    """Where a revision's date came from, naming the front-matter field that gave it."""
    head = entry.head
    if head.status is RevisionStatus.DELETED:
        return "commit that deleted the page"
    field = _date_field(entry.steps[-1]) if head.date_source == "front-matter" else ""
    return f"page's `{field}` field" if field else DATE_SOURCES[head.date_source]


def _date_field(step: Step) -> str:
    """Where a step's text took its date from: kept with its diff, else read from the text."""
    outline = step.kept_outline
    return outline.date_fields[1] if outline is not None else date_field(step.snapshot)
