"""Properties of the net change over any history of one activity's letters: it says exactly
what differs between the two texts in force, whatever happened in between."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from raci_tracker.compare.in_force import text_in_force, versions
from raci_tracker.compare.net import net_change
from raci_tracker.model import CommitRef, DateSource, Revision, RevisionStatus
from raci_tracker.page.parse import parse_page

LETTERS = st.sampled_from(["", "R", "A", "RA", "I", "C", "CI"])
DAY = 86_400
START = 1_704_067_200  # 2024-01-01T00:00:00Z


def revision(index: int, customer: str, provider: str) -> Revision:
    date = f"2024-01-{index + 1:02d}"
    text = (
        f"---\nupdated: {date}\n---\n# RACI\n\n## 1. Run\n\n"
        f"| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        f"| Back up the data | {customer} | {provider} |\n| Patch the OS | RA | I |\n"
    )
    ref = CommitRef(f"c{index}", START + index * DAY + 3600, "guide.en-gb.md", f"b{index}")
    return Revision(
        date, DateSource.FRONT_MATTER, RevisionStatus.PUBLISHED, ref, parse_page(text), (ref,)
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(LETTERS, LETTERS), min_size=1, max_size=6), st.data())
def test_the_net_change_is_what_differs_between_the_two_texts(
    letters: list[tuple[str, str]], data: st.DataObject
) -> None:
    history = [revision(i, customer, provider) for i, (customer, provider) in enumerate(letters)]
    start = data.draw(st.integers(0, len(letters) - 1))
    end = data.draw(st.integers(start, len(letters) - 1))
    first = text_in_force(history, f"2024-01-{start + 1:02d}")
    last = text_in_force(history, f"2024-01-{end + 1:02d}")
    assert first is not None and last is not None

    net = net_change(versions(history), first, last)
    rows = net.rows()

    before = {"customer": letters[start][0], "provider": letters[start][1]}
    after = {"customer": letters[end][0], "provider": letters[end][1]}
    if before == after:
        assert rows == [] and net.tallies() == {}
    else:
        (row,) = rows
        assert (dict(row.before or {}), dict(row.after or {})) == (before, after)
        assert {ref.commit for ref in row.commits} <= {f"c{i}" for i in range(start + 1, end + 1)}
        for party, tally in net.tallies().items():
            gained_a = "A" in after[party] and "A" not in before[party]
            lost_a = "A" in before[party] and "A" not in after[party]
            assert (tally.accountable_gained, tally.accountable_lost) == (gained_a, lost_a)
