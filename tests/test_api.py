"""The public Python API: the README's example runs, and each named use case works on a real
git history built in a temporary folder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import raci_tracker
from raci_tracker import (
    ChangeKind,
    InputError,
    consistency,
    diff_snapshots,
    matrix_in_force,
    net_change_since,
    page_history,
    parse_page,
    run_config,
)
from tests.diligence_history import noon
from tests.gitrepo import GitRepo
from tests.helpers import CORPUS, TESTS, corpus_page

OLD = "block-storage/fr-fr/unknown__3217656.md"
NEW = "block-storage/fr-fr/unknown__025ffae.md"
PAGE = "pages/block-storage/guide.fr-fr.md"


def readme_example(index: int = 0) -> str:
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) > index, f"README.md has no ```python example number {index + 1}"
    return str(blocks[index])


def test_the_readme_example_runs_and_prints_the_changes(tmp_path: Path) -> None:
    example = readme_example()
    (tmp_path / "old.md").write_bytes(corpus_page(OLD))
    (tmp_path / "new.md").write_bytes(corpus_page(NEW))

    done = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, check=True
    )

    assert len([line for line in example.splitlines() if line.strip()]) == 5
    assert "major 3.1.1 Administrer les données ('activity-added',)" not in done.stdout
    assert "major 3.1.1 Administrer les données" in done.stdout
    assert done.stdout.count("\n") == len(
        diff_snapshots(parse_page(corpus_page(OLD)), parse_page(corpus_page(NEW))).changes
    )


def test_the_readme_net_change_example_runs_on_a_page_history(tmp_path: Path) -> None:
    """The README's second example, as written: `page_history(...).revisions` into
    `net_change_since`, on a repository at the path it names."""
    repo = GitRepo(tmp_path / "path/to/docs")
    repo.write("pages/guide.fr-fr.md", corpus_page(OLD))
    repo.commit("first", at=noon("2022-06-01"))
    repo.write("pages/guide.fr-fr.md", corpus_page(NEW))
    moved = repo.commit("second", at=noon("2023-03-01"))

    done = subprocess.run(
        [sys.executable, "-c", readme_example(1)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )

    lines = done.stdout.splitlines()
    assert lines and all(f"['{moved[:12]}']" in line for line in lines)
    assert any(line.startswith("Administrer les données ('2023-03-01',)") for line in lines)


def test_parse_page_takes_text_as_well_as_bytes() -> None:
    data = corpus_page(NEW)

    assert parse_page(data.decode("utf-8"), path="p.md") == parse_page(data, path="p.md")


def test_all_lists_importable_names_and_nothing_else() -> None:
    assert set(raci_tracker.__all__) == {"__version__", *raci_tracker._EXPORTS}
    for name in raci_tracker.__all__:
        assert getattr(raci_tracker, name) is not None, name
    assert set(raci_tracker.__all__) <= set(dir(raci_tracker))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = raci_tracker.nothing_here


def test_importing_the_package_loads_no_third_party_library() -> None:
    code = (
        "import sys, raci_tracker; "
        "print(sorted(m for m in ('git', 'jinja2', 'deepdiff', 'markdown_it', 'yaml') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert done.stdout.strip() == "[]"


@pytest.fixture
def upstream(tmp_path: Path) -> GitRepo:
    """Three real Block Storage fr-fr revisions, dated by hand in their front matter and
    committed at noon (UTC) that day."""
    repo = GitRepo(tmp_path / "upstream")
    for name, date in (
        ("unknown__06a3e6f.md", "2022-11-01"),
        ("unknown__3217656.md", "2022-11-22"),
        ("unknown__025ffae.md", "2022-11-24"),
    ):
        text = (CORPUS / "block-storage/fr-fr" / name).read_text("utf-8")
        text = text.replace("\ntitle:", f"\nupdated: {date}\ntitle:", 1)
        repo.write(PAGE, text)
        repo.commit(date, at=noon(date))
    return repo


def test_history_then_net_change_since_and_matrix_in_force(upstream: GitRepo) -> None:
    listing = page_history(str(upstream.root), PAGE)
    revisions = listing.revisions

    round_trip = net_change_since(revisions, "2022-11-01")
    net = net_change_since(revisions, "2022-11-22", "2022-11-30")
    at_start = matrix_in_force(revisions, "2022-11-23")

    assert [r.date for r in revisions] == ["2022-11-01", "2022-11-22", "2022-11-24"]
    # the 11-24 text restores the 11-01 one: over the whole span, nothing moved
    assert round_trip.start is not None
    assert (round_trip.start.date, round_trip.end.date) == ("2022-11-01", "2022-11-24")
    assert not round_trip.diff.has_shifts
    added = [c.change.activity for c in net.cited if c.change.kind is ChangeKind.ACTIVITY_ADDED]
    assert "Administrer les données" in added
    assert {ref.commit for c in net.cited for ref in c.commits} == {revisions[2].ref.commit}
    assert at_start.date == "2022-11-22"
    assert matrix_in_force(revisions).date == "2022-11-24"
    assert at_start.ref.commit == revisions[1].ref.commit
    with pytest.raises(InputError, match="the page did not exist yet on 2021-01-01"):
        matrix_in_force(revisions, "2021-01-01")
    with pytest.raises(InputError, match="not a YYYY-MM-DD date"):
        net_change_since(revisions, "last week")
    with pytest.raises(InputError, match="no revision"):
        net_change_since([], "2022-11-01")


def test_consistency_of_two_locales() -> None:
    pages = {
        locale: parse_page(corpus_page(f"logs-data-platform/{locale}/2023-01-26__08070d4.md"))
        for locale in ("en-gb", "fr-fr")
    }

    result = consistency(pages)

    assert result.locales == ("en-gb", "fr-fr")
    assert (result.disagreements, result.missing, result.skew) == ((), (), ())


def test_run_config_writes_snapshots_reports_and_the_last_run(
    upstream: GitRepo, tmp_path: Path
) -> None:
    config = tmp_path / "raci-tracker.toml"
    config.write_text(
        f'[[documents]]\nid = "block-storage"\nrepo = "upstream"\npath = "{PAGE}"\n'
        'locales = ["fr-fr"]\n',
        encoding="utf-8",
    )

    outcome = run_config(config)
    again = run_config(config)

    assert [p.changed_dates for p in outcome.summary.pages] == [
        ["2022-11-01", "2022-11-22", "2022-11-24"]
    ]
    assert outcome.shift_count > 0
    assert (tmp_path / "reports/block-storage/fr-fr/CHANGELOG.md").exists()
    assert (tmp_path / "reports/last-run.json").exists()
    assert again.summary.pages[0].changed_dates == []
    assert (again.alerts, again.reports_written) == ([], 0)


def test_run_config_records_its_alerts_so_a_run_with_nothing_new_renders_nothing(
    upstream: GitRepo, tmp_path: Path
) -> None:
    config = tmp_path / "raci-tracker.toml"
    config.write_text(
        f'[[documents]]\nid = "block-storage"\nrepo = "upstream"\npath = "{PAGE}"\n'
        'locales = ["fr-fr"]\n',
        encoding="utf-8",
    )
    run_config(config)
    row = "| Choisir la gamme de Block Storage en fonction des besoins (Classic, High speed, ...) |"
    text = (
        (upstream.root / PAGE)
        .read_text("utf-8")
        .replace("updated: 2022-11-24", "updated: 2022-12-01")
    )
    upstream.write(PAGE, text.replace(f"{row} RA | I |", f"{row} I | RA |"))
    upstream.commit("OVHcloud takes the choice of range", at=noon("2022-12-01"))

    shifted = run_config(config)
    after = run_config(config)

    assert shifted.alert_count > 0
    assert after.alerts == []
    assert after.pages == ()  # the reports were marked current once the alerts were recorded
