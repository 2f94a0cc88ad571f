"""Diligence on a real git history committed on the days its pages carry: the net change since
a date (in force means published, so a silent edit after it counts), losses by removal, every
page at once, one activity's history, the matrix in force, and locales that disagree."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from tests import diligence_history as h
from tests.gitrepo import GitRepo
from tests.helpers import CORPUS, corpus_page, run_cli


@pytest.fixture
def history(tmp_path: Path) -> dict[str, str]:
    commits = h.build(tmp_path)
    assert run_cli("run", "--config", str(tmp_path / "raci-tracker.toml")) == 0
    return commits


def command(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run_cli(*args[:1], "--config", str(tmp_path / "raci-tracker.toml"), *args[1:])
    out, err = capsys.readouterr()
    return code, out, err


def compare(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return command(tmp_path, capsys, "compare", "--doc", "managed-kubernetes", *args)


def compare_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    code, out, err = compare(tmp_path, capsys, *args, "--format", "json")
    assert (code, err) == (0, "")
    return dict(json.loads(out))


def rows_of(data: dict) -> list[tuple[str, object, object]]:  # type: ignore[type-arg]
    return [(r["activity"], r["before"], r["after"]) for r in data["rows"]]


PROVIDER_RA = {"customer": "I", "provider": "RA"}
CUSTOMER_RA = {"customer": "RA", "provider": "I"}


def test_a_silent_edit_after_the_date_counts_and_a_removal_is_a_loss(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On 2023-10-15 the text in force is the 2023-10-01 one; the silent edit committed on
    2023-11-15 (still dated 2023-10-01) removed the install row OVHcloud held RA, added a row
    and made OVHcloud consulted on the location."""
    data = compare_json(tmp_path, capsys, "--from", "2023-10-15", "--to", "2023-12-01")

    assert data["from"] == {
        "date": "2023-10-15",
        "commit": history["transfer"],
        "committed": "2023-10-01",
        "path": h.KUBE.format(locale="fr-fr"),
        "revision": "2023-10-01",
        "updated": "2023-10-01",
    }
    assert (data["to"]["commit"], data["to"]["committed"]) == (history["silent"], "2023-11-15")
    assert data["to"]["revision"] == "2023-10-01"
    assert rows_of(data) == [
        (h.LOCATION, {"customer": "RA", "provider": "I"}, {"customer": "RA", "provider": "C"}),
        (h.INSTALL, PROVIDER_RA, None),
        (h.ADDED, None, CUSTOMER_RA),
    ]
    assert {c["commit"] for r in data["rows"] for c in r["commits"]} == {history["silent"]}
    assert {c["date"] for r in data["rows"] for c in r["commits"]} == {"2023-11-15"}
    assert data["summary"]["parties"]["provider"] == {
        "accountable_gained": 0,
        "accountable_lost": 1,
        "responsible_gained": 0,
        "responsible_lost": 1,
    }
    assert data["summary"]["parties"]["customer"]["accountable_gained"] == 1


def test_reworded_then_moved_and_a_move_and_move_back(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The incident row was reworded on 09-01, then moved to the customer on 10-01: one row,
    cited at the move. Continuity flipped on 08-01 and back on 09-01: no row."""
    data = compare_json(tmp_path, capsys, "--from", "2023-07-06", "--to", "2023-10-31")
    flip = compare_json(tmp_path, capsys, "--from", "2023-07-20", "--to", "2023-09-15")

    (row,) = data["rows"]
    assert (row["activity"], row["previous_activity"]) == (h.INCIDENT_V3, h.INCIDENT)
    assert (row["before"], row["after"]) == ({"customer": "", "provider": "RA"}, CUSTOMER_RA)
    assert row["transfers"] == [{"role": "RA", "from": "provider", "to": "customer"}]
    assert [(c["commit"], c["date"]) for c in row["commits"]] == [
        (history["transfer"], "2023-10-01")
    ]
    assert flip["rows"] == [] and flip["summary"]["parties"] == {}
    assert [c["kind"] for c in flip["changes"] if c["activity"] == h.INCIDENT_V3] == [
        "activity-reworded"
    ]


def test_markdown_and_html_give_one_row_per_activity(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, md, _ = compare(tmp_path, capsys, "--from", "2023-07-06", "--to", "2023-12-01")
    _, html, _ = compare(
        tmp_path, capsys, "--from", "2023-07-06", "--to", "2023-12-01", "--format", "html"
    )

    header = (
        "| Activity | Section | Before (all parties) | After (all parties) | What moved | When |"
    )
    assert header in md
    assert md.count("R and A moved from OVHcloud to the customer") == 1
    assert html.count("R and A moved from OVHcloud to the customer") == 1
    assert f"In force on 2023-07-06: the version of commit [`{history['seed'][:12]}`]" in md
    assert "committed 2023-07-06, published under `updated: 2023-07-06`" in md
    assert "committed 2023-11-15, published under `updated: 2023-10-01`" in md
    assert (
        "- **OVHcloud: no longer accountable** (2): "
        + h.INSTALL
        + " (section 2.1 Installer le service, activity removed)"
        in md
    )
    for text in (h.LOCATION, "now consulted (C)", "no longer informed (I)", h.ADDED):
        assert text in md and text in html, text
    assert html.count("<tr>") == 1 + 4  # the header, and one row per activity
    assert '<td class="held">the customer RA, OVHcloud <span class="gained">C</span></td>' in html


def test_csv_rows_keep_who_held_an_added_or_removed_activity(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = compare(tmp_path, capsys, "--from", "2023-10-15", "--format", "csv")
    rows = {r["activity"]: r for r in csv.DictReader(io.StringIO(out))}

    removed, added = rows[h.INSTALL], rows[h.ADDED]
    assert (removed["before"], removed["after"]) == (
        "the customer: I; OVHcloud: RA",
        "(none: not listed)",
    )
    assert (added["before"], added["after"]) == (
        "(none: not listed)",
        "the customer: RA; OVHcloud: I",
    )
    assert (removed["moved"], added["moved"]) == ("activity removed", "activity added")
    assert removed["commits"] == history["silent"] and removed["when"] == "2023-11-15"
    assert removed["from_commit"] == history["transfer"]
    assert rows[h.LOCATION]["moved"] == "OVHcloud: now consulted (C), no longer informed (I)"
    assert (removed["section"], removed["section_title"]) == ("2.1", "Installer le service")


def test_compare_json_gives_each_row_and_change_its_section_title(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = compare_json(tmp_path, capsys, "--from", "2023-10-15")

    row = next(r for r in data["rows"] if r["activity"] == h.INSTALL)
    change = next(c for c in data["changes"] if c["activity"] == h.INSTALL)
    assert (row["section"], row["section_title"]) == ("2.1", "Installer le service")
    assert (change["kind"], change["section_title"]) == ("activity-removed", "Installer le service")
    assert all("previous_section_title" in c for c in data["changes"])


def test_from_before_the_first_version_says_the_page_did_not_exist(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = compare(tmp_path, capsys, "--from", "2023-07-01", "--to", "2023-07-10")
    data = compare_json(tmp_path, capsys, "--from", "2023-07-01", "--to", "2023-07-10")

    assert (code, err) == (0, "")
    assert "On 2023-07-01 the page did not exist yet" in out
    assert data["from"]["commit"] is None and data["to"]["commit"] == history["seed"]
    assert len(data["rows"]) == data["summary"]["activities_added"] == 58
    assert all(r["before"] is None for r in data["rows"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--from", "2023-09-01", "--to", "2023-08-01"),
            "--to 2023-08-01 is before --from 2023-09-01",
        ),
        (("--from", "2999-01-01"), "--from: 2999-01-01 is in the future"),
        (("--from", "2023-01-01", "--to", "2999-01-01"), "--to: 2999-01-01 is in the future"),
        (("--from", "01/07/2023"), "--from: '01/07/2023' is not a YYYY-MM-DD date"),
        (("--from", "2023-01-01", "--to", "2023-02-01"), "did not exist yet on 2023-02-01"),
    ],
)
def test_dates_that_cannot_be_answered_exit_2(
    history: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    code, out, err = compare(tmp_path, capsys, *args)

    assert (code, out) == (2, "")
    assert message in err


def test_help_says_dates_are_yyyy_mm_dd(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("compare", "matrix", "consistency"):
        capsys.readouterr()
        assert run_cli(name, "--help") == 0
        assert "YYYY-MM-DD" in capsys.readouterr().out, name


def test_every_page_at_once(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two documents, two locales each: the logs-data-platform en-gb move was a silent edit
    of its 2023-01-26 revision, committed on 2023-10-05."""
    code, out, _ = command(tmp_path, capsys, "compare", "--from", "2023-09-01", "--format", "json")
    data = json.loads(out)
    pages = {(p["document"], p["locale"]): p for p in data["pages"]}

    assert code == 0
    assert list(pages) == [
        ("managed-kubernetes", "fr-fr"),
        ("managed-kubernetes", "fr-ca"),
        ("logs-data-platform", "en-gb"),
        ("logs-data-platform", "fr-fr"),
    ]
    (logs,) = pages[("logs-data-platform", "en-gb")]["rows"]
    assert (logs["activity"], logs["before"], logs["after"]) == (
        h.LOGS_INSTALL,
        PROVIDER_RA,
        CUSTOMER_RA,
    )
    assert logs["commits"][0]["commit"] == history["logs-move"]
    assert pages[("managed-kubernetes", "fr-ca")]["rows"] == []
    summary = data["summary"]
    assert summary["page_count"] == 4 and summary["absent"] == []
    assert summary["documents"]["managed-kubernetes"]["provider"]["accountable_lost"] == 2
    assert summary["documents"]["logs-data-platform"]["provider"]["responsible_lost"] == 1

    _, md, _ = command(tmp_path, capsys, "compare", "--from", "2023-09-01")
    assert md.index("| managed-kubernetes | OVHcloud | 2 | 0 | 2 | 0 |") < md.index(
        "## managed-kubernetes (fr-fr)"
    )
    assert "## logs-data-platform (en-gb)" in md
    _, html, _ = command(tmp_path, capsys, "compare", "--from", "2023-09-01", "--format", "html")
    assert html.count("<section>") == 4 and "<td>logs-data-platform</td>" in html
    _, table, _ = command(tmp_path, capsys, "compare", "--from", "2023-09-01", "--format", "csv")
    located = [(r["document"], r["locale"]) for r in csv.DictReader(io.StringIO(table))]
    assert located == [("managed-kubernetes", "fr-fr")] * 4 + [("logs-data-platform", "en-gb")]


def test_a_page_not_yet_published_is_listed_apart(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = command(
        tmp_path,
        capsys,
        "compare",
        "--from",
        "2023-02-01",
        "--to",
        "2023-03-01",
        "--format",
        "json",
    )
    data = json.loads(out)

    assert code == 0
    assert [p["document"] for p in data["pages"]] == ["logs-data-platform"] * 2
    assert [a["locale"] for a in data["summary"]["absent"]] == ["fr-fr", "fr-ca"]
    assert "did not exist yet on 2023-03-01" in data["summary"]["absent"][0]["reason"]


def test_compare_straight_from_a_repository(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = run_cli(
        "compare",
        "--repo",
        str(tmp_path / "upstream"),
        "--path",
        h.KUBE.format(locale="fr-fr"),
        "--from",
        "2023-10-15",
        "--format",
        "json",
    )
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    assert data["to"]["commit"] == history["silent"]
    assert data["summary"]["activities_removed"] == 1


def test_history_of_one_activity_through_a_rewording_and_a_move(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = command(
        tmp_path,
        capsys,
        "history-of",
        "incident qui AFFECTE",
        "--doc",
        "managed-kubernetes",
        "--format",
        "json",
    )
    (found,) = json.loads(out)["activities"]

    assert code == 0
    assert found["texts"] == [h.INCIDENT, h.INCIDENT_V3]
    assert [
        (c["committed"], c["before"], c["after"], c["commit"]["commit"]) for c in found["changes"]
    ] == [
        ("2023-07-06", None, {"customer": "", "provider": "RA"}, history["seed"]),
        ("2023-10-01", {"customer": "", "provider": "RA"}, CUSTOMER_RA, history["transfer"]),
    ]
    _, md, _ = command(
        tmp_path, capsys, "history-of", h.INSTALL[:30], "--doc", "managed-kubernetes"
    )
    assert f"## {h.INSTALL} (removed)" in md
    assert (
        "| 2023-11-15 | 2023-10-01 | 2.1 | the customer I, OVHcloud RA | (not listed) | "
        f"[`{history['silent'][:12]}`]" in md
    )
    code, out, err = command(
        tmp_path, capsys, "history-of", "no such row", "--doc", "managed-kubernetes"
    )
    assert (code, out) == (2, "")
    assert "has the id or contains 'no such row'" in err


def test_matrix_in_force_is_the_text_published_by_that_day(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def matrix(at: str) -> dict:  # type: ignore[type-arg]
        code, out, _ = command(
            tmp_path,
            capsys,
            "matrix",
            "--doc",
            "managed-kubernetes",
            "--at",
            at,
            "--party",
            "customer",
            "--format",
            "json",
        )
        assert code == 0
        return dict(json.loads(out))

    before_silent, after_silent, flipped = (
        matrix("2023-11-01"),
        matrix("2023-11-15"),
        matrix("2023-08-15"),
    )

    assert before_silent["revision"]["date"] == after_silent["revision"]["date"] == "2023-10-01"
    assert before_silent["in_force"]["commit"] == history["transfer"]
    assert after_silent["in_force"] == {
        "commit": history["silent"],
        "committed": "2023-11-15",
        "path": h.KUBE.format(locale="fr-fr"),
    }
    accountable = [
        {a["text"] for a in m["held"]["accountable for"]} for m in (before_silent, after_silent)
    ]
    assert h.ADDED not in accountable[0] and h.ADDED in accountable[1]
    assert h.CONTINUITY in {a["text"] for a in flipped["held"]["accountable for"]}
    code, _, err = command(
        tmp_path, capsys, "matrix", "--doc", "managed-kubernetes", "--at", "2023-07-01"
    )
    assert code == 2 and "did not exist yet on 2023-07-01" in err


def test_locales_of_logs_data_platform_agree(capsys: pytest.CaptureFixture[str]) -> None:
    """Fifteen locales of one commit: no disagreement, nothing missing, the same date."""
    pages = sorted(CORPUS.glob("logs-data-platform/*/2023-01-26__08070d4.md"))
    capsys.readouterr()

    code = run_cli("consistency", "--format", "json", *map(str, pages))
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

    code = run_cli(
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
    run_cli("run", "--config", str(config))
    capsys.readouterr()

    code = run_cli("consistency", "--config", str(config), "--doc", "ldp")
    out = capsys.readouterr().out

    assert code == 0
    assert "0 rows have letters that differ" in out
    assert "The locales agree" in out
    assert (tmp_path / "reports/ldp/consistency.html").exists()
    assert "ldp/consistency.md" in (tmp_path / "reports/index.md").read_text("utf-8")


def test_the_readme_diligence_excerpts_are_what_compare_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portfolio report excerpts in the README's diligence section are real: `compare` on
    the sample history prints them word for word."""
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Diligence") :]
    excerpts = re.findall(r"```md\n(.*?)```", section, flags=re.DOTALL)
    shutil.copy(root / "raci-tracker.toml", tmp_path)
    shutil.copytree(root / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    assert run_cli("run", "--no-progress") == 0
    capsys.readouterr()

    assert run_cli("compare", "--from", "2023-01-01", "--to", "2023-12-31") == 0
    out = capsys.readouterr().out

    assert len(excerpts) == 2
    for excerpt in excerpts:
        assert excerpt in out


def test_page_text_is_escaped_in_every_compare_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "up")
    hostile = "<script>alert(1)</script> | =cmd"
    for day, letters in (("2024-01-01", "| I | RA |"), ("2024-02-01", "| RA | I |")):
        repo.write(
            "guide.en-gb.md",
            f"---\nupdated: {day}\n---\n# R\n\n## 1. Run\n\n| Activity | Customer | OVHcloud |\n"
            f"| --- | --- | --- |\n| {hostile.replace('|', chr(92) + '|')} {letters}\n",
        )
        repo.commit(day, at=h.noon(day))
    out = {}
    for output_format in ("md", "html", "csv"):
        capsys.readouterr()
        args = ["--repo", str(repo.root), "--path", "guide.en-gb.md", "--from", "2024-01-15"]
        assert run_cli("compare", *args, "--format", output_format) == 0
        out[output_format] = capsys.readouterr().out

    assert "<script>" not in out["html"] and "&lt;script&gt;alert(1)&lt;/script&gt;" in out["html"]
    assert "&amp;lt;" not in out["html"]
    assert "\\<script\\>alert(1)\\</script\\> \\| =cmd" in out["md"]
    assert "<script>alert(1)</script> | =cmd" in out["csv"]


def test_a_page_deleted_after_the_date_loses_everything_it_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = GitRepo(tmp_path / "up")
    repo.write("guide.fr-fr.md", h.SEED)
    repo.commit("add", at=h.noon("2023-07-06"))
    repo.git("rm", "-q", "guide.fr-fr.md")
    deleted = repo.commit("remove", at=h.noon("2023-12-01"))
    args = ["--repo", str(repo.root), "--path", "guide.fr-fr.md", "--from", "2023-08-01"]
    capsys.readouterr()

    assert run_cli("compare", *args, "--to", "2023-12-31", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert run_cli("compare", *args, "--to", "2023-12-31") == 0
    out = capsys.readouterr().out

    assert data["to"]["commit"] == deleted
    assert len(data["rows"]) == data["summary"]["activities_removed"] == 58
    assert all(row["after"] is None for row in data["rows"])
    assert data["summary"]["parties"]["provider"]["accountable_lost"] == 19
    assert f"on 2023-12-31 the page was deleted (commit `{deleted[:12]}`" in out


def test_page_options_without_their_page_are_usage_errors(
    history: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = command(tmp_path, capsys, "compare", "--from", "2023-09-01", "--locale", "x")

    assert (code, out) == (2, "")
    assert "--locale goes with --doc" in err
