"""Rebuild examples/sample-docs.bundle: a small docs repository made of real page revisions.

    python scripts/build_sample_bundle.py [OUTPUT]

The revisions are real ovh/docs texts from tests/fixtures/corpus, committed in date order at
their real paths, so the sample shows what raci-tracker meets upstream: the Managed Kubernetes
page moving between folders with a silent edit, a second locale of it, Logs Data Platform in two
locales with a transfer of A and R to the customer, Block Storage under a path with spaces and
then moved, and Public Cloud Instances with silent edits and an added row. Authors and dates are
fixed, so the commits are the same every time the bundle is rebuilt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests/fixtures/corpus"
OUTPUT = ROOT / "examples/sample-docs.bundle"

MK_OLD = "pages/platform/kubernetes-k8s/responsibility-model/guide.{}.md"
MK_NEW = "pages/public_cloud/containers_orchestration/managed_kubernetes/" + MK_OLD.split("/", 3)[3]
LDP = "pages/platform/logs-data-platform/responsibility-model/guide.{}.md"
BS_OLD = "pages/platform/public-cloud/responsbility model for block storage/guide.{}.md"
BS_NEW = "pages/platform/public-cloud/responsibility-model-block-storage/guide.{}.md"
PCI_OLD = "pages/platform/public-cloud/responsibility-model-instances/guide.{}.md"
PCI_NEW = "pages/public_cloud/compute/responsibility-model-instances/guide.{}.md"

# (commit date, message, [("write", path, corpus file) | ("move", old path, new path)])
HISTORY = [
    (
        "2022-07-28",
        "Add the Logs Data Platform responsibility model",
        [("write", LDP.format("fr-fr"), "logs-data-platform/fr-fr/unknown__93f68c9.md")],
    ),
    (
        "2022-11-22",
        "Add the Block Storage RACI",
        [("write", BS_OLD.format("fr-fr"), "block-storage/fr-fr/unknown__3217656.md")],
    ),
    (
        "2022-11-24",
        "Block Storage RACI: review",
        [("write", BS_OLD.format("fr-fr"), "block-storage/fr-fr/unknown__06a3e6f.md")],
    ),
    (
        "2022-11-25",
        "Move the Block Storage RACI",
        [("move", BS_OLD.format("fr-fr"), BS_NEW.format("fr-fr"))],
    ),
    (
        "2022-11-28",
        "Block Storage RACI: slug and order",
        [("write", BS_NEW.format("fr-fr"), "block-storage/fr-fr/unknown__025ffae.md")],
    ),
    (
        "2022-12-22",
        "Add the Public Cloud Instances RACI",
        [("write", PCI_OLD.format("en-gb"), "public-cloud-instances/en-gb/unknown__1671ff3.md")],
    ),
    (
        "2022-12-23",
        "Public Cloud Instances RACI: front matter",
        [("write", PCI_OLD.format("en-gb"), "public-cloud-instances/en-gb/2022-12-22__02ab130.md")],
    ),
    (
        "2023-01-26",
        "Logs Data Platform: audit trails",
        [("write", LDP.format("fr-fr"), "logs-data-platform/fr-fr/unknown__bfe2525.md")],
    ),
    (
        "2023-01-27",
        "Logs Data Platform: front matter, English page",
        [
            ("write", LDP.format("fr-fr"), "logs-data-platform/fr-fr/2023-01-26__08070d4.md"),
            ("write", LDP.format("en-gb"), "logs-data-platform/en-gb/2023-01-26__08070d4.md"),
        ],
    ),
    (
        "2023-07-05",
        "Add the Managed Kubernetes RACI",
        [("write", MK_OLD.format("fr-fr"), "managed-kubernetes/fr-fr/2023-07-05__2255c02.md")],
    ),
    (
        "2023-07-05",
        "Managed Kubernetes RACI: wording",
        [("write", MK_OLD.format("fr-fr"), "managed-kubernetes/fr-fr/2023-07-05__bdd59f0.md")],
    ),
    (
        "2023-07-06",
        "Move Managed Kubernetes pages to public_cloud",
        [("move", MK_OLD.format("fr-fr"), MK_NEW.format("fr-fr"))],
    ),
    (
        "2023-07-06",
        "Managed Kubernetes RACI: proofreading, fr-ca",
        [
            ("write", MK_NEW.format("fr-fr"), "managed-kubernetes/fr-fr/2023-07-06__seed.md"),
            ("write", MK_NEW.format("fr-ca"), "managed-kubernetes/fr-ca/2023-07-06__62f81ab.md"),
        ],
    ),
    (
        "2023-10-12",
        "Move Public Cloud Instances pages to public_cloud/compute",
        [("move", PCI_OLD.format("en-gb"), PCI_NEW.format("en-gb"))],
    ),
    (
        "2023-10-12",
        "Public Cloud Instances RACI: network filtering",
        [("write", PCI_NEW.format("en-gb"), "public-cloud-instances/en-gb/2023-10-12__36c6971.md")],
    ),
    (
        "2023-10-13",
        "Public Cloud Instances RACI: typos",
        [("write", PCI_NEW.format("en-gb"), "public-cloud-instances/en-gb/2023-10-12__871b6c4.md")],
    ),
]


def git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        stamp = f"{date}T10:00:00+00:00"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def apply(repo: Path, step: tuple[str, str, str]) -> None:
    action, first, second = step
    if action == "write":
        target = repo / first
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((CORPUS / second).read_bytes())
    else:
        (repo / second).parent.mkdir(parents=True, exist_ok=True)
        git(repo, "mv", first, second)


def build(output: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch)
        git(repo, "init", "-q", "-b", "develop")
        git(repo, "config", "user.name", "Docs Writer")
        git(repo, "config", "user.email", "docs@example.invalid")
        (repo / "README.md").write_text("Sample documentation repository.\n", encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "Start the documentation", date="2022-07-01")
        for date, message, steps in HISTORY:
            for step in steps:
                apply(repo, step)
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", message, date=date)
        output.parent.mkdir(parents=True, exist_ok=True)
        git(repo, "bundle", "create", str(output.resolve()), "HEAD", "develop")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
