"""The outline kept with a stored diff says what its two texts say: the parties' names and the
sections' titles the reports take from it are those they would take from the texts."""

from __future__ import annotations

from itertools import pairwise

from raci_tracker.compare.changelog import Step, Text
from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.compare.outline import with_outline
from raci_tracker.model import CommitRef, Snapshot
from raci_tracker.output.prose import PartyNames, SectionNames
from raci_tracker.page.parse import parse_page
from tests.test_stored_diffs import corpus_snapshots

TABLE = "| Activité | Client | OVHcloud{extra} |\n| --- | --- | ---{rule} |\n"
BEFORE = f"""---
title: T
updated: 2024-01-01
---

## 1. Build

{TABLE.format(extra=" | Partenaire", rule=" | ---")}| Installer le service | I | RA | C |

## 2. Run

{TABLE.format(extra=" | Partenaire", rule=" | ---")}| Sauvegarder les données | RA | I | I |
"""
AFTER = f"""---
title: T
updated: 2024-02-01
---

## 1. Build

{TABLE.format(extra="", rule="")}| Configurer | RA | I |

## 2. Running

{TABLE.format(extra="", rule="")}| Sauvegarder les données | I | RA |
| Installer le service | I | RA |
"""
"""A party's column removed (its letters lost), an activity moved, a section renamed."""


def pairs() -> list[tuple[Snapshot, Snapshot]]:
    before, after = (parse_page(t.encode(), path="a.md", locale="fr-fr") for t in (BEFORE, AFTER))
    return [*pairwise(corpus_snapshots()), (before, after)]


def step(before: Snapshot, after: Snapshot, outlined: bool) -> Step:
    diff = diff_snapshots(before, after)
    diff = with_outline(diff, before, after) if outlined else diff
    return Step(CommitRef("c", 0, "a.md", "b"), Text.of(after), diff, False, Text.of(before))


def test_the_names_and_sections_of_an_outline_are_those_of_its_texts() -> None:
    gone = 0
    for before, after in pairs():
        read, kept = step(before, after, False), step(before, after, True)
        assert kept.diff is not None and kept.diff.outline is not None
        gone += len(kept.diff.outline.parties_gone)
        names = PartyNames.of_step(kept).labels
        assert list(names.items()) == list(PartyNames.of_step(read).labels.items())
        sections, titles = SectionNames.of_step(kept), SectionNames.of_step(read)
        for change in kept.diff.changes:
            for number in (change.section, change.previous_section):
                for side in (False, True):
                    assert sections.title(number, side) == titles.title(number, side)
            assert sections.section_title(change) == titles.section_title(change)
    assert gone  # a removed party's letters are named as its column named it


def test_a_removed_party_is_named_from_the_text_before() -> None:
    before, after = pairs()[-1]
    kept = step(before, after, True)

    assert PartyNames.of_step(kept).name("partenaire") == "Partenaire"
    assert SectionNames.of_step(kept).name("2", before=True) == "2 Run"
    assert SectionNames.of_step(kept).name("2") == "2 Running"
