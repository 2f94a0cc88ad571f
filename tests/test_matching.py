"""The similarity behind rewording detection, calibrated on the corpus's real rewordings."""

from __future__ import annotations

import pytest

from raci_tracker.compare.matching import (
    POSITION_FLOOR,
    REWORDED_ANYWHERE,
    REWORDED_SAME_SECTION,
    similarity,
)

# (before, after) pairs that are the same activity in consecutive real revisions.
REWORDINGS = [
    (
        "Gérer des accès à l'espace client OVHcloud (Control Plane)",
        "Gérer des accès à l'espace client OVHcloud (Control Plane) "
        "à travers un projet Public Cloud",
    ),
    ("Fournir les données aux containers", "Fournir les données aux conteneurs"),
    ("Manage data immutability", "Ensure data immutability"),
    (
        "Manage network accessibility of the Platform",
        "Ensure network accessibility of the Platform",
    ),
    (
        "Assurer la sécurité des infrastructures de gestion (API, control plane)",
        "Gérer la sécurité de l'infrastructure de gestion (API, control plane)",
    ),
    ("Restaurer les sauvegardes de l'instance", "Restaurer les sauvegardes des volumes de données"),
    (
        "Supprimer les données sur les instances",
        "Supprimer les données sur les volumes de stockage",
    ),
    (
        "Chiffrer les données sensibles du SI dans le cluster kubernetes",
        "Chiffrer les données sensibles du SI dans le cluster Kubernetes",
    ),
]
# Rows removed and added in the same rewritten Block Storage section: different activities.
DIFFERENT = [
    ("Administrer les applicatifs installés sur l'instance", "Administrer le service de stockage"),
    ("Administrer les applicatifs installés sur l'instance", "Administrer les données"),
    (
        "Gérer et monitorer la capacité des services Public Cloud",
        "Suivre les performances des clusters de Block Storage",
    ),
    (
        "Surveiller le bon fonctionnement des logiciels installés sur les instances",
        "Suivre les performances des clusters de Block Storage",
    ),
]
# Re-scoped rows of that section that kept their roles: paired by position, not by wording.
RESCOPED = [
    (
        "Assurer l'accessibilité de l'instance sur le réseau",
        "Assurer l'accessibilité des volumes de données "
        "via les instances auxquelles ils sont attachés",
    ),
    (
        "Réaliser l’ajout / suppression des options ou du matériel sur l'instance",
        "Réaliser l’ajout / suppression des options sur le Service Block Storage (redimensionner, "
        "créer un snapshot, créer un volume backup)",
    ),
]


@pytest.mark.parametrize(("before", "after"), REWORDINGS)
def test_real_rewordings_reach_the_same_section_threshold(before: str, after: str) -> None:
    assert similarity(before, after) >= REWORDED_SAME_SECTION


@pytest.mark.parametrize(("before", "after"), DIFFERENT)
def test_different_activities_are_not_taken_for_rewordings(before: str, after: str) -> None:
    """All below 0.45; only same roles at the same position could pair them."""
    assert similarity(before, after) < 0.45 < REWORDED_SAME_SECTION


@pytest.mark.parametrize(("before", "after"), RESCOPED)
def test_rescoped_rows_pass_only_the_position_floor(before: str, after: str) -> None:
    assert POSITION_FLOOR <= similarity(before, after) < REWORDED_SAME_SECTION


def test_similarity_properties() -> None:
    """Symmetric, 1 for the same folded text, 0 for nothing in common."""
    a, b = REWORDINGS[0]

    assert similarity(a, b) == similarity(b, a)
    assert similarity("Gérer les accès", "gerer  les ACCES") == 1.0
    assert similarity("abc", "xyz") == 0.0
    assert similarity("", "") == 1.0
    assert REWORDED_SAME_SECTION < REWORDED_ANYWHERE
