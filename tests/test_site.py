"""The reports as a site: homes, activity histories, the grouped index, the consistency grid,
paged changelogs, navigation, the feed's base URL; links checked over the whole site."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from raci_tracker.app.run import _load_pages
from raci_tracker.config import load_config
from raci_tracker.output import render
from raci_tracker.output.activity import HOME_EVENTS
from raci_tracker.output.paging import PAGE_SIZE
from raci_tracker.output.site import Delivery, render_site
from tests.gitrepo import GitRepo
from tests.helpers import FIXTURES, corpus_page, run_cli
from tests.site_checks import broken_links, broken_markdown_links, parse_html, without_check_day

LDP = "pages/platform/logs-data-platform/responsibility-model/guide.{locale}.md"
ATOM = "{http://www.w3.org/2005/Atom}"
REVISIONS = PAGE_SIZE + 5


def synthetic(day: int, patch: tuple[str, str], rotate: str, letters: tuple[str, str]) -> str:
    return (
        f"---\ntitle: Long history\nupdated: 2020-{1 + day // 28:02d}-{1 + day % 28:02d}\n---\n"
        "## 1. Operate\n\n| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
        f"| Patch the OS | {patch[0]} | {patch[1]} |\n| {rotate} | {letters[0]} | {letters[1]} |\n"
    )


def long_history(repo: GitRepo) -> None:
    """30 revisions: Patch the OS flips each time; "Rotate keys" is reworded at the 4th, loses
    A to OVHcloud at the 7th; the 9th has a silent edit (C for the customer, then dropped)."""
    for i in range(REVISIONS):
        patch = ("RA", "I") if i % 2 == 0 else ("I", "RA")
        rotate = "Rotate keys" if i < 3 else "Rotate the keys"
        letters = ("RA", "I") if i < 6 else ("R", "A")
        if i == 8:
            repo.save("long.en-gb.md", synthetic(i, (patch[0] + "C", patch[1]), rotate, letters))
        repo.save("long.en-gb.md", synthetic(i, patch, rotate, letters))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return build_site(tmp_path)


def build_site(tmp_path: Path) -> Path:
    """LDP fr-fr as published, an en-gb crafted to disagree (a letter, a missing row, a later
    date), a long synthetic history, and a document whose repository is gone."""
    repo = GitRepo(tmp_path / "upstream")
    for name in ("unknown__93f68c9", "unknown__bfe2525", "2023-01-26__08070d4"):
        repo.save(LDP.format(locale="fr-fr"), corpus_page(f"logs-data-platform/fr-fr/{name}.md"))
    english = corpus_page("logs-data-platform/en-gb/2023-01-26__08070d4.md").decode("utf-8")
    english = english.replace(
        "| Choose service location | RA | I |", "| Choose service location | I | RA |"
    )
    english = english.replace("| Choose service offer: standard or enterprise | RA | I |\n", "")
    repo.save(
        LDP.format(locale="en-gb"), english.replace("updated: 2023-01-26", "updated: 2023-02-01")
    )
    long_history(repo)
    (tmp_path / "raci-tracker.toml").write_text(
        f"""\
[[documents]]
id = "ldp"
repo = "upstream"
path = "{LDP}"
locales = ["fr-fr", "en-gb"]
permalink = "https://github.com/ovh/docs/blob/{{commit}}/{{path}}"

[[documents]]
id = "long"
repo = "upstream"
path = "long.{{locale}}.md"
locales = ["en-gb"]

[[documents]]
id = "gone"
repo = "no-such-repository"
path = "page.{{locale}}.md"
locales = ["en-gb"]
""",
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for the tests that only read it."""
    site = build_site(tmp_path_factory.mktemp("site"))
    run_cli("run", "--config", str(site / "raci-tracker.toml"))
    return site / "reports"


def test_every_link_and_anchor_of_the_site_resolves(reports: Path) -> None:
    assert len(list(reports.rglob("*.html"))) == 11
    assert broken_links(reports) == []
    assert broken_markdown_links(reports) == []


def test_every_html_page_links_home(reports: Path) -> None:
    for path in reports.rglob("*.html"):
        if path.parent == reports:
            continue
        home = (reports / "index.html").resolve()
        links = [(path.parent / link).resolve() for link in parse_html(path).links]
        assert home in links, path


def test_golden_markdown_pages(reports: Path, golden: Callable[[str, bytes], None]) -> None:
    for name in (
        "index.md",
        "ldp/consistency.md",
        "ldp/fr-fr/index.md",
        "long/en-gb/index.md",
        "long/en-gb/CHANGELOG-1-25.md",
    ):
        text = without_check_day((reports / name).read_bytes())
        golden(f"site/{name.replace('/', '-')}", text)


def test_a_long_changelog_is_paged_and_linked(reports: Path) -> None:
    folder = reports / "long/en-gb"
    newest, archive = (
        (folder / "CHANGELOG.html").read_text("utf-8"),
        (folder / "CHANGELOG-1-25.html").read_text("utf-8"),
    )

    assert newest.count('<section id="revision-') == REVISIONS - PAGE_SIZE
    assert archive.count('<section id="revision-') == PAGE_SIZE
    assert 'href="CHANGELOG-1-25.html">Older revisions' in newest
    assert "<span>Revisions 26 to 30</span>" in newest
    assert 'href="CHANGELOG.html">Newest revisions' in archive
    assert "<span>Revisions 1 to 25</span>" in archive
    assert "Older revisions" not in archive
    assert "(first record)" in archive and "(first record)" not in newest
    assert sorted(p.name for p in folder.glob("CHANGELOG*.html")) == [
        "CHANGELOG-1-25.html",
        "CHANGELOG.html",
    ]


def test_an_activity_history_follows_it_through_a_rewording(reports: Path) -> None:
    home = (reports / "long/en-gb/index.md").read_text("utf-8")
    history = home.split("### Rotate the keys (1 Operate)")[1]

    assert "OVHcloud I → A" in history
    assert "the customer RA → R" in history
    assert "~~keys~~" not in history  # a word was inserted, none deleted
    assert "Rotate **the** keys" in history
    assert "first record: the customer RA, OVHcloud I" in history
    assert (
        history.index("I → A")
        < history.index("Rotate **the** keys")
        < history.index("first record")
    )


def test_a_long_activity_history_lists_its_newest_entries_and_counts_the_rest(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Patch the OS changes in every revision: its home lists the newest entries, says how many
    came before and where the changelog has them, and `history-of` still lists them all."""
    config = str(reports.parent / "raci-tracker.toml")
    capsys.readouterr()
    run_cli("history-of", "Patch the OS", "--config", config, "--doc", "long", "--format", "json")
    whole = json.loads(capsys.readouterr().out)["activities"][0]["changes"]
    for output_format in ("md", "html"):
        home = (reports / f"long/en-gb/index.{output_format}").read_text("utf-8")
        history = home.split("Patch the OS")[-1].split("Rotate the keys")[0]
        listed = re.findall(r"(?:- \[|<li><a href=\"[^\"]*\">)(\d{4}-\d\d-\d\d)", history)

        assert listed == [c["revision"] for c in reversed(whole)][:HOME_EVENTS]
        earlier = len(whole) - HOME_EVENTS
        newest_hidden = whole[earlier - 1]["revision"]
        assert f"{earlier} earlier entries, 2020-01-01 to {newest_hidden}: " in history
        assert f"CHANGELOG-1-25.{output_format}" in history.split("earlier entries")[1]
        assert "history-of" in history


def test_the_matrix_links_each_activity_to_its_history(reports: Path) -> None:
    page = parse_html(reports / "ldp/fr-fr/index.html")
    anchors = [link[1:] for link in page.links if link.startswith("#activity-")]

    activities = (reports / "ldp/fr-fr/index.html").read_text("utf-8").count("<tr><td>")
    assert len(anchors) == len(set(anchors)) == activities == 63
    assert set(anchors) <= page.ids
    html = (reports / "ldp/fr-fr/index.html").read_text("utf-8")
    assert '<h3 id="section-1">1.1 Specify service as needed</h3>' in html
    assert '<span class="role role-R">R</span><span class="role role-A">A</span>' in html


def test_a_home_goes_out_as_its_template_renders_it_its_timeline_too(
    reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long history's timeline has a mark per text: the home goes to the run's writer a few
    fragments at a time as its template renders it, and the picture too, never as one string."""
    config = load_config(reports.parent / "raci-tracker.toml")
    monkeypatch.setattr(render, "joined_in_pieces", iter)  # each fragment a piece of its own
    pieces: dict[str, list[str]] = {}

    def sink(files: Mapping[str, str | Iterable[str]]) -> None:
        pieces.update(
            (n, [text] if isinstance(text, str) else list(text)) for n, text in files.items()
        )

    render_site(config, _load_pages(config)[0], delivery=Delivery(sink=sink))

    home = pieces["long/en-gb/index.html"]
    assert "".join(home) == (reports / "long/en-gb/index.html").read_text("utf-8")
    assert not [piece for piece in home if "<svg" in piece and "</svg>" in piece]


def test_a_home_of_the_user_s_own_still_draws_the_timeline_with_its_macro(
    reports: Path, tmp_path: Path
) -> None:
    """A home template copied from an earlier version calls `_timeline.html.j2`'s `draw`
    macro: it draws the picture the built-in home includes."""
    folder = build_site(tmp_path)
    (folder / "mine").mkdir()
    (folder / "mine/home.html.j2").write_text(
        '{% import "builtin/_timeline.html.j2" as tl %}\n{{ tl.draw(view.timeline) }}\n',
        encoding="utf-8",
    )
    config = folder / "raci-tracker.toml"
    config.write_text('[output]\ntemplates = "mine"\n\n' + config.read_text("utf-8"), "utf-8")

    run_cli("run", "--config", str(config))

    home = (reports / "long/en-gb/index.html").read_text("utf-8")
    picture = home[home.index("<svg") : home.index("</p>", home.index("</svg>")) + len("</p>")]
    assert (folder / "reports/long/en-gb/index.html").read_text("utf-8") == picture + "\n"


def test_the_timeline_marks_each_text_by_severity_without_script(reports: Path) -> None:
    html = (reports / "long/en-gb/index.html").read_text("utf-8")
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    marks = root.findall(f"{ns}a")

    assert "<script" not in html.lower()
    assert len(marks) == REVISIONS + 1  # every revision and the silent edit
    silent = [m for m in marks if m.find(f"{ns}rect") is not None]
    assert len(silent) == 1
    assert "silent edit" in (silent[0].findtext(f"{ns}title") or "")
    shapes = [
        m.find(f"{ns}circle") if m.find(f"{ns}rect") is None else m.find(f"{ns}rect") for m in marks
    ]
    classes = [shape.get("class") for shape in shapes if shape is not None]
    assert classes[0] == "mark first"
    assert classes.count("mark major") == REVISIONS - 1
    lines = root.findall(f"{ns}polyline")
    assert {line.get("class") for line in lines} >= {
        "line A p0",
        "line R p0",
        "line A p1",
        "line R p1",
    }


def test_the_index_groups_locales_marks_failures_and_says_how_locales_compare(
    reports: Path,
) -> None:
    text = (reports / "index.md").read_text("utf-8")

    assert text.index("## Logs Data Platform - Responsibility model") < text.index(
        "[fr-fr](ldp/fr-fr/index.md)"
    )
    assert (
        "[Locales disagree: 1 row differs, 1 missing in some locales](ldp/consistency.md)" in text
    )
    assert "| [en-gb](gone/en-gb/index.md) **failed in the last run** | none yet |" in text
    html = (reports / "index.html").read_text("utf-8")
    assert 'class="failed"' in html


def test_consistency_markdown_renders_as_a_grid_on_github(reports: Path) -> None:
    """Rendered as GitHub would (tables, strikethrough): one table row per difference."""
    html = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .render((reports / "ldp/consistency.md").read_text("utf-8"))
    )
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    differs = [row for row in rows if "letters differ" in row]
    missing = [row for row in rows if "missing in some locales" in row]

    assert len(rows) == 1 + 63  # the header, then every row as aligned
    assert "<th>fr-fr</th>" in rows[0] and "<th>en-gb</th>" in rows[0]
    (row,) = differs
    assert (
        "Choose service location: Customer <strong>RA</strong>, OVHcloud <strong>I</strong>" in row
    )
    assert (
        "Choose service location: Customer <strong>I</strong>, OVHcloud <strong>RA</strong>" in row
    )
    (row,) = missing
    assert "Choose service offer" in row and "<td>missing</td>" in row
    assert "<strong>" not in "".join(r for r in rows if r not in differs)
    assert "<li>fr-fr: 2023-01-26</li>" in html and "<li>en-gb: 2023-02-01</li>" in html


def test_consistency_grid_highlights_differing_cells(reports: Path) -> None:
    html = (reports / "ldp/consistency.html").read_text("utf-8")

    assert html.count('<td class="differs">') == 2
    assert html.count('<td class="missing">missing</td>') == 1
    assert html.count("<tr>") == 1 + 63  # every aligned row, the agreeing ones unmarked
    assert "customer" not in re.sub(r"<[^>]+>", "", html).replace("the customer", "")


def test_base_url_makes_feed_links_absolute(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site / "raci-tracker.toml"
    config.write_text(
        '[output]\nbase_url = "https://example.org/raci"\n\n' + config.read_text("utf-8")
    )
    run_cli("run", "--config", str(config))
    capsys.readouterr()
    feed = ET.parse(site / "reports/feed.xml").getroot()

    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == "https://example.org/raci/feed.xml"
    hrefs = [link.get("href") or "" for link in feed.iter(f"{ATOM}link")]
    assert hrefs and all(href.startswith("https://") for href in hrefs)
    assert "https://example.org/raci/long/en-gb/CHANGELOG-1-25.html#revision-2020-01-03" in hrefs


def test_without_base_url_the_feed_has_no_self_link_and_still_validates(reports: Path) -> None:
    feed = ET.parse(reports / "feed.xml").getroot()

    assert feed.find(f"{ATOM}link[@rel='self']") is None
    for element in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{element}") is not None
    links = [link.get("href") or "" for link in feed.iter(f"{ATOM}link")]
    assert "long/en-gb/CHANGELOG.html#revision-2020-02-02" in links
    assert all((reports / link.split("#")[0]).is_file() for link in links if "://" not in link)


def test_a_run_with_nothing_new_changes_no_site_file(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """(A failing page is news: every run records it; here every page is readable.)"""
    config = site / "raci-tracker.toml"
    config.write_text(config.read_text("utf-8").split('[[documents]]\nid = "gone"')[0])
    run_cli("run", "--config", str(config))
    reports = site / "reports"
    before = {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in before}

    run_cli("run", "--config", str(site / "raci-tracker.toml"))
    capsys.readouterr()

    after = {p: p.read_bytes() for p in reports.rglob("*") if p.is_file()}
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in after} == stamps


def test_a_page_with_unnumbered_sections_and_its_histories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cloud Temple's IaaS matrix as published (four texts, sections named by their headings,
    parties "Rôle Client" and "Rôle Cloud Temple"): its home reads and every link resolves."""
    repo = GitRepo(tmp_path / "upstream")
    folder = FIXTURES / "external/cloud-temple-iaas"
    for text in sorted(folder.glob("20*.md")):
        repo.save("raci.fr.md", text.read_bytes())
    (tmp_path / "raci-tracker.toml").write_text(
        '[[documents]]\nid = "iaas"\nrepo = "upstream"\npath = "raci.{locale}.md"\n'
        'locales = ["fr"]\n',
        encoding="utf-8",
    )
    run_cli("run", "--config", str(tmp_path / "raci-tracker.toml"))
    capsys.readouterr()
    html = (tmp_path / "reports/iaas/fr/index.html").read_text("utf-8")

    assert '<h3 id="section-1">Définition votre besoin</h3>' in html
    assert "<th>Rôle Client</th><th>Rôle Cloud Temple</th>" in html
    assert broken_links(tmp_path / "reports") == []
    histories = html.split('id="histories"')[1]
    assert histories.count("first record") == html.count('<tr><td><a href="#activity-') - len(
        re.findall(r"added: ", histories)
    )


def test_the_index_says_when_upstream_was_last_checked(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The day comes from the run's heartbeat (`status.json`), which a run rewrites only when
    upstream moved or a week went by, so rendering again changes nothing."""
    config = str(site / "raci-tracker.toml")
    run_cli("run", "--config", config)
    today = datetime.now(UTC).date().isoformat()
    assert f"Last checked upstream: {today}." in (site / "reports/index.md").read_text("utf-8")
    status = json.loads((site / "reports/status.json").read_text("utf-8"))
    status["checked"] = "2026-11-29"
    (site / "reports/status.json").write_text(json.dumps(status), encoding="utf-8")

    run_cli("report", "--config", config)
    capsys.readouterr()

    assert "Last checked upstream: 2026-11-29." in (site / "reports/index.md").read_text("utf-8")
    assert "Last checked upstream: 2026-11-29." in (site / "reports/index.html").read_text("utf-8")
    index = (site / "reports/index.md").read_bytes()
    run_cli("report", "--config", config)
    assert (site / "reports/index.md").read_bytes() == index


def test_the_matrix_command_shows_sections_with_their_titles(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(reports.parent / "raci-tracker.toml")
    capsys.readouterr()
    run_cli("matrix", "--config", config, "--doc", "ldp", "--locale", "fr-fr", "--format", "md")
    text = capsys.readouterr().out

    assert "## 1.1 Specify service as needed\n\n| Activity | Customer | OVHcloud |\n" in text
    assert "| Choose service location | RA | I |\n" in text


def test_report_alone_marks_the_pages_the_last_run_failed_on(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report` reads no git: the failed page comes from `last-run.json`, so it renders the index
    the run wrote, byte for byte."""
    config = str(site / "raci-tracker.toml")
    run_cli("run", "--config", config)
    index = (site / "reports/index.md").read_bytes()
    (site / "reports/index.md").unlink()

    run_cli("report", "--config", config)
    capsys.readouterr()

    assert (site / "reports/index.md").read_bytes() == index
    assert b"**failed in the last run**" in index
