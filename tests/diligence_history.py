"""A real git history for the diligence tests, committed on the days the pages carry.

managed-kubernetes (fr-fr): the real 2023-07-06 page (committed that day), then a flip of
business continuity to the customer (08-01) and its flip back (09-01) with the incident row
reworded, the incident row's A and R moved to the customer (10-01), and on 11-15 a silent edit
(still `updated: 2023-10-01`) that adds a row, removes one OVHcloud held RA, and makes OVHcloud
consulted instead of informed on the choice of location. fr-ca: the real
2023-07-06 page. logs-data-platform: en-gb and fr-fr real 2023-01-26 pages; en-gb's install row
moves to the customer on 2023-10-05.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.gitrepo import GitRepo
from tests.helpers import corpus_page

KUBE = "pages/managed_kubernetes/responsibility-model/guide.{locale}.md"
LOGS = "pages/logs-data-platform/responsibility-model/guide.{locale}.md"
SEED = corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md").decode("utf-8")
CONTINUITY = "Déployer la politique de continuité d’activité sur le service Kubernetes managé"
INCIDENT = "Intervenir sur un incident affectant le service Managed Kubernetes"
INCIDENT_V3 = "Intervenir sur tout incident qui affecte le service Managed Kubernetes managé"
INSTALL = (
    "Installer le cluster Kubernetes Managé selon la configuration initiale demandée par le client"
)
LOCATION = "Choisir la localisation du service"
ADDED = "Sauvegarder les volumes persistants"
LOGS_INSTALL = "Install, configure, and deliver functional components of the service"


def noon(day: str) -> int:
    return int(datetime.fromisoformat(f"{day}T12:00:00+00:00").astimezone(UTC).timestamp())


def edit(text: str, date: str, *replacements: tuple[str, str]) -> str:
    text = text.replace("updated: 2023-07-06", f"updated: {date}")
    for before, after in replacements:
        assert before in text, before
        text = text.replace(before, after)
    return text


def build(root: Path) -> dict[str, str]:
    """The upstream repository and `raci-tracker.toml` in `root`; returns the commits by name."""
    repo = GitRepo(root / "upstream")
    logs_en = corpus_page("logs-data-platform/en-gb/2023-01-26__08070d4.md").decode("utf-8")
    steps = [
        ("logs", "2023-01-26", {"en-gb": logs_en, "fr-fr": _logs_fr()}, LOGS),
        ("seed", "2023-07-06", {"fr-fr": SEED, "fr-ca": _kube_ca()}, KUBE),
        ("flip", "2023-08-01", {"fr-fr": edit(SEED, "2023-08-01", _flip())}, KUBE),
        ("flip-back", "2023-09-01", {"fr-fr": edit(SEED, "2023-09-01", _reword())}, KUBE),
        ("transfer", "2023-10-01", {"fr-fr": _moved()}, KUBE),
        ("logs-move", "2023-10-05", {"en-gb": _logs_moved(logs_en)}, LOGS),
        ("silent", "2023-11-15", {"fr-fr": _silent()}, KUBE),
    ]
    commits = {}
    for name, day, pages, path in steps:
        for locale, text in pages.items():
            repo.write(path.format(locale=locale), text)
        commits[name] = repo.commit(name, at=noon(day))
    (root / "raci-tracker.toml").write_text(CONFIG, encoding="utf-8")
    return commits


CONFIG = f"""\
[[documents]]
id = "managed-kubernetes"
repo = "upstream"
path = "{KUBE}"
locales = ["fr-fr", "fr-ca"]
permalink = "https://github.com/ovh/docs/blob/{{commit}}/{{path}}"

[[documents]]
id = "logs-data-platform"
repo = "upstream"
path = "{LOGS}"
locales = ["en-gb", "fr-fr"]
"""


def _logs_fr() -> str:
    return corpus_page("logs-data-platform/fr-fr/2023-01-26__08070d4.md").decode("utf-8")


def _kube_ca() -> str:
    return corpus_page("managed-kubernetes/fr-ca/2023-07-06__62f81ab.md").decode("utf-8")


def _flip() -> tuple[str, str]:
    return (f"{CONTINUITY} |  | RA |", f"{CONTINUITY} | RA | I |")


def _reword() -> tuple[str, str]:
    return (f"| {INCIDENT} |", f"| {INCIDENT_V3} |")


def _moved() -> str:
    return edit(SEED, "2023-10-01", (f"| {INCIDENT} |  | RA |", f"| {INCIDENT_V3} | RA | I |"))


def _silent() -> str:
    """Still dated 2023-10-01: a row added, and the install row (OVHcloud RA) removed."""
    text = _moved().replace(
        f"{INCIDENT_V3} | RA | I |", f"{INCIDENT_V3} | RA | I |\n| {ADDED} | RA | I |"
    )
    text = text.replace(f"| {LOCATION} | RA | I |", f"| {LOCATION} | RA | C |")
    return text.replace(f"| {INSTALL} | I | RA |\n", "")


def _logs_moved(text: str) -> str:
    return text.replace(f"| {LOGS_INSTALL} | I | RA |", f"| {LOGS_INSTALL} | RA | I |")
