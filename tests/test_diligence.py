"""Diligence views on a real multi-revision history: net change since a date with the commits
that made it, the matrix in force, and locales that disagree."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from raci_tracker.cli import main
from tests.gitrepo import GitRepo
from tests.helpers import CORPUS, corpus_page

PAGE = "pages/managed_kubernetes/responsibility-model/guide.fr-fr.md"
SEED = corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md").decode("utf-8")
CONTINUITY = "Déployer la politique de continuité d’activité sur le service Kubernetes managé"
INCIDENT = "Intervenir sur un incident affectant le service Managed Kubernetes"
INCIDENT_V2 = "Intervenir sur tout incident affectant le service Managed Kubernetes"
INCIDENT_V3 = "Intervenir sur tout incident qui affecte le service Managed Kubernetes managé"


def edit(text: str, date: str, *replacements: tuple[str, str]) -> str:
    text = text.replace("updated: 2023-07-06", f"updated: {date}")
    for before, after in replacements:
        assert before in text, before
        text = text.replace(before, after)
    return text


@pytest.fixture
def history(tmp_path: Path) -> dict[str, str]:
    """The real 2023-07 revisions, then: a flip (08-01) and its flip back (09-01) on business
    continuity, an incident row reworded twice, its A and R moved to the customer (10-01) and a
    row added the same day without a new date (a silent edit)."""
    repo = GitRepo(tmp_path / "upstream")
    commits = {}
    for name in ("2023-07-05__2255c02", "2023-07-05__bdd59f0", "2023-07-06__seed"):
        commits[name] = repo.save(PAGE, corpus_page(f"managed-kubernetes/fr-fr/{name}.md"))
    flipped = edit(
        SEED,
        "2023-08-01",
        (f"{CONTINUITY} |  | RA |", f"{CONTINUITY} | RA | I |"),
        (INCIDENT, INCIDENT_V2),
    )
    commits["flip"] = repo.save(PAGE, flipped)
    commits["flip-back"] = repo.save(
        PAGE, edit(SEED, "2023-09-01", (f"| {INCIDENT} |", f"| {INCIDENT_V3} |"))
    )
    moved = edit(SEED, "2023-10-01", (f"| {INCIDENT} |  | RA |", f"| {INCIDENT_V3} | RA | I |"))
    commits["transfer"] = repo.save(PAGE, moved)
    commits["silent"] = repo.save(
        PAGE,
        moved.replace(
            f"{INCIDENT_V3} | RA | I |",
            f"{INCIDENT_V3} | RA | I |\n| Sauvegarder les volumes persistants | RA | I |",
        ),
    )
    (tmp_path / "raci-tracker.toml").write_text(
        f"""\
[[documents]]
id = "managed-kubernetes"
repo = "upstream"
path = "{PAGE}"
locales = ["fr-fr"]
permalink = "https://github.com/ovh/docs/blob/{{commit}}/{{path}}"
""",
        encoding="utf-8",
    )
    run("run", "--config", str(tmp_path / "raci-tracker.toml"))
    return commits


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    return int(done.value.code or 0)


def compare(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(
        "compare",
        "--config",
        str(tmp_path / "raci-tracker.toml"),
        "--doc",
        "managed-kubernetes",
        *args,
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_net_change_since_a_date_cites_its_commits(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Since 2023-07-06: the incident row's A and R moved to the customer, a row was added in a
    silent edit; the flip and flip-back on continuity is not there."""
    code, out, _ = compare(
        tmp_path, capsys, "--from", "2023-07-06", "--to", "2023-12-31", "--format", "json"
    )
    data = json.loads(out)
    shifts = [c for c in data["changes"] if c["severity"] != "editorial"]

    assert code == 0
    assert data["from"]["date"] == "2023-07-06"
    assert data["to"]["date"] == "2023-10-01"
    assert [(c["kind"], c["party"], c["before"], c["after"]) for c in shifts] == [
        ("role-changed", "customer", "", "RA"),
        ("role-changed", "provider", "RA", "I"),
        ("activity-added", None, None, None),
    ]
    assert {c["activity"] for c in shifts[:2]} == {INCIDENT_V3}
    assert all(c["commits"][0]["commit"] == history["transfer"] for c in shifts[:2])
    assert shifts[2]["commits"][0]["commit"] == history["silent"]
    assert shifts[2]["commits"][0]["permalink"].startswith(
        f"https://github.com/ovh/docs/blob/{history['silent']}/pages/"
    )
    assert not any(c["activity"] == CONTINUITY for c in data["changes"])


def test_flip_and_flip_back_is_no_change(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = compare(
        tmp_path, capsys, "--from", "2023-07-20", "--to", "2023-09-15", "--format", "json"
    )
    data = json.loads(out)

    assert code == 0
    assert [c["kind"] for c in data["changes"] if c["severity"] != "editorial"] == []
    assert [
        c["kind"] for c in data["changes"] if c["activity"] and "incident" in c["activity"]
    ] == ["activity-reworded"]


def test_grouped_markdown_for_a_procurement_file(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = compare(tmp_path, capsys, "--from", "2023-07-06")

    assert code == 0
    assert "## Ovhcloud" not in out
    assert "## OVHcloud" in out and "### No longer accountable (1)" in out
    assert "## The customer" in out and "### Newly responsible (1)" in out
    assert "### Added activities (1)" in out
    assert f"[`{history['transfer'][:12]}`](https://github.com/ovh/docs/blob/" in out


def test_csv_has_one_row_per_change(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = compare(tmp_path, capsys, "--from", "2023-07-06", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))

    assert [r["kind"] for r in rows if r["severity"] == "major"] == [
        "role-changed",
        "role-changed",
        "activity-added",
    ]
    assert rows[0]["from_date"] == "2023-07-06"
    assert history["transfer"] in {r["commits"] for r in rows}


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("2023-01-01", "no revision is in force on 2023-01-01: the first is dated 2023-07-05"),
        ("2999-01-01", "2999-01-01 is in the future"),
        ("01/07/2023", "--from: '01/07/2023' is not a YYYY-MM-DD date"),
    ],
)
def test_dates_out_of_range_are_errors(
    history: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    start: str,
    message: str,
) -> None:
    code, out, err = compare(tmp_path, capsys, "--from", start)

    assert code == 2
    assert out == ""
    assert message in err


def test_compare_straight_from_a_repository(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = run(
        "compare",
        "--repo",
        str(tmp_path / "upstream"),
        "--path",
        PAGE,
        "--from",
        "2023-07-06",
        "--format",
        "json",
    )
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    assert data["to"]["commit"] == history["silent"]
    assert data["summary"]["major"] == 3


def test_matrix_in_force_for_one_party(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(tmp_path / "raci-tracker.toml")
    capsys.readouterr()
    code = run(
        "matrix",
        "--config",
        config,
        "--doc",
        "managed-kubernetes",
        "--at",
        "2023-08-15",
        "--party",
        "customer",
        "--format",
        "json",
    )
    data = json.loads(capsys.readouterr().out)
    accountable = {a["text"] for a in data["held"]["accountable for"]}

    assert code == 0
    assert data["revision"]["date"] == "2023-08-01"
    assert CONTINUITY in accountable  # the flip was in force that day
    assert [f["rule"] for f in data["findings"]] == ["no-responsible"] * 3

    run("matrix", "--config", config, "--doc", "managed-kubernetes", "--party", "customer")
    text = capsys.readouterr().out
    assert "## The customer is accountable for" in text
    assert INCIDENT_V3 in text

    assert run("matrix", "--config", config, "--doc", "managed-kubernetes", "--party", "x") == 2


def test_locales_of_logs_data_platform_agree(capsys: pytest.CaptureFixture[str]) -> None:
    """Fifteen locales of one commit: no disagreement, nothing missing, the same date."""
    pages = sorted(CORPUS.glob("logs-data-platform/*/2023-01-26__08070d4.md"))
    capsys.readouterr()

    code = run("consistency", "--format", "json", *map(str, pages))
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    assert len(pages) == 15
    assert (data["disagreements"], data["missing"], data["skew"]) == ([], [], [])


def test_locales_that_disagree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Public Cloud Instances in October 2023: de-de lacks a row that the others have at
    different positions; a crafted fr-fr letter change and date skew are reported too."""
    pages = {
        locale: CORPUS / f"public-cloud-instances/{locale}/{name}"
        for locale, name in (
            ("de-de", "2023-10-12__4604041.md"),
            ("en-gb", "2023-10-12__871b6c4.md"),
            ("fr-fr", "2023-10-12__375b516.md"),
        )
    }
    crafted = tmp_path / "fr-fr" / "guide.fr-fr.md"
    crafted.parent.mkdir()
    crafted.write_text(
        pages["fr-fr"]
        .read_text("utf-8")
        .replace("updated: 2023-10-12", "updated: 2023-10-20")
        .replace(
            "| Gérer le plan d’adressage IP et choisir les protocoles réseaux adéquats | RA | I |",
            "| Gérer le plan d’adressage IP et choisir les protocoles réseaux adéquats | I | RA |",
        ),
        encoding="utf-8",
    )
    capsys.readouterr()

    code = run(
        "consistency", "--format", "json", str(pages["de-de"]), str(pages["en-gb"]), str(crafted)
    )
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    assert [(m["section"], m["position"], m["present"], m["absent"]) for m in data["missing"]] == [
        ("3.1.5", 3, ["en-gb", "fr-fr"], ["de-de"])
    ]
    (disagreement,) = data["disagreements"]
    assert (disagreement["section"], disagreement["position"]) == ("3.1.5", 1)
    assert disagreement["assignments"]["fr-fr"] == {"customer": "I", "provider": "RA"}
    assert disagreement["assignments"]["de-de"] == {"customer": "RA", "provider": "I"}
    assert data["skew"] == [
        {"locale": "de-de", "updated": "2023-10-12"},
        {"locale": "en-gb", "updated": "2023-10-12"},
        {"locale": "fr-fr", "updated": "2023-10-20"},
    ]


def test_consistency_from_the_store_and_in_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "upstream")
    for locale in ("en-gb", "fr-fr"):
        repo.save(
            f"guide.{locale}.md", corpus_page(f"logs-data-platform/{locale}/2023-01-26__08070d4.md")
        )
    config = tmp_path / "raci-tracker.toml"
    config.write_text(
        '[[documents]]\nid = "ldp"\nrepo = "upstream"\npath = "guide.{locale}.md"\n'
        'locales = ["en-gb", "fr-fr"]\n',
        encoding="utf-8",
    )
    run("run", "--config", str(config))
    capsys.readouterr()

    code = run("consistency", "--config", str(config), "--doc", "ldp")
    out = capsys.readouterr().out

    assert code == 0
    assert "## Letters that differ (0)" in out
    assert (tmp_path / "reports/ldp/consistency.html").exists()
    assert "ldp/consistency.html" in (tmp_path / "reports/index.md").read_text("utf-8")
