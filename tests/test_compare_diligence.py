"""`raci_tracker.compare.diligence` called directly: the revision in force, the net change with
the commits that made it, what a party holds, and where locales disagree."""

from __future__ import annotations

import pytest

from raci_tracker.compare.diligence import consistency, held_by, in_force, net_change
from raci_tracker.errors import InputError
from raci_tracker.model import ChangeKind, CommitRef, DateSource, Revision, RevisionStatus
from raci_tracker.page.parse import parse_page


def page(date: str, rows: str) -> str:
    return (
        f"---\nupdated: {date}\n---\n# RACI\n\n## 1. Run\n\n"
        f"| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n{rows}"
    )


def revision(date: str, rows: str, commit: str) -> Revision:
    ref = CommitRef(commit, 1_700_000_000, "guide.en-gb.md", f"blob-{commit}")
    return Revision(
        date,
        DateSource.FRONT_MATTER,
        RevisionStatus.PUBLISHED,
        ref,
        parse_page(page(date, rows)),
        (ref,),
    )


BACKUP_PROVIDER = "| Back up the data | I | RA |\n| Patch the OS | RA | I |\n"
BACKUP_CUSTOMER = "| Back up the data | RA | I |\n| Patch the OS | RA | I |\n"
HISTORY = [
    revision("2024-01-01", BACKUP_PROVIDER, "c1"),
    revision("2024-02-01", BACKUP_CUSTOMER, "c2"),  # backups move to the customer
    revision("2024-03-01", BACKUP_PROVIDER, "c3"),  # and back
    revision("2024-04-01", BACKUP_CUSTOMER + "| Rotate keys | RA | |\n", "c4"),
]


def test_in_force_is_the_latest_revision_on_or_before_the_date() -> None:
    assert in_force(HISTORY, "2024-02-15", "2024-12-31").date == "2024-02-01"
    assert in_force(HISTORY, "2024-02-01", "2024-12-31").date == "2024-02-01"
    with pytest.raises(InputError, match="the first is dated 2024-01-01"):
        in_force(HISTORY, "2023-12-31", "2024-12-31")
    with pytest.raises(InputError, match="in the future"):
        in_force(HISTORY, "2025-01-01", "2024-12-31")
    with pytest.raises(InputError, match="none is stored"):
        in_force([], "2024-01-01", "2024-12-31")


def test_a_move_and_its_move_back_is_no_net_change() -> None:
    net = net_change(HISTORY, HISTORY[0], HISTORY[2])

    assert not net.diff.has_shifts
    assert net.by_party() == {}


def test_net_change_cites_the_commit_where_each_change_happened() -> None:
    net = net_change(HISTORY, HISTORY[0], HISTORY[3])
    cited = {(c.change.kind, c.change.party): [r.commit for r in c.commits] for c in net.cited}

    # the backup row moved at c2, back at c3 and again at c4: the net move is cited at every one
    assert cited[(ChangeKind.ROLE_CHANGED, "customer")] == ["c2", "c3", "c4"]
    assert cited[(ChangeKind.ACTIVITY_ADDED, None)] == ["c4"]
    grouped = net.by_party()
    assert [c.change.activity for c in grouped["customer"]["newly accountable"]] == [
        "Back up the data"
    ]
    assert [c.change.activity for c in grouped["provider"]["no longer responsible"]] == [
        "Back up the data"
    ]
    assert [c.change.activity for c in grouped["all"]["added activities"]] == ["Rotate keys"]


def test_held_by_groups_a_partys_activities_by_letter() -> None:
    held = held_by(HISTORY[3].snapshot, "customer")

    assert {words: [a.text for a in rows] for words, rows in held.items()} == {
        "accountable for": ["Back up the data", "Patch the OS", "Rotate keys"],
        "responsible for": ["Back up the data", "Patch the OS", "Rotate keys"],
        "consulted on": [],
        "informed of": [],
    }


def test_consistency_finds_a_letter_a_row_and_a_date_that_differ() -> None:
    pages = {
        "en-gb": parse_page(page("2024-01-01", BACKUP_PROVIDER + "| Rotate keys | RA | |\n")),
        "fr-fr": parse_page(page("2024-01-05", "| Sauvegarder | RA | I |\n| Patcher | RA | I |\n")),
    }

    result = consistency(pages)

    (disagreement,) = result.disagreements
    assert (disagreement.section, disagreement.position) == ("1", 1)
    assert disagreement.assignments["fr-fr"] == {"customer": "RA", "provider": "I"}
    assert [(m.section, m.position, m.present, m.absent) for m in result.missing] == [
        ("1", 3, ("en-gb",), ("fr-fr",))
    ]
    assert result.skew == (("en-gb", "2024-01-01"), ("fr-fr", "2024-01-05"))


def test_consistency_reports_a_section_one_locale_lacks() -> None:
    extra = (
        page("2024-01-01", BACKUP_PROVIDER)
        + "\n## 2. Stop\n\n| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        + "| Delete | RA | I |\n"
    )
    result = consistency(
        {"en-gb": parse_page(extra), "fr-fr": parse_page(page("2024-01-01", BACKUP_PROVIDER))}
    )

    assert [(m.section, m.position, m.absent) for m in result.missing] == [("2", None, ("fr-fr",))]
    assert (result.disagreements, result.skew) == ((), ())
