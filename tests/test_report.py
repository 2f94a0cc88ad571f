"""Reports from a real history: golden changelog and feed, escaping, templates, a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.gitrepo import GitRepo
from tests.helpers import corpus_page, run_cli
from tests.site_checks import without_check_day

LDP = "pages/platform/logs-data-platform/responsibility-model/guide.{locale}.md"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = "<script>alert(1)</script> | `x` @everyone [link](javascript:alert(2)) & more"


@pytest.fixture
def tracked(tmp_path: Path) -> Path:
    """Logs Data Platform fr-fr as it was published (July 2022, January 2023 and a silent edit
    of the same date), and a crafted page whose activity text is hostile."""
    repo = GitRepo(tmp_path / "upstream")
    for name in ("unknown__93f68c9", "unknown__bfe2525", "2023-01-26__08070d4"):
        repo.save(LDP.format(locale="fr-fr"), corpus_page(f"logs-data-platform/fr-fr/{name}.md"))
    hostile = "| Activity | Customer | OVHcloud |\n| --- | --- | --- |\n"
    section = "X <i>*y*</i> @here"
    repo.save(
        "hostile.en-gb.md",
        f"---\nupdated: 2024-01-01\n---\n### 1. {section}\n\n{hostile}| Safe | RA | I |\n",
    )
    repo.save(
        "hostile.en-gb.md",
        f"---\nupdated: 2024-02-01\n---\n### 1. {section}\n\n{hostile}"
        f"| Safe | I | RA |\n| {HOSTILE.replace('|', chr(92) + '|')} | RA | I |\n",
    )
    (tmp_path / "raci-tracker.toml").write_text(
        f"""\
[[documents]]
id = "logs-data-platform"
repo = "upstream"
path = "{LDP}"
locales = ["fr-fr"]
permalink = "https://github.com/ovh/docs/blob/{{commit}}/{{path}}"

[[documents]]
id = "hostile"
repo = "upstream"
path = "hostile.{{locale}}.md"
locales = ["en-gb"]
""",
        encoding="utf-8",
    )
    return tmp_path


def test_golden_markdown_changelog_and_feed(
    tracked: Path, golden: Callable[[str, bytes], None], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("run", "--config", str(tracked / "raci-tracker.toml")) == 0
    capsys.readouterr()
    reports = tracked / "reports"

    golden(
        "reports/logs-data-platform-fr-fr-CHANGELOG.md",
        (reports / "logs-data-platform/fr-fr/CHANGELOG.md").read_bytes(),
    )
    golden("reports/feed.xml", (reports / "feed.xml").read_bytes())
    golden("reports/index.md", without_check_day((reports / "index.md").read_bytes()))


def test_changelog_content(tracked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Newest first, the transfer in plain words, the silent edit flagged, the first record."""
    run_cli("run", "--config", str(tracked / "raci-tracker.toml"))
    capsys.readouterr()
    text = (tracked / "reports/logs-data-platform/fr-fr/CHANGELOG.md").read_text("utf-8")

    assert text.index("## 2023-01-26") < text.index("## 2022-07-28 (first record)")
    assert (
        "**OVHcloud gave up A and R on 1 activity and gained A and R on 1 activity; the customer "
        "gained A and R on 2 activities; 2 activities added.**"
    ) in text
    assert "R and A moved from OVHcloud to the customer" in text
    assert "**Silent edit** in commit" in text
    assert "~~Ensure~~ **Manage** network accessibility of the Platform" in text
    assert "](https://github.com/ovh/docs/blob/" in text
    assert "How to read this page" in text


def test_atom_feed_is_valid(tracked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """RFC 4287's required elements, unique ids, RFC 3339 times, escaped HTML content."""
    run_cli("run", "--config", str(tracked / "raci-tracker.toml"))
    capsys.readouterr()
    feed = ET.parse(tracked / "reports/feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

    assert feed.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{element}") is not None
    assert len(entries) == 2  # LDP January 2023 and the hostile page's February revision
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    for entry in entries:
        assert stamp.match(entry.findtext(f"{ATOM}updated") or "")
        assert entry.findtext(f"{ATOM}title")
        content = entry.find(f"{ATOM}content")
        assert content is not None
        assert content.get("type") == "html"
    hostile = next(e for e in entries if "hostile" in (e.findtext(f"{ATOM}id") or ""))
    assert "&lt;script&gt;" in (hostile.findtext(f"{ATOM}content") or "")


def test_hostile_text_is_escaped_everywhere(
    tracked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli("run", "--config", str(tracked / "raci-tracker.toml"))
    capsys.readouterr()
    reports = tracked / "reports/hostile/en-gb"
    markdown = (reports / "CHANGELOG.md").read_text("utf-8")
    html = (reports / "CHANGELOG.html").read_text("utf-8")

    assert "<script>" not in markdown
    assert (
        r"\<script\>alert(1)\</script\> \| x \@everyone \[link\](javascript:alert(2)) & more"
        in markdown
    )
    assert "<script" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; | x @everyone [link](javascript:alert(2)) &amp; more"
        in html
    )
    section = r"| 1 X \<i\>y\</i\> \@here |"  # the section by number and title, escaped
    table_rows = [line for line in markdown.splitlines() if line.startswith(section)]
    assert len(table_rows) == 3
    assert all(len(re.split(r"(?<!\\)\|", line)) == 8 for line in table_rows)  # six cells
    assert html.count("<td>1 X &lt;i&gt;y&lt;/i&gt; @here</td>") == 3


def test_user_templates_override_and_extend_the_built_ins(
    tracked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A template folder in the config: same name overrides, `builtin/` extends."""
    templates = tracked / "templates"
    templates.mkdir()
    (templates / "CHANGELOG.md.j2").write_text(
        '{% extends "builtin/CHANGELOG.md.j2" %}{% block legend %}Our own legend.{% endblock %}\n',
        encoding="utf-8",
    )
    config = tracked / "raci-tracker.toml"
    config.write_text(
        '[output]\ntemplates = "templates"\n\n' + config.read_text("utf-8"), encoding="utf-8"
    )
    run_cli("run", "--config", str(config))
    capsys.readouterr()
    text = (tracked / "reports/logs-data-platform/fr-fr/CHANGELOG.md").read_text("utf-8")

    assert "Our own legend." in text
    assert "How to read this page" not in text
    assert "## 2022-07-28 (first record)" in text


def test_report_renders_from_the_store_without_git(
    tracked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tracked / "raci-tracker.toml"
    run_cli("run", "--config", str(config))
    changelog = tracked / "reports/logs-data-platform/fr-fr/CHANGELOG.md"
    before = changelog.read_bytes()
    shutil.rmtree(tracked / "upstream")
    changelog.unlink()

    code = run_cli("report", "--config", str(config))

    assert code == 0
    assert changelog.read_bytes() == before
    assert "report file(s) written" in capsys.readouterr().out


# --- in a real browser --------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium() -> str:
    found = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    assert found, "Debian's chromium is needed for the browser test (apt-get install chromium)"
    return found


def browse(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_html_changelog_in_a_real_browser(
    tracked: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Chromium renders it with no console message, and the hostile activity is plain text."""
    run_cli("run", "--config", str(tracked / "raci-tracker.toml"))
    capsys.readouterr()
    page = tracked / "reports/hostile/en-gb/CHANGELOG.html"
    screenshot = tmp_path / "changelog.png"

    dom = browse(page, tmp_path / "profile-dom", "--dump-dom")
    shot = browse(
        page, tmp_path / "profile-shot", f"--screenshot={screenshot}", "--window-size=1280,1600"
    )

    for done in (dom, shot):
        assert "CONSOLE" not in done.stderr, done.stderr
    assert "<script" not in dom.stdout.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout
    assert "<td>" in dom.stdout
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 10_000


def test_hostile_text_is_escaped_on_the_page_home(
    tracked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli("run", "--config", str(tracked / "raci-tracker.toml"))
    capsys.readouterr()
    home = tracked / "reports/hostile/en-gb"
    markdown, html = (
        (home / "index.md").read_text("utf-8"),
        (home / "index.html").read_text("utf-8"),
    )

    assert "<script" not in html
    assert "<script>" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert r"\<script\>alert(1)\</script\> \| x \@everyone" in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "alert" in line]
    assert len(rows) == 1 and len(re.split(r"(?<!\\)\|", rows[0])) == 5  # three cells
