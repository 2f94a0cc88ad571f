"""Page shapes beyond OVHcloud's: real pages from other organisations, one crafted page a rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from textwrap import dedent

import jsonschema
import pytest

from raci_tracker.codec import snapshot_to_dict, snapshot_to_json
from raci_tracker.model import Severity, Snapshot
from raci_tracker.page.parse import parse_page, read_letters
from tests.helpers import FIXTURES

EXTERNAL = FIXTURES / "external"
CLOUD_TEMPLE = EXTERNAL / "cloud-temple-iaas"
ALGOSUP = EXTERNAL / "algosup-vp7-raci"
CAF = EXTERNAL / "microsoft-caf-raci-alignment/raci-alignment.excerpt.md"


SCHEMA = json.loads(
    resources.files("raci_tracker").joinpath("schemas/snapshot.schema.json").read_text("utf-8")
)
PAGES = sorted(p for p in EXTERNAL.rglob("*.md") if p.name not in ("README.md", "SOURCE.md"))


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(EXTERNAL)) for p in PAGES])
def test_every_external_page_gives_a_valid_snapshot_with_its_matrix(path: Path) -> None:
    """Every real page: schema-valid, rows read, every cell a role or no role."""
    snapshot = parse_file(path)

    jsonschema.validate(snapshot_to_dict(snapshot), SCHEMA)
    assert snapshot.activities
    assert not [f for f in snapshot.findings if f.severity is Severity.ERROR]


def parse_text(text: str, **options: object) -> Snapshot:
    return parse_page(dedent(text).encode(), **options)  # type: ignore[arg-type]


def parse_file(path: Path) -> Snapshot:
    return parse_page(path.read_bytes(), path=str(path))


def letters(snapshot: Snapshot) -> list[tuple[str, str, dict[str, str]]]:
    return [(a.section, a.text, dict(a.assignments)) for a in snapshot.activities]


# --- 1. sections from unnumbered headings -------------------------------------------------------


def test_unnumbered_headings_name_sections_with_their_parents() -> None:
    """The page title is not a section; a heading's path of parents is."""
    snapshot = parse_text("""\
        # Shared responsibility

        ## Network

        | Activity | Client | Provider |
        | --- | --- | --- |
        | Configure firewall | RA | I |

        ### Backup

        | Activity | Client | Provider |
        | --- | --- | --- |
        | Configure firewall | RA | C |
        """)

    assert [(s.number, s.title) for s in snapshot.sections] == [
        ("Network", "Network"),
        ("Network › Backup", "Backup"),
    ]
    assert [(a.id, a.section) for a in snapshot.activities] == [
        ("network/configure-firewall", "Network"),
        ("network--backup/configure-firewall", "Network › Backup"),
    ]
    repeat = [f for f in snapshot.findings if f.rule == "duplicate-activity"]
    assert [f.severity for f in repeat] == [Severity.INFO]  # two headings: not an error


def test_cloud_temple_rows_carry_their_headings() -> None:
    """13 tables under plain headings: no activity is left without its section."""
    snapshot = parse_file(CLOUD_TEMPLE / "2026-04-16__d7e307d.md")

    assert snapshot.tables.raci == 13
    assert all(a.section for a in snapshot.activities)
    assert snapshot.activities[0].section == "Définition votre besoin"
    assert "Opérations récurrentes › Gestion des journaux" in {
        a.section for a in snapshot.activities
    }


def test_a_repeated_heading_is_named_in_its_finding() -> None:
    table = "| Activity | Dev | Ops |\n| --- | --- | --- |\n| Deploy | A | R |\n"
    snapshot = parse_text(f"## Backup\n\n{table}\n## Backup\n\n{table}")
    (repeat,) = [f for f in snapshot.findings if f.rule == "duplicate-section-number"]

    assert repeat.message.startswith("heading 'Backup' is used again (first at line 1)")
    assert [a.id for a in snapshot.activities] == ["backup/deploy", "backup/deploy-2"]


def test_numbered_pages_keep_their_numbers() -> None:
    """On a page that numbers its headings, an unnumbered heading does not start a section."""
    snapshot = parse_text("""\
        ## 1. Avant

        ### Détails

        | Activité | Client | OVHcloud |
        | --- | --- | --- |
        | Faire | RA | I |
        """)

    assert [a.section for a in snapshot.activities] == ["1"]
    assert [s.number for s in snapshot.sections] == ["1"]


def test_html_headings_name_sections() -> None:
    snapshot = parse_file(ALGOSUP / "2024-02-12__54ab8ae.md")

    assert {a.section for a in snapshot.activities} == {"The Matrix"}
    assert snapshot.document.title == "RACI Matrix"


# --- 2. parties --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("customer", "provider"),
    [
        ("Rôle Client", "Rôle Cloud Temple"),
        ("Client Role", "Cloud Temple Role"),
        ("Kundenrolle", "Cloud-Temple-Rolle"),
        ("Rolle Kunde", "Cloud Temple-Rolle"),
        ("Rol del Cliente", "Rol de Cloud Temple"),
        ("Ruolo del Cliente", "Ruolo Cloud Temple"),
        ("Customer", "AUCyber (IaaS)"),
    ],
)
def test_role_words_name_the_customer_and_the_provider(customer: str, provider: str) -> None:
    snapshot = parse_text(f"""\
        | Activity | {customer} | {provider} |
        | --- | --- | --- |
        | Patch the hosts | I | RA |
        """)

    assert [(p.id, p.label) for p in snapshot.parties] == [
        ("customer", customer),
        ("provider", provider),
    ]


def test_configured_provider_names_match_with_role_words() -> None:
    """`provider = ["Cloud Temple"]`: enough for every spelling, beside any other party."""
    snapshot = parse_text(
        """\
        | Activité | Rôle Cloud Temple | Rôle Client | Auditeur |
        | --- | --- | --- | --- |
        | Auditer | I | C | RA |
        """,
        aliases={"provider": ["Cloud Temple"]},
    )

    assert [p.id for p in snapshot.parties] == ["provider", "customer", "auditeur"]


def test_a_matrix_of_seven_teams_keeps_seven_parties() -> None:
    snapshot = parse_file(ALGOSUP / "2024-02-12__54ab8ae.md")

    assert [p.label for p in snapshot.parties] == [
        "Project Manager",
        "Program Manager",
        "Technical Leader",
        "Software Engineer",
        "Quality Assurance",
        "Client",
        "Stakeholders",
    ]
    first = snapshot.activities[0]
    assert (first.text, first.assignments["customer"], first.assignments["stakeholders"]) == (
        "Project brief",
        "RA",
        "C",
    )


def test_labels_change_spelling_from_table_to_table() -> None:
    """Each German table spells the parties its own way: still two parties."""
    page = EXTERNAL / (
        "cloud-temple-iaas-i18n/i18n/de/docusaurus-plugin-content-docs/current/contractual/iaas/raci.md"
    )
    snapshot = parse_file(page)

    assert [p.id for p in snapshot.parties] == ["customer", "provider"]
    assert not [f for f in snapshot.findings if f.rule == "unknown-letter"]


# --- 4. no-role markers ------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["N/A", "n/a", "-", "–", "—", "**-**", "", "NA"])
def test_not_involved_markers_are_no_role(cell: str) -> None:
    assert read_letters(cell) == ""


def test_a_marker_the_legend_defines_is_no_role() -> None:
    snapshot = parse_text("""\
        | Key | Meaning |
        | --- | --- |
        | R | Responsible |
        | A | Accountable |
        | NI | Not involved |

        | Activity | Dev | Ops |
        | --- | --- | --- |
        | Deploy | NI | RA |
        """)

    assert letters(snapshot) == [("", "Deploy", {"dev": "", "ops": "RA"})]
    assert not [f for f in snapshot.findings if f.rule == "unknown-letter"]
    assert snapshot.legend == {"R": "Responsible", "A": "Accountable"}


# --- 5. legends --------------------------------------------------------------------------------


def test_two_column_legend_whose_header_is_a_key_row() -> None:
    snapshot = parse_text("""\
        | R | Réalise |
        | --- | --- |
        | A | Approuve |
        | C | Consulté |
        | I | Informé |
        """)

    assert snapshot.legend == {"R": "Réalise", "A": "Approuve", "C": "Consulté", "I": "Informé"}
    assert snapshot.tables.legend == 1


def test_cloud_temple_legend_in_parenthesised_letters() -> None:
    snapshot = parse_file(CLOUD_TEMPLE / "2026-04-16__d7e307d.md")

    assert set(snapshot.legend) == set("RACI")
    assert snapshot.legend["A"].startswith("Approuve")


def test_three_column_key_below_the_matrix() -> None:
    """Name and description are joined; the key's "-" row is a no-role marker, not a letter."""
    snapshot = parse_file(ALGOSUP / "2024-01-26__19fe2d9.md")

    assert snapshot.legend["R"] == "Responsible: Works on the task."
    assert set(snapshot.legend) == set("RACI")


def test_bullet_list_legend() -> None:
    snapshot = parse_text("""\
        - **R** (Responsible): does the work
        - **A** (Accountable): signs off
        - **C** - Consulted
        - **I** - Informed
        """)

    assert snapshot.legend == {
        "R": "Responsible: does the work",
        "A": "Accountable: signs off",
        "C": "Consulted",
        "I": "Informed",
    }


def test_a_short_bullet_list_is_not_a_legend() -> None:
    snapshot = parse_text("- A - first point\n- I - second point\n")

    assert snapshot.legend == {}


# --- 6. transposed matrices and full words -----------------------------------------------------


def test_transposed_matrices_with_full_words() -> None:
    """Teams in rows, functions in columns: each function is an activity, each team a party."""
    snapshot = parse_file(CAF)

    assert snapshot.tables.raci == 3
    assert [p.label for p in snapshot.parties] == [
        "Cloud adoption team",
        "Cloud governance team",
        "Central IT team",
        "Cloud strategy team",
        "Cloud operations team",
        "CCoE model RACI",
    ]
    central = [a for a in snapshot.activities if a.section == "Central IT team"]
    assert [a.text for a in central][:2] == ["Solution delivery", "Business alignment"]
    held = {p: x for p, x in central[2].assignments.items() if x}  # Change management
    assert held == {
        "cloud-adoption-team": "R",
        "cloud-governance-team": "I",
        "central-it-team": "A",
    }
    assert not [f for f in snapshot.findings if f.rule == "unknown-letter"]


def test_rows_named_after_parties_are_read_turned() -> None:
    """No `Team` header, but the rows are the customer and the provider."""
    snapshot = parse_text("""\
        | | Backups | Patching |
        | --- | --- | --- |
        | Customer | RA | I |
        | Provider | I | RA |
        """)

    assert letters(snapshot) == [
        ("", "Backups", {"customer": "RA", "provider": "I"}),
        ("", "Patching", {"customer": "I", "provider": "RA"}),
    ]


def test_a_role_header_over_party_columns_is_not_turned() -> None:
    snapshot = parse_text("""\
        | Rôle | Client | OVHcloud |
        | --- | --- | --- |
        | Sauvegarder | RA | I |
        """)

    assert letters(snapshot) == [("", "Sauvegarder", {"customer": "RA", "provider": "I"})]


def test_an_activity_named_like_a_party_does_not_turn_the_matrix() -> None:
    snapshot = parse_text("""\
        | Activity | Dev | Ops |
        | --- | --- | --- |
        | Client | R | A |
        | Deploy | A | R |
        """)

    assert [p.id for p in snapshot.parties] == ["dev", "ops"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Responsible", "R"),
        ("Accountable, Responsible", "RA"),
        ("**Consulted**", "C"),
        ("Informé", "I"),
        ("Consulté et informé", "CI"),
        ("Konsultiert", "C"),
    ],
)
def test_full_role_words(cell: str, expected: str) -> None:
    assert read_letters(cell) == expected


@pytest.mark.parametrize("cell", ["Verantwortlich", "Responsable", "Zuständig", "Zu Rate gezogen"])
def test_words_whose_letter_depends_on_the_translation_are_not_guessed(cell: str) -> None:
    """Microsoft's German CAF page writes Accountable as `Verantwortlich`; others write R so."""
    assert read_letters(cell) is None


def test_the_legend_says_which_letter_a_word_is() -> None:
    """The key may sit below the matrix; its names read the cells above."""
    snapshot = parse_text("""\
        | Team | Governance | Operations |
        | --- | --- | --- |
        | Cloud team | Verantwortlich | Zuständig |
        | Platform team | Zu Rate gezogen | Verantwortlich |

        | Letter | Name |
        | --- | --- |
        | R | Zuständig |
        | A | Verantwortlich |
        | C | Zu Rate gezogen |
        """)

    assert letters(snapshot) == [
        ("", "Governance", {"cloud-team": "A", "platform-team": "C"}),
        ("", "Operations", {"cloud-team": "R", "platform-team": "A"}),
    ]


# --- 7. what the page has instead of a RACI table ----------------------------------------------


def test_a_table_without_delimiter_row_is_named() -> None:
    snapshot = parse_text("""\
        | Activity | Client | Provider |
        | Patch | RA | I |
        | Back up | I | RA |
        """)
    rules = {f.rule: f.message for f in snapshot.findings}

    assert "table-without-delimiter" in rules
    assert "delimiter row" in rules["no-raci-table"]


def test_a_table_of_sentences_is_named() -> None:
    snapshot = parse_text("""\
        | Area | Customer | Provider |
        | --- | --- | --- |
        | Network | The customer sets its firewall rules | The provider runs the backbone |
        """)
    rules = {f.rule: f.message for f in snapshot.findings}

    assert "prose-cells" in rules
    assert "sentences" in rules["no-raci-table"]


def test_a_table_with_the_roles_as_columns_is_named() -> None:
    snapshot = parse_text("""\
        | Deliverable | Responsible | Accountable | Consulted | Informed |
        | --- | --- | --- | --- | --- |
        | Strategy | PMM/GM | Head of Product | Product, Sales | Execs |
        """)
    rules = {f.rule: f.message for f in snapshot.findings}

    assert "roles-as-columns" in rules
    assert "roles as columns" in rules["no-raci-table"]
    assert snapshot.activities == ()


GOLDEN_EXTERNAL = [
    "cloud-temple-iaas/2026-04-16__d7e307d.md",
    "algosup-vp7-raci/2024-02-12__54ab8ae.md",
    "microsoft-caf-raci-alignment/raci-alignment.excerpt.md",
]


@pytest.mark.parametrize("name", GOLDEN_EXTERNAL)
def test_golden_external_snapshots(name: str, golden: Callable[[str, bytes], None]) -> None:
    """Every row, section, party and letter of three real pages, kept as readable files under
    tests/golden/snapshots/external (checked against the source tables when first written)."""
    snapshot = parse_page((EXTERNAL / name).read_bytes(), path=name)

    golden(f"snapshots/external/{name.removesuffix('.md')}.json", snapshot_to_json(snapshot))
