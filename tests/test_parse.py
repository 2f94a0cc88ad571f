"""The parser on crafted pages: one quirk per test."""

from __future__ import annotations

from textwrap import dedent

import pytest

from raci_tracker.errors import InputError
from raci_tracker.model import DateSource, Severity, Snapshot
from raci_tracker.page.parse import parse_page, read_letters

HEADER = "| **Activité** | **Client** | **OVHcloud** |\n| --- | --- | --- |\n"


def page(body: str, front: str = "updated: 2023-07-06") -> bytes:
    """A page with front matter; `{HEADER}` in `body` stands for a RACI table header."""
    text = dedent(body).replace("{HEADER}\n", HEADER)
    return f"---\n{front}\n---\n\n{text}".encode()


def rules(snapshot: Snapshot) -> list[str]:
    return [f.rule for f in snapshot.findings]


@pytest.mark.parametrize(
    ("cell", "letters"),
    [
        ("RA", "RA"),
        ("AR", "RA"),
        ("IR", "RI"),
        ("I", "I"),
        ("ICRA", "RACI"),
        ("R, A", "RA"),
        ("R/A", "RA"),
        ("**RA**", "RA"),
        ("ra", "RA"),
        ("RR", "R"),
        ("", ""),
        ("-", ""),
        ("—", ""),
    ],
)
def test_cell_letters_in_canonical_order(cell: str, letters: str) -> None:
    """Letters come out as R, A, C, I in that order; blank marks are empty."""
    assert read_letters(cell) == letters


@pytest.mark.parametrize("cell", ["X", "yes", "RAX", "?", "Responsible for it"])
def test_unreadable_cells(cell: str) -> None:
    assert read_letters(cell) is None


def test_unknown_letter_is_a_finding_with_its_line_never_a_crash() -> None:
    """`X` and `??` become error findings naming the line; the assignment is left empty."""
    snapshot = parse_page(page(f"### 1. Avant\n\n{HEADER}| Faire | X | RA |\n| Dire | ?? | I |\n"))
    unknown = [f for f in snapshot.findings if f.rule == "unknown-letter"]

    assert [(f.line, f.severity) for f in unknown] == [(9, Severity.ERROR), (10, Severity.ERROR)]
    assert "'X'" in unknown[0].message
    assert dict(snapshot.activities[0].assignments) == {"customer": "", "provider": "RA"}


def test_sections_come_from_numbers_not_heading_levels() -> None:
    """Bold headings, mixed levels and unnumbered headings: the number decides."""
    snapshot = parse_page(
        page("""\
        ## Objectif

        ### 3. Utilisation

        ##### **3.2.1. Incidents**

        {HEADER}
        | Notifier | RA | I |

        ## Aller plus loin

        #### **3.2.2. Changements**

        {HEADER}
        | Déployer | I | RA |
        """)
    )

    assert [(s.number, s.title) for s in snapshot.sections] == [
        ("3", "Utilisation"),
        ("3.2.1", "Incidents"),
        ("3.2.2", "Changements"),
    ]
    assert [(a.section, a.text) for a in snapshot.activities] == [
        ("3.2.1", "Notifier"),
        ("3.2.2", "Déployer"),
    ]


def test_duplicate_section_numbers_are_reported() -> None:
    snapshot = parse_page(
        page(
            f"### 2.1. Installer\n\n{HEADER}| A | RA | |\n\n"
            f"### 2.1. Installer encore\n\n{HEADER}| B | RA | |\n"
        )
    )

    assert rules(snapshot) == ["duplicate-section-number"]
    assert snapshot.findings[0].line == 11


def test_legend_table_is_captured_not_counted_as_a_matrix() -> None:
    snapshot = parse_page(
        page("""\
        | Rôles |
        | --- |
        |R : Est en charge de la Réalisation du processus|
        |A : Est Approbateur|
        | C: Est Consulté |
        | **I** : est Informé |
        """)
    )

    assert snapshot.legend == {
        "R": "Est en charge de la Réalisation du processus",
        "A": "Est Approbateur",
        "C": "Est Consulté",
        "I": "est Informé",
    }
    assert (snapshot.tables.legend, snapshot.tables.raci) == (1, 0)
    assert rules(snapshot) == ["no-raci-table"]


def test_other_tables_are_ignored_and_counted() -> None:
    snapshot = parse_page(
        page("""\
        | Offre | Prix |
        | --- | --- |
        | Standard | 10 € |

        ### 1. Avant

        {HEADER}
        | Choisir | RA | I |
        """)
    )

    assert (snapshot.tables.raci, snapshot.tables.other) == (1, 1)
    assert [a.text for a in snapshot.activities] == ["Choisir"]


def test_table_recognised_by_letters_under_unknown_headers() -> None:
    """Headers we do not know get slug ids and keep their label."""
    snapshot = parse_page(
        page("""\
        ### 1. Run

        | Task | Partner Team | Vendor |
        | --- | --- | --- |
        | Patch | RA | C |
        """)
    )

    assert [(p.id, p.label) for p in snapshot.parties] == [
        ("partner-team", "Partner Team"),
        ("vendor", "Vendor"),
    ]


def test_caller_aliases_extend_the_defaults() -> None:
    body = "### 1. Run\n\n| Task | Partner Team | OVH |\n| --- | --- | --- |\n| Patch | RA | C |\n"
    snapshot = parse_page(page(body), aliases={"customer": ["Partner Team"]})

    assert [(p.id, p.label) for p in snapshot.parties] == [
        ("customer", "Partner Team"),
        ("provider", "OVH"),
    ]


@pytest.mark.parametrize("label", ["Kunde", "Cliente", "Klient", "Customer", "**Client**"])
def test_customer_header_in_other_languages(label: str) -> None:
    body = f"### 1. A\n\n| Aktivität | {label} | OVHcloud |\n| --- | --- | --- |\n| X | RA | I |\n"
    assert [p.id for p in parse_page(page(body)).parties] == ["customer", "provider"]


def test_missing_cells_rows_without_pipes_and_blank_cells() -> None:
    """A short row is padded with blanks; a row with no cells at all is `unassigned`."""
    snapshot = parse_page(
        page("""\
        ### 3.1.3. Monitoring

        {HEADER}
        | Garder les logs | RA |
        | Conserver les traces
        | Vérifier |  | RA |
        | Filtrer | | RA |
        """)
    )

    assert [dict(a.assignments) for a in snapshot.activities] == [
        {"customer": "RA", "provider": ""},
        {"customer": "", "provider": ""},
        {"customer": "", "provider": "RA"},
        {"customer": "", "provider": "RA"},
    ]
    assert [(f.rule, f.line) for f in snapshot.findings] == [("unassigned", 10)]


def test_role_balance_findings() -> None:
    """No A, several A, and no R, each on its row."""
    snapshot = parse_page(
        page(f"### 1. A\n\n{HEADER}| Un | R | I |\n| Deux | RA | RA |\n| Trois | A | I |\n")
    )

    assert [(f.rule, f.line) for f in snapshot.findings] == [
        ("no-accountable", 9),
        ("multiple-accountable", 10),
        ("no-responsible", 11),
    ]


def test_extra_cells_are_reported_not_silently_dropped() -> None:
    snapshot = parse_page(page(f"### 1. A\n\n{HEADER}| Faire | RA | I | C |\n"))

    assert rules(snapshot) == ["extra-cells"]
    assert "'C'" in snapshot.findings[0].message


def test_escaped_pipes_stay_in_the_text() -> None:
    snapshot = parse_page(page(f"### 1. A\n\n{HEADER}| Lire a \\| b | RA | I |\n"))

    assert snapshot.activities[0].text == "Lire a | b"
    assert rules(snapshot) == []


def test_table_that_failed_to_parse_is_reported() -> None:
    """A delimiter row with the wrong column count makes markdown-it drop the table."""
    snapshot = parse_page(
        page("### 1. A\n\n| Activité | Client | OVHcloud |\n| --- | --- |\n| Faire | RA | I |\n")
    )

    assert "malformed-table" in rules(snapshot)


def test_header_with_no_rows() -> None:
    snapshot = parse_page(page(f"### 1. A\n\n{HEADER}\nTexte.\n"))

    assert rules(snapshot) == ["empty-table"]
    assert snapshot.findings[0].line == 7


def test_activity_ids_are_stable_and_unique() -> None:
    """Same section and text, same id; a text repeated in one section still gets its own id."""
    body = f"### 2.2. R\n\n{HEADER}| Migrer les données | RA | |\n| Migrer les données | RA | |\n"
    first = parse_page(page(body))
    again = parse_page(page("Intro.\n\n" + body))
    ids = [a.id for a in first.activities]

    assert ids == ["2.2/migrer-les-donnees", "2.2/migrer-les-donnees-2"]
    assert [a.id for a in again.activities] == ids
    assert [f.severity for f in first.findings if f.rule == "duplicate-activity"] == [
        Severity.WARNING
    ]


def test_long_texts_keep_distinct_ids() -> None:
    stem = "Appliquer les mesures de sécurité adaptées aux flux internes et externes du SI géré"
    body = f"### 1. A\n\n{HEADER}| {stem} (a) | RA | |\n| {stem} (b) | RA | |\n"
    ids = [a.id for a in parse_page(page(body)).activities]

    assert len(set(ids)) == 2
    assert all(len(i) < 80 for i in ids)


def test_markup_and_attribute_blocks_are_stripped_from_text() -> None:
    body = (
        f"### 1. A\n\n{HEADER}| Gérer **les**   accès  via [l'outil](https://x.y){{.external}}"
        " et `kubectl` | RA | |\n"
    )

    assert parse_page(page(body)).activities[0].text == "Gérer les accès via l'outil et kubectl"


def test_front_matter_values_stay_strings() -> None:
    snapshot = parse_page(
        page(
            "### 1. A\n",
            front="updated: 2023-07-06\norder: 030\nflag: no\ntitle: 'RACI'\nexcerpt: Partage",
        )
    )

    assert snapshot.document.front_matter == {
        "updated": "2023-07-06",
        "order": "030",
        "flag": "no",
        "title": "RACI",
        "excerpt": "Partage",
    }
    assert (snapshot.document.title, snapshot.document.excerpt) == ("RACI", "Partage")


def test_front_matter_that_is_not_yaml() -> None:
    snapshot = parse_page(page("**Last updated January 26th, 2023**\n", front="title: [unclosed"))

    assert "front-matter-invalid" in rules(snapshot)
    assert snapshot.document.front_matter == {}
    assert (snapshot.document.updated, snapshot.document.date_source) == (
        "2023-01-26",
        DateSource.BODY,
    )


def test_front_matter_aliases_and_python_tags_are_refused() -> None:
    """A billion-laughs alias chain is refused; a `!!python/object` tag is never built."""
    bomb = parse_page(page("", front='a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'))
    tagged = parse_page(page("", front="title: !!python/object/apply:os.system ['true']"))

    assert "front-matter-invalid" in rules(bomb)
    assert bomb.document.front_matter == {}
    assert tagged.document.front_matter == {"title": ["true"]}
    assert tagged.document.title is None


def test_invalid_updated_falls_back_to_the_body_date() -> None:
    snapshot = parse_page(page("Dernière mise à jour le 05/07/2023\n", front="updated: 2023-13-45"))

    assert snapshot.document.updated == "2023-07-05"
    assert "date-invalid" in rules(snapshot)


def test_title_falls_back_to_the_first_heading() -> None:
    snapshot = parse_page(b"# RACI Instances\n\n" + HEADER.encode() + b"| X | RA | I |\n")

    assert snapshot.document.title == "RACI Instances"
    assert snapshot.document.date_source is DateSource.NONE


def test_bom_and_crlf_parse_like_plain_text() -> None:
    plain = page(f"### 1. A\n\n{HEADER}| Faire | RA | I |\n")
    windows = b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n")

    assert parse_page(windows).activities == parse_page(plain).activities
    assert parse_page(windows).document == parse_page(plain).document


def test_binary_and_non_utf8_input_are_input_errors() -> None:
    with pytest.raises(InputError, match=r"page.md: is a binary file"):
        parse_page(b"\x89PNG\x00\x00", path="page.md")
    with pytest.raises(InputError, match=r"page.md:2: is not UTF-8"):
        parse_page("title\nGérer".encode("latin-1"), path="page.md")


def test_empty_page() -> None:
    snapshot = parse_page(b"")

    assert snapshot.activities == ()
    assert rules(snapshot) == ["date-missing", "no-raci-table"]
