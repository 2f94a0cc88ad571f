"""`raci_tracker.compare` diligence called directly: the text in force (the last one committed by
that day), the net change with the commits that made it, what a party holds, and where locales
disagree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from raci_tracker.compare.diligence import consistency, held_by
from raci_tracker.compare.in_force import check_dates, text_in_force, versions
from raci_tracker.compare.net import net_change
from raci_tracker.errors import InputError
from raci_tracker.model import (
    ChangeKind,
    CommitRef,
    DateSource,
    Revision,
    RevisionStatus,
    SilentEdit,
)
from raci_tracker.page.parse import parse_page


def page(date: str, rows: str) -> str:
    return (
        f"---\nupdated: {date}\n---\n# RACI\n\n## 1. Run\n\n"
        f"| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n{rows}"
    )


def ref(commit: str, day: str) -> CommitRef:
    when = datetime.fromisoformat(f"{day}T23:30:00+00:00").astimezone(UTC)
    return CommitRef(commit, int(when.timestamp()), "guide.en-gb.md", f"blob-{commit}")


def revision(date: str, rows: str, commit: str, *edits: tuple[str, str, str]) -> Revision:
    """A revision committed on its date; `edits` (commit, day, rows) are later texts under the
    same date, the last of which is the revision's text."""
    texts = [(ref(commit, date), rows)] + [(ref(c, day), r) for c, day, r in edits]
    silent = tuple(SilentEdit(at, parse_page(page(date, r))) for at, r in texts[:-1])
    last_ref, last_rows = texts[-1]
    return Revision(
        date,
        DateSource.FRONT_MATTER,
        RevisionStatus.PUBLISHED,
        last_ref,
        parse_page(page(date, last_rows)),
        tuple(at for at, _ in texts),
        silent,
    )


BACKUP_PROVIDER = "| Back up the data | I | RA |\n| Patch the OS | RA | I |\n"
BACKUP_CUSTOMER = "| Back up the data | RA | I |\n| Patch the OS | RA | I |\n"
ROTATE = "| Rotate keys | I | RA |\n"
HISTORY = [
    revision("2024-01-01", BACKUP_PROVIDER, "c1"),
    revision("2024-02-01", BACKUP_CUSTOMER, "c2"),  # backups move to the customer
    revision("2024-03-01", BACKUP_PROVIDER, "c3"),  # and back
    # a key rotation row added, then removed a month later without a new date (a silent edit)
    revision("2024-04-01", BACKUP_CUSTOMER + ROTATE, "c4", ("c5", "2024-05-01", BACKUP_CUSTOMER)),
]
ALL = versions(HISTORY)


def in_force_commit(date: str) -> str | None:
    version = text_in_force(HISTORY, date)
    return version.ref.commit if version else None


def test_in_force_is_the_last_text_committed_by_the_end_of_the_day() -> None:
    assert [v.ref.commit for v in ALL] == ["c1", "c2", "c3", "c4", "c5"]
    assert in_force_commit("2024-02-15") == "c2"
    assert in_force_commit("2024-02-01") == "c2"  # committed at 23:30 UTC that day
    assert in_force_commit("2024-04-15") == "c4"  # the silent edit is not published yet
    assert in_force_commit("2024-05-01") == "c5"
    assert in_force_commit("2023-12-31") is None  # the page did not exist yet
    assert text_in_force([], "2024-01-01") is None
    assert ALL[4].date == "2024-04-01" and ALL[4].committed == "2024-05-01"


def test_a_commit_with_an_earlier_clock_still_supersedes_the_text_before_it() -> None:
    # c2 was rebased with an older author clock: history order, not commit time, decides
    skewed = [
        revision("2024-01-01", BACKUP_PROVIDER, "c1", ("c2", "2023-12-20", BACKUP_CUSTOMER)),
    ]
    assert [v.ref.commit for v in versions(skewed)] == ["c1", "c2"]
    latest = text_in_force(skewed, "2024-06-01")
    assert latest is not None and latest.ref.commit == "c2"


def test_dates_in_the_future_or_reversed_are_errors() -> None:
    check_dates("2024-01-01", "2024-01-01", "2024-12-31")
    with pytest.raises(InputError, match="--to 2024-01-01 is before --from 2024-02-01"):
        check_dates("2024-02-01", "2024-01-01", "2024-12-31")
    with pytest.raises(InputError, match="--to: 2025-01-01 is in the future"):
        check_dates("2024-02-01", "2025-01-01", "2024-12-31")


def test_a_move_and_its_move_back_is_no_net_change() -> None:
    net = net_change(ALL, ALL[0], ALL[2])

    assert not net.diff.has_shifts
    assert (net.by_party(), net.rows(), net.tallies()) == ({}, [], {})


def test_net_change_cites_the_commit_where_each_change_happened() -> None:
    net = net_change(ALL, ALL[0], ALL[3])
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
    assert [c.change.activity for c in grouped["provider"]["newly accountable"]] == ["Rotate keys"]
    (backup, rotate) = net.rows()
    assert (backup.before, backup.after) == (
        {"customer": "I", "provider": "RA"},
        {"customer": "RA", "provider": "I"},
    )
    assert [(t.role, t.from_party, t.to_party) for t in backup.transfers] == [
        ("RA", "provider", "customer")
    ]
    assert (rotate.before, rotate.after) == (None, {"customer": "I", "provider": "RA"})


def test_a_silent_edit_after_the_start_date_counts_and_a_removal_is_a_loss() -> None:
    """On 2024-04-15 the text in force lists key rotation (OVHcloud RA); the silent edit of
    2024-05-01 removes it: OVHcloud is no longer accountable or responsible for it."""
    net = net_change(ALL, text_in_force(HISTORY, "2024-04-15"), ALL[4])
    (row,) = net.rows()

    assert (row.activity, row.before, row.after) == (
        "Rotate keys",
        {"customer": "I", "provider": "RA"},
        None,
    )
    assert [r.commit for r in row.commits] == ["c5"] and row.days == ("2024-05-01",)
    tally = net.tallies()["provider"]
    assert (tally.accountable_lost, tally.responsible_lost) == (1, 1)
    assert (tally.accountable_gained, tally.responsible_gained) == (0, 0)
    assert "customer" not in net.tallies()  # I is neither A nor R


def test_from_before_the_first_version_reports_everything_as_added() -> None:
    net = net_change(ALL, None, ALL[0])

    assert [row.activity for row in net.rows()] == ["Back up the data", "Patch the OS"]
    assert all(row.before is None for row in net.rows())
    assert net.tallies()["customer"].accountable_gained == 1


def test_held_by_groups_a_partys_activities_by_letter() -> None:
    held = held_by(ALL[3].snapshot, "customer")

    assert {words: [a.text for a in rows] for words, rows in held.items()} == {
        "accountable for": ["Back up the data", "Patch the OS"],
        "responsible for": ["Back up the data", "Patch the OS"],
        "consulted on": [],
        "informed of": ["Rotate keys"],
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
    assert [
        (row.section, row.position, {x: a.text for x, a in row.activities.items()})
        for row in result.rows
    ] == [
        ("1", 1, {"en-gb": "Back up the data", "fr-fr": "Sauvegarder"}),
        ("1", 2, {"en-gb": "Patch the OS", "fr-fr": "Patcher"}),
        ("1", 3, {"en-gb": "Rotate keys"}),
    ]


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
