"""Changes and translations on pages beyond OVHcloud's: renamed parties, rewordings, legends,
and locales whose headers differ."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from textwrap import dedent

import pytest

from raci_tracker.cli import main
from raci_tracker.compare.diff import diff_snapshots
from raci_tracker.compare.diligence import consistency
from raci_tracker.files import guess_locale
from raci_tracker.model import ChangeKind, ChangeSeverity, Diff, Snapshot
from raci_tracker.page.parse import parse_page
from tests.gitrepo import GitRepo
from tests.helpers import FIXTURES

EXTERNAL = FIXTURES / "external"
AUCLOUD = EXTERNAL / "aucloud-shared-responsibility"
I18N = EXTERNAL / "cloud-temple-iaas-i18n"
TEAMS = """\
    ## Alerting

    | Activity | Business | Maintaining Team | Security |
    | --- | --- | --- | --- |
    | Define alert thresholds | A | R | C |
    | Repairing broken alerts | I | RA | C |
    | Review alert coverage | RA | C | I |
    """


def page(text: str) -> Snapshot:
    return parse_page(dedent(text).encode())


def kinds(diff: Diff) -> list[ChangeKind]:
    return [change.kind for change in diff.changes]


def transfers(diff: Diff) -> int:
    return sum(1 for change in diff.changes if change.transfer is not None)


# --- 3. renamed parties ------------------------------------------------------------------------


def test_a_renamed_provider_is_one_editorial_change() -> None:
    """AUCloud (IaaS) -> AUCyber (IaaS): no transfer, no role change, one party-renamed."""
    old, new = (parse_page(path.read_bytes()) for path in sorted(AUCLOUD.glob("2*.md")))
    diff = diff_snapshots(old, new)

    renamed = [c for c in diff.changes if c.kind is ChangeKind.PARTY_RENAMED]
    assert [(c.before, c.after, c.severity) for c in renamed] == [
        ("AUCloud (IaaS)", "AUCyber (IaaS)", ChangeSeverity.EDITORIAL)
    ]
    assert transfers(diff) == 0
    assert ChangeKind.ROLE_CHANGED not in kinds(diff)
    assert not diff.has_shifts


def test_renamed_team_columns_give_no_transfers() -> None:
    """Business -> Customer Business, Maintaining Team -> Detection Owner, same letters."""
    new = TEAMS.replace(
        "| Business | Maintaining Team |", "| Customer Business | Detection Owner |"
    )
    diff = diff_snapshots(page(TEAMS), page(new))

    assert [(c.kind, c.party, c.before, c.after) for c in diff.changes] == [
        (ChangeKind.PARTY_RENAMED, "customer-business", "Business", "Customer Business"),
        (ChangeKind.PARTY_RENAMED, "detection-owner", "Maintaining Team", "Detection Owner"),
    ]


def test_renamed_and_relettered_keeps_the_real_letter_change() -> None:
    new = TEAMS.replace(
        "| Business | Maintaining Team |", "| Customer Business | Detection Owner |"
    )
    new = new.replace(
        "| Review alert coverage | RA | C | I |", "| Review alert coverage | C | RA | I |"
    )
    diff = diff_snapshots(page(TEAMS), page(new))

    roles = [
        (c.party, c.before, c.after) for c in diff.changes if c.kind is ChangeKind.ROLE_CHANGED
    ]
    assert kinds(diff).count(ChangeKind.PARTY_RENAMED) == 2
    assert roles == [("customer-business", "RA", "C"), ("detection-owner", "C", "RA")]
    assert transfers(diff) == 2  # R and A really moved, between the renamed parties


def test_a_column_replaced_by_another_is_not_a_rename() -> None:
    """A new party at the same place with other letters: removed and added, never renamed."""
    new = TEAMS.replace("| Maintaining Team |", "| Finance |")
    new = new.replace("| A | R | C |", "| A | I | C |").replace("| I | RA | C |", "| I | I | C |")
    new = new.replace("| RA | C | I |", "| RA | I | I |")
    diff = diff_snapshots(page(TEAMS), page(new))

    assert ChangeKind.PARTY_RENAMED not in kinds(diff)
    assert {ChangeKind.PARTY_ADDED, ChangeKind.PARTY_REMOVED} <= set(kinds(diff))


def test_diff_on_two_files_pairs_the_rename(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = sorted(AUCLOUD.glob("2*.md"))
    with pytest.raises(SystemExit):
        main(["diff", str(old), str(new), "--format", "json"])
    data = json.loads(capsys.readouterr().out)

    assert [c["kind"] for c in data["changes"]].count("party-renamed") == 1
    assert "role-changed" not in {c["kind"] for c in data["changes"]}


# --- 9. rewordings beyond case -----------------------------------------------------------------


def test_a_reworded_row_with_the_same_letters_pairs() -> None:
    new = TEAMS.replace("Repairing broken alerts", "Repairing alert issue")
    diff = diff_snapshots(page(TEAMS), page(new))

    assert kinds(diff) == [ChangeKind.ACTIVITY_REWORDED]


def test_a_weak_match_never_reports_a_role_change() -> None:
    """Shared words but other letters: a removal and an addition, not a role change."""
    new = TEAMS.replace(
        "| Repairing broken alerts | I | RA | C |", "| Repairing alert issue | RA | I | C |"
    )
    diff = diff_snapshots(page(TEAMS), page(new))

    assert sorted(kinds(diff)) == [ChangeKind.ACTIVITY_ADDED, ChangeKind.ACTIVITY_REMOVED]


# --- real revisions ----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["cloud-temple-iaas", "algosup-vp7-raci"])
def test_real_revisions_invent_no_transfer(folder: str) -> None:
    """Markup rewrites (`__RA__` -> `**RA**`) and edits around the matrix move no letter."""
    snapshots = [parse_page(p.read_bytes()) for p in sorted((EXTERNAL / folder).glob("2*.md"))]
    diffs = [diff_snapshots(a, b) for a, b in itertools.pairwise(snapshots)]

    assert sum(map(transfers, diffs)) == 0
    assert ChangeKind.PARTY_ADDED not in {kind for diff in diffs for kind in kinds(diff)}


def test_line_breaks_removed_from_cells_are_no_rewording() -> None:
    """Cloud Temple's 0c8e37c only removed `<br/>` from cells and realigned the table."""
    folder = EXTERNAL / "cloud-temple-iaas"
    old, new = (
        parse_page((folder / name).read_bytes())
        for name in ("2025-02-03__0386249.md", "2025-08-28__0c8e37c.md")
    )

    assert diff_snapshots(old, new).changes == ()
    assert not [a for a in old.activities if "<br" in a.text]


def test_a_heading_section_added_is_titled_in_the_diff() -> None:
    old = page(TEAMS)
    new = page(
        TEAMS + "\n## Paging\n\n| Activity | Business | Maintaining Team | Security |\n"
        "| --- | --- | --- | --- |\n| Page on-call | I | RA | I |\n"
    )
    diff = diff_snapshots(old, new)

    added = [c for c in diff.changes if c.kind is ChangeKind.SECTION_ADDED]
    assert [(c.section, c.title) for c in added] == [("Paging", "Paging")]


# --- 8. translations ---------------------------------------------------------------------------


def test_docusaurus_paths_name_their_locale() -> None:
    found = {guess_locale(path) for path in I18N.rglob("raci.md")}

    assert found == {None, "en", "de", "es", "it"}  # docs/ holds the default locale


def test_five_locales_with_different_headers_agree() -> None:
    """`Rôle Client`, `Client Role`, `Kundenrolle`, `Rol del Cliente`, `Ruolo Cliente`: one
    customer; the same letters in every locale, so no disagreement."""
    pages = {guess_locale(p) or "fr": parse_page(p.read_bytes()) for p in I18N.rglob("raci.md")}
    result = consistency(pages)

    assert len(result.locales) == 5
    assert (result.disagreements, result.missing) == ((), ())


def test_translated_team_matrices_align_by_party_position() -> None:
    """Team ids differ by language; the Nth team is the same party, so a letter that differs
    is the one disagreement."""
    german = TEAMS.replace("## Alerting", "## Alarmierung").replace(
        "| Business | Maintaining Team | Security |", "| Fachbereich | Betriebsteam | Sicherheit |"
    )
    german = german.replace(
        "| Review alert coverage | RA | C | I |", "| Abdeckung prüfen | RA | C | C |"
    )
    result = consistency({"en": page(TEAMS), "de": page(german)})

    (disagreement,) = result.disagreements
    assert (disagreement.section, disagreement.position) == ("Alerting", 3)
    assert result.missing == ()


def test_consistency_command_on_docusaurus_paths(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in I18N.rglob("raci.md"))
    with pytest.raises(SystemExit) as done:
        main(["consistency", "--format", "json", *files])
    data = json.loads(capsys.readouterr().out)

    assert done.value.code == 0
    assert (data["disagreements"], data["missing"]) == ([], [])
    assert {"en", "de", "es", "it"} <= set(data["locales"])


# --- the scheduled pipeline on a page from another provider -----------------------------------


def test_run_on_a_renamed_provider_page(tmp_path: Path) -> None:
    """Two real revisions in git, the provider named in the config: the changelog records the
    rename and the reworded rows, and no responsibility shift."""
    repo = GitRepo(tmp_path / "upstream")
    for revision in sorted(AUCLOUD.glob("2*.md")):
        repo.save("docs/shared_service_model.md", revision.read_bytes())
    config = tmp_path / "raci-tracker.toml"
    config.write_text(
        '[[documents]]\nid = "aucyber"\nrepo = "upstream"\npath = "docs/shared_service_model.md"\n'
        'locales = ["en"]\nprovider = ["AUCyber", "AUCloud"]\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as done:
        main(["run", "--config", str(config)])
    changelog = next((tmp_path / "reports").rglob("CHANGELOG.md")).read_text("utf-8")

    assert done.value.code == 0
    assert "party renamed: AUCloud (IaaS) → AUCyber (IaaS)" in changelog
    assert "moved from" not in changelog
