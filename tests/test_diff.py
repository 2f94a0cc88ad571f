"""Responsibility shifts between two revisions: real pairs from the corpus and crafted ones."""

from __future__ import annotations

import itertools

import pytest

from raci_tracker.compare.diff import diff_snapshots, role_labels
from raci_tracker.model import Change, ChangeKind, ChangeSeverity, Diff, Snapshot, Transfer
from raci_tracker.page.parse import parse_page
from tests.helpers import corpus_page

MK_FR = [
    "managed-kubernetes/fr-fr/2023-07-05__2255c02.md",
    "managed-kubernetes/fr-fr/2023-07-05__bdd59f0.md",
    "managed-kubernetes/fr-fr/2023-07-06__seed.md",
]


def corpus(name: str) -> Snapshot:
    return parse_page(corpus_page(name), path=name)


def kinds(diff: Diff, kind: ChangeKind) -> list[Change]:
    return [c for c in diff.changes if c.kind is kind]


@pytest.mark.parametrize(("old", "new"), list(itertools.permutations(MK_FR, 2)))
def test_managed_kubernetes_rewordings_move_no_role(old: str, new: str) -> None:
    """The real fr-fr revisions differ only in wording: no role change, nothing added or removed."""
    diff = diff_snapshots(corpus(old), corpus(new))

    assert kinds(diff, ChangeKind.ROLE_CHANGED) == []
    assert kinds(diff, ChangeKind.ACTIVITY_ADDED) == []
    assert kinds(diff, ChangeKind.ACTIVITY_REMOVED) == []
    assert (diff.summary.major, diff.summary.minor) == (0, 0)
    assert not diff.has_shifts


def test_managed_kubernetes_silent_edit_rewordings() -> None:
    """The two texts dated 2023-07-05: four rewordings, and the date did not move."""
    diff = diff_snapshots(corpus(MK_FR[0]), corpus(MK_FR[1]))
    reworded = kinds(diff, ChangeKind.ACTIVITY_REWORDED)

    assert [(c.section, c.previous_activity, c.activity) for c in reworded] == [
        ("2.3", "Fournir les données aux containers", "Fournir les données aux conteneurs"),
        (
            "3.1.2",
            "Gérer des accès à l'espace client OVHcloud (Control Plane)",
            "Gérer des accès à l'espace client OVHcloud (Control Plane) à travers un projet Public "
            "Cloud",
        ),
        (
            "3.1.5",
            "Router les paquets à l’intérieur du projet géré par Managed Kubernetes",
            "Router les paquets à l’intérieur du projet géré par le service Managed Kubernetes",
        ),
        (
            "3.2.2",
            "Déployer les mises à jour nécessaires sur les containers managés",
            "Déployer les mises à jour nécessaires sur les conteneurs managés",
        ),
    ]
    assert len(diff.changes) == 4
    assert [(op.op, op.text) for op in reworded[0].word_diff or ()] == [
        ("equal", "Fournir les données aux"),
        ("delete", "containers"),
        ("insert", "conteneurs"),
    ]


def test_removed_section_with_renumbering() -> None:
    """Block Storage fr-fr: 3.1.5 removed, 3.1.6 and 3.1.7 renumbered, their rows not "moved"."""
    diff = diff_snapshots(
        corpus("block-storage/fr-fr/unknown__3217656.md"),
        corpus("block-storage/fr-fr/unknown__025ffae.md"),
    )

    assert [(c.section, c.title) for c in kinds(diff, ChangeKind.SECTION_REMOVED)] == [
        ("3.1.5", "Connectivité")
    ]
    assert [(c.previous_section, c.section) for c in kinds(diff, ChangeKind.SECTION_RENAMED)] == [
        ("3.1.6", "3.1.5"),
        ("3.1.7", "3.1.6"),
        ("4", "4"),
    ]
    assert kinds(diff, ChangeKind.ACTIVITY_MOVED) == []
    assert sorted(c.section or "" for c in kinds(diff, ChangeKind.ACTIVITY_REMOVED)) == [
        "3.1.1",
        "3.1.3",
        "3.1.3",
        "3.1.5",
        "3.1.5",
        "3.1.5",
    ]
    assert [
        (c.activity, c.party, c.before, c.after, c.severity)
        for c in kinds(diff, ChangeKind.ROLE_CHANGED)
    ] == [("Choisir les infrastructures de repli", "provider", "", "CI", ChangeSeverity.MINOR)]
    renumbered = [
        (c.previous_section, c.section, c.previous_activity, c.activity)
        for c in kinds(diff, ChangeKind.ACTIVITY_REWORDED)
        if c.previous_section == "3.1.6"
    ]
    assert renumbered[0] == (
        "3.1.6",
        "3.1.5",
        "Fournir l'inventaire des instances consommées",
        "Fournir l'inventaire des volumes de stockage consommé",
    )
    assert len(renumbered) == 3


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("en-gb/2022-12-22__02ab130.md", "en-gb/2023-10-12__36c6971.md"),
        ("fr-fr/2022-12-22__142b813.md", "fr-fr/2023-10-12__375b516.md"),
        ("fr-ca/2022-12-22__db70311.md", "fr-ca/2023-10-12__0526ec8.md"),
    ],
)
def test_row_inserted_in_public_cloud_instances(old: str, new: str) -> None:
    """The October 2023 row, inserted at different positions in different locales."""
    diff = diff_snapshots(
        corpus(f"public-cloud-instances/{old}"), corpus(f"public-cloud-instances/{new}")
    )
    added = kinds(diff, ChangeKind.ACTIVITY_ADDED)

    assert [(c.section, dict(c.assignments or {})) for c in added] == [
        ("3.1.5", {"customer": "RA", "provider": ""})
    ]
    assert (added[0].activity or "").startswith(
        ("Filter network connections", "Filtrer les connexions réseaux")
    )
    assert (diff.summary.major, diff.summary.minor) == (1, 0)


def test_logs_data_platform_rows_inserted_at_different_positions() -> None:
    """July 2022 -> January 2023: two rows added in 2.1 and 3.1.1, two rewordings."""
    diff = diff_snapshots(
        corpus("logs-data-platform/en-ie/unknown__d636c06.md"),
        corpus("logs-data-platform/en-ie/2023-01-26__08070d4.md"),
    )

    assert sorted((c.section, c.activity) for c in kinds(diff, ChangeKind.ACTIVITY_ADDED)) == [
        ("2.1", "Setup audit trails as stream on dedicated clusters (enterprise)"),
        ("3.1.1", "Decide to observe audit trails available in audit stream (enterprise)"),
    ]
    assert sorted(c.activity for c in kinds(diff, ChangeKind.ACTIVITY_REWORDED)) == [
        "Manage data immutability",
        "Manage network accessibility of the Platform",
    ]
    assert kinds(diff, ChangeKind.ROLE_CHANGED) == []


# --- crafted pairs -----------------------------------------------------------------------------

BASE = """\
---
title: RACI
updated: 2023-01-01
---
| Rôles |
| --- |
| R : Réalise |
| A : Approuve |

### 1. Avant

#### 1.1. Spécifier

| Activité | Client | OVHcloud |
| --- | --- | --- |
| Choisir la localisation du service | RA | I |
| Sauvegarder les données du cluster | I | RA |
| Mettre à jour le control plane | C | RA |

#### 1.2. Installer

| Activité | Client | OVHcloud |
| --- | --- | --- |
| Installer le cluster | I | RA |
"""


def crafted(text: str) -> Snapshot:
    return parse_page(text.encode("utf-8"))


def diff_of(*edits: tuple[str, str]) -> Diff:
    new = BASE
    for before, after in edits:
        assert before in new
        new = new.replace(before, after)
    return diff_snapshots(crafted(BASE), crafted(new))


def test_accountability_transfer_from_provider_to_customer() -> None:
    """The move raci-tracker exists to catch: OVHcloud gives up A (and R) on backups."""
    diff = diff_of(
        (
            "| Sauvegarder les données du cluster | I | RA |",
            "| Sauvegarder les données du cluster | RA | I |",
        )
    )
    customer, provider = kinds(diff, ChangeKind.ROLE_CHANGED)

    assert (customer.party, customer.before, customer.after) == ("customer", "I", "RA")
    assert customer.labels == ("responsibility-gained", "accountability-gained", "informed-lost")
    assert (provider.party, provider.before, provider.after) == ("provider", "RA", "I")
    assert provider.labels == ("responsibility-lost", "accountability-lost", "informed-gained")
    assert customer.transfer == provider.transfer == Transfer("RA", "provider", "customer")
    assert {c.severity for c in (customer, provider)} == {ChangeSeverity.MAJOR}
    assert diff.summary.parties["provider"].accountable_lost == 1
    assert diff.summary.parties["customer"].accountable_gained == 1
    assert diff.summary.parties["customer"].responsible_gained == 1


def test_consulted_and_informed_only_is_minor() -> None:
    diff = diff_of(
        (
            "| Mettre à jour le control plane | C | RA |",
            "| Mettre à jour le control plane | CI | RA |",
        )
    )

    assert [
        (c.party, c.labels, c.severity, c.transfer)
        for c in diff.changes
        if c.kind is ChangeKind.ROLE_CHANGED
    ] == [("customer", ("informed-gained",), ChangeSeverity.MINOR, None)]
    assert (diff.summary.major, diff.summary.minor) == (0, 1)


def test_letter_order_is_not_a_change() -> None:
    diff = diff_of(("| Installer le cluster | I | RA |", "| Installer le cluster | I | AR |"))

    assert diff.changes == ()


def test_reworded_activity_whose_roles_changed_gives_both_records() -> None:
    diff = diff_of(("| Installer le cluster | I | RA |", "| Installer les clusters | RA | I |"))

    assert [c.kind for c in diff.changes if c.section == "1.2"] == [
        ChangeKind.ACTIVITY_REWORDED,
        ChangeKind.ROLE_CHANGED,
        ChangeKind.ROLE_CHANGED,
    ]
    reworded = kinds(diff, ChangeKind.ACTIVITY_REWORDED)[0]
    assert (reworded.previous_activity, reworded.activity) == (
        "Installer le cluster",
        "Installer les clusters",
    )


def test_activity_moved_to_another_section() -> None:
    diff = diff_of(
        ("| Mettre à jour le control plane | C | RA |\n", ""),
        (
            "| Installer le cluster | I | RA |",
            "| Installer le cluster | I | RA |\n| Mettre à jour le control plane | C | RA |",
        ),
    )

    assert [(c.kind, c.previous_section, c.section) for c in diff.changes] == [
        (ChangeKind.ACTIVITY_MOVED, "1.1", "1.2")
    ]
    assert diff.changes[0].severity is ChangeSeverity.EDITORIAL


def test_added_and_removed_activities_carry_their_roles() -> None:
    diff = diff_of(("| Installer le cluster | I | RA |", "| Configurer le réseau privé | RA | |"))

    removed, added = (
        kinds(diff, ChangeKind.ACTIVITY_REMOVED),
        kinds(diff, ChangeKind.ACTIVITY_ADDED),
    )
    assert [(c.activity, dict(c.assignments or {})) for c in removed] == [
        ("Installer le cluster", {"customer": "I", "provider": "RA"})
    ]
    assert [(c.activity, dict(c.assignments or {})) for c in added] == [
        ("Configurer le réseau privé", {"customer": "RA", "provider": ""})
    ]
    assert {c.severity for c in removed + added} == {ChangeSeverity.MAJOR}
    assert (diff.summary.activities_added, diff.summary.activities_removed) == (1, 1)


def test_sections_added_removed_and_renamed() -> None:
    diff = diff_of(
        ("#### 1.2. Installer", "#### 1.3. Installer"),
        ("### 1. Avant", "### 1. Avant la souscription"),
        ("#### 1.1. Spécifier", "#### 1.1. Nouveau\n\nTexte.\n\n#### 1.2. Spécifier"),
    )
    sections = [
        (c.kind, c.previous_section, c.section, c.title)
        for c in diff.changes
        if c.kind.value.startswith("section")
    ]

    assert sections == [
        (ChangeKind.SECTION_RENAMED, "1", "1", "Avant la souscription"),
        (ChangeKind.SECTION_ADDED, None, "1.1", "Nouveau"),
        (ChangeKind.SECTION_RENAMED, "1.1", "1.2", "Spécifier"),
        (ChangeKind.SECTION_RENAMED, "1.2", "1.3", "Installer"),
    ]
    assert kinds(diff, ChangeKind.ACTIVITY_MOVED) == []


def test_section_removed() -> None:
    diff = diff_of(
        (
            "#### 1.2. Installer\n\n| Activité | Client | OVHcloud |\n"
            "| --- | --- | --- |\n| Installer le cluster | I | RA |\n",
            "",
        )
    )

    assert [(c.kind, c.section) for c in diff.changes] == [
        (ChangeKind.SECTION_REMOVED, "1.2"),
        (ChangeKind.ACTIVITY_REMOVED, "1.2"),
    ]


TWO_PARTIES = (
    "| Activité | Client | OVHcloud |\n| --- | --- | --- |\n| Installer le cluster | I | RA |"
)
THREE_PARTIES = (
    "| Activité | Client | OVHcloud | Partenaire |\n| --- | --- | --- | --- |\n"
    "| Installer le cluster | I | RA | C |"
)


def test_party_added_and_removed() -> None:
    """A new column is a party added, and its letters are role changes of that party."""
    added = diff_of((TWO_PARTIES, THREE_PARTIES))
    removed = diff_snapshots(crafted(BASE.replace(TWO_PARTIES, THREE_PARTIES)), crafted(BASE))

    assert [(c.party, c.after) for c in kinds(added, ChangeKind.PARTY_ADDED)] == [
        ("partenaire", "Partenaire")
    ]
    assert [(c.party, c.before, c.after) for c in kinds(added, ChangeKind.ROLE_CHANGED)] == [
        ("partenaire", "", "C")
    ]
    assert [(c.party, c.before) for c in kinds(removed, ChangeKind.PARTY_REMOVED)] == [
        ("partenaire", "Partenaire")
    ]


def test_metadata_and_legend_wording_changes_are_editorial() -> None:
    """Case and punctuation in a definition are wording; metadata is wording too."""
    diff = diff_of(
        ("| A : Approuve |", "| A : approuve. |"),
        ("updated: 2023-01-01", "updated: 2023-02-01\nslug: raci"),
    )

    assert [(c.kind, c.field, c.before, c.after) for c in diff.changes] == [
        (ChangeKind.METADATA_CHANGED, "slug", None, "raci"),
        (ChangeKind.METADATA_CHANGED, "updated", "2023-01-01", "2023-02-01"),
        (ChangeKind.LEGEND_CHANGED, "A", "Approuve", "approuve."),
    ]
    assert {c.severity for c in diff.changes} == {ChangeSeverity.EDITORIAL}
    assert not diff.has_shifts


def test_a_letter_redefined_is_a_change_a_reviewer_sees() -> None:
    """A now means something else in every cell that holds it: not wording noise."""
    diff = diff_of(("| A : Approuve |", "| A : Rend compte |"))

    assert [(c.kind, c.severity, c.field, c.before, c.after) for c in diff.changes] == [
        (
            ChangeKind.LEGEND_DEFINITION_CHANGED,
            ChangeSeverity.MINOR,
            "A",
            "Approuve",
            "Rend compte",
        ),
    ]
    assert diff.has_shifts


def test_findings_introduced_and_resolved() -> None:
    """Lint deltas follow the activity across rewording and ignore line shifts."""
    diff = diff_of(
        ("### 1. Avant", "Intro.\n\n### 1. Avant"),
        (
            "| Choisir la localisation du service | RA | I |",
            "| Choisir la localisation du service | A | I |",
        ),
        (
            "| Mettre à jour le control plane | C | RA |",
            "| Mettre à jour le control plane | C | R |",
        ),
    )

    assert [f.rule for f in diff.findings.introduced] == ["no-responsible", "no-accountable"]
    assert diff.findings.resolved == ()


def test_role_labels() -> None:
    assert role_labels("RA", "C") == (
        "responsibility-lost",
        "accountability-lost",
        "consulted-gained",
    )
    assert role_labels("", "") == ()
