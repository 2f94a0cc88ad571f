"""Properties of the diff on generated page pairs: a page against itself is empty, and the
diff read backwards is the mirror image (added and removed swap, before and after swap)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.model import ChangeKind, Diff
from raci_tracker.page.parse import parse_page

WORDS = [
    "gérer",
    "les",
    "sauvegardes",
    "du",
    "cluster",
    "déployer",
    "mises",
    "à",
    "jour",
    "réseau",
    "accès",
    "incidents",
    "données",
    "OVHcloud",
    "client",
    "control",
    "plane",
]
letters = st.sampled_from(["", "R", "A", "RA", "I", "C", "CI", "RI", "AI", "RACI"])
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=7).map(" ".join)
row = st.tuples(text, letters, letters)
section = st.tuples(
    st.sampled_from(["1.1", "1.2", "2.1", "3.1.1", "3.1.2"]), st.lists(row, max_size=5)
)
HEADER = "| Activité | Client | OVHcloud |\n| --- | --- | --- |"
edit = st.sampled_from(["keep", "keep", "letters", "reword", "drop", "insert"])


def render(sections: list[tuple[str, list[tuple[str, str, str]]]]) -> bytes:
    parts = ["---\nupdated: 2023-07-06\n---\n"]
    for number, rows in sections:
        parts.append(f"#### {number}. Titre {number}\n\n{HEADER}")
        parts.extend(f"| {t} | {c} | {p} |" for t, c, p in rows)
        parts.append("")
    return "\n".join(parts).encode("utf-8")


@st.composite
def page_pairs(draw: st.DrawFn) -> tuple[bytes, bytes]:
    sections = draw(st.lists(section, max_size=4, unique_by=lambda s: s[0]))
    edited = []
    for number, rows in sections:
        new_rows = []
        for row_text, customer, provider in rows:
            op = draw(edit)
            if op == "letters":
                new_rows.append((row_text, draw(letters), draw(letters)))
            elif op == "reword":
                new_rows.append((row_text + " " + draw(st.sampled_from(WORDS)), customer, provider))
            elif op == "insert":
                new_rows += [(row_text, customer, provider), draw(row)]
            elif op == "keep":
                new_rows.append((row_text, customer, provider))
        edited.append((number, new_rows))
    return render(sections), render(edited)


def role_moves(diff: Diff, mirrored: bool) -> Counter[tuple[str | None, str, str]]:
    return Counter(
        (c.party, c.after, c.before) if mirrored else (c.party, c.before, c.after)
        for c in diff.changes
        if c.kind is ChangeKind.ROLE_CHANGED
    )


def ids(diff: Diff, kind: ChangeKind) -> Counter[str | None]:
    return Counter(c.activity for c in diff.changes if c.kind is kind)


@settings(max_examples=200, deadline=None)
@given(page_pairs())
def test_a_page_against_itself_is_empty(pair: tuple[bytes, bytes]) -> None:
    for page in pair:
        assert diff_snapshots(parse_page(page), parse_page(page)).changes == ()


@settings(max_examples=300, deadline=None)
@given(page_pairs())
def test_the_diff_backwards_is_the_mirror_image(pair: tuple[bytes, bytes]) -> None:
    old, new = parse_page(pair[0]), parse_page(pair[1])
    forward, backward = diff_snapshots(old, new), diff_snapshots(new, old)

    assert ids(forward, ChangeKind.ACTIVITY_ADDED) == ids(backward, ChangeKind.ACTIVITY_REMOVED)
    assert ids(forward, ChangeKind.ACTIVITY_REMOVED) == ids(backward, ChangeKind.ACTIVITY_ADDED)
    assert role_moves(forward, mirrored=False) == role_moves(backward, mirrored=True)
    assert len(forward.changes) == len(backward.changes)
    assert (forward.summary.major, forward.summary.minor) == (
        backward.summary.major,
        backward.summary.minor,
    )


TEAM_NAMES = ["Dev", "Ops", "Security", "Product", "Business", "Support"]
# Activity texts that are not party names: a table whose rows are named "client" and "OVHcloud"
# is read as a transposed matrix, which is another property.
activity_text = st.lists(
    st.sampled_from([w for w in WORDS if w not in ("client", "OVHcloud")]), min_size=1, max_size=7
).map(" ".join)


@st.composite
def team_pages(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, list[str]]]]:
    teams = draw(st.lists(st.sampled_from(TEAM_NAMES), min_size=2, max_size=5, unique=True))
    rows = draw(
        st.lists(
            st.tuples(activity_text, st.lists(letters, min_size=len(teams), max_size=len(teams))),
            min_size=1,
            max_size=8,
            unique_by=lambda r: r[0],
        )
    )
    return teams, rows


def render_teams(teams: list[str], rows: list[tuple[str, list[str]]]) -> bytes:
    header = f"| Activity | {' | '.join(teams)} |\n|{' --- |' * (len(teams) + 1)}"
    body = [f"| {activity} | {' | '.join(held)} |" for activity, held in rows]
    return "\n".join(["## Matrix", "", header, *body, ""]).encode("utf-8")


@settings(max_examples=60, deadline=None)
@given(team_pages(), st.data())
def test_renaming_a_column_moves_no_letter(
    page: tuple[list[str], list[tuple[str, list[str]]]], data: st.DataObject
) -> None:
    """Renaming any team column that holds a letter gives one party-renamed change and no role
    change, whatever the letters."""
    teams, rows = page
    column = data.draw(st.integers(0, len(teams) - 1))
    renamed = [*teams]
    renamed[column] = f"Renamed {teams[column]}"
    diff = diff_snapshots(
        parse_page(render_teams(teams, rows)), parse_page(render_teams(renamed, rows))
    )
    kinds = Counter(change.kind for change in diff.changes)

    assert kinds[ChangeKind.ROLE_CHANGED] == 0
    holds_letters = any(held[column] for _, held in rows)
    assert kinds[ChangeKind.PARTY_RENAMED] == (1 if holds_letters else 0)
