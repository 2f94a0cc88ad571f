"""The review policy on generated pages: `party-loses:PARTY` and `accountability` fire exactly
when the letters say so, never on a page where nobody lost anything."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from raci_tracker.compare.review import PageTexts, review
from raci_tracker.page.parse import parse_page

ACTIVITIES = [
    "Gérer les sauvegardes du cluster",
    "Déployer les mises à jour du control plane",
    "Superviser le réseau",
    "Gérer les accès",
    "Traiter les incidents",
]
letters = st.sampled_from(["", "R", "A", "RA", "I", "C", "CI", "RI", "AI", "RACI"])
HEADER = "| Activité | Client | OVHcloud |\n| --- | --- | --- |"


def render(rows: list[tuple[str, str]]) -> bytes:
    lines = [
        f"| {text} | {customer} | {provider} |"
        for text, (customer, provider) in zip(ACTIVITIES, rows, strict=False)
    ]
    return "\n".join(["#### 1. Rôles", "", HEADER, *lines, ""]).encode("utf-8")


pages = st.lists(st.tuples(letters, letters), min_size=1, max_size=len(ACTIVITIES))


@settings(max_examples=60, deadline=None)
@given(pages, st.data())
def test_the_policy_fires_exactly_when_a_party_loses_a_letter(
    before_rows: list[tuple[str, str]], data: st.DataObject
) -> None:
    after_rows = [(data.draw(letters), data.draw(letters)) for _ in before_rows]
    before, after = parse_page(render(before_rows)), parse_page(render(after_rows))
    texts = PageTexts("guide.fr-fr.md", None, "M", before, after)
    rules = ["party-loses:provider", "party-loses:customer", "accountability"]

    result = review("b", "h", [texts], parse_page(b""), rules)

    def lost(side: int, role: str) -> bool:
        return any(
            role in old[side] and role not in new[side]
            for old, new in zip(before_rows, after_rows, strict=True)
        )

    expected = set()
    for side, party in ((1, "provider"), (0, "customer")):
        for role in "AR":
            if lost(side, role):
                expected.add(f"{party} loses {role}")
    a_moved = any(
        ("A" in old[s]) != ("A" in new[s])
        for old, new in zip(before_rows, after_rows, strict=True)
        for s in (0, 1)
    )
    reasons = {reason.split(": ", 1)[1] for reason in result.breaches}

    assert {r.rsplit(" on ", 1)[0] for r in reasons if " loses " in r} == expected
    assert any(r.startswith("accountability moved") for r in reasons) is a_moved
