"""Printing keeps the whole record: a changelog and a compare report printed to PDF by Chromium
(`--print-to-pdf`), their text extracted by poppler's `pdftotext`, hold every table cell (every
column, on every page) and the text of every folded `<details>`."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_diligence import command, history  # noqa: F401 (the fixture)
from tests.test_report import browse


class _Cells(HTMLParser):
    """The text of each table cell and each line inside a `<details>`, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.current: list[str] | None = None
        self.in_details = 0
        self.in_footer = False
        self.footer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_details += tag == "details"
        self.in_footer = self.in_footer or tag == "footer"
        if tag in ("td", "th") or (tag in ("li", "summary") and self.in_details):
            self.current = []

    def handle_endtag(self, tag: str) -> None:
        self.in_details -= tag == "details"
        if tag == "footer":
            self.texts.append("".join(self.footer))
            self.in_footer = False
        if tag in ("td", "th", "li", "summary") and self.current is not None:
            self.texts.append("".join(self.current))
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)
        if self.in_footer:
            self.footer.append(data)


def words(text: str) -> list[str]:
    """Words, hyphens dropped: a line may break at a hyphen, and pdftotext drops some."""
    return re.findall(r"\w+", text.replace("-\n", "").replace("-", "").casefold())


def in_order(wanted: list[str], found: list[str]) -> bool:
    """`wanted` appear in `found` in this order (a wrapped cell interleaves with its row)."""
    it = iter(found)
    return all(word in it for word in wanted)


def printed_text(page: Path, tmp_path: Path) -> list[str]:
    pdf = tmp_path / f"{page.stem}.pdf"
    browse(
        page, tmp_path / f"profile-{page.stem}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}"
    )
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler's pdftotext is needed (apt-get install poppler-utils)"
    done = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    )
    return words(done.stdout)


def expected(page: Path) -> list[str]:
    parser = _Cells()
    parser.feed(page.read_text("utf-8"))
    return [text for text in parser.texts if words(text)]


def assert_printed(page: Path, tmp_path: Path, *must: str) -> list[str]:
    found = printed_text(page, tmp_path)
    texts = expected(page)
    missing = [text for text in texts if not in_order(words(text), found)]
    assert not missing, missing
    for text in must:
        assert text in texts, text
    return texts


def test_a_changelog_and_a_compare_report_print_completely(
    history: dict[str, str],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    changelog = tmp_path / "reports/managed-kubernetes/fr-fr/CHANGELOG.html"
    code, html, _ = command(
        tmp_path,
        capsys,
        "compare",
        "--doc",
        "managed-kubernetes",
        "--from",
        "2023-07-06",
        "--format",
        "html",
    )
    report = tmp_path / "compare.html"
    report.write_text(html, encoding="utf-8")

    assert code == 0
    texts = assert_printed(
        changelog,
        tmp_path,
        "What changed",
        "After",
        "3.2.1 Incidents: Intervenir sur un tout incident affectant qui affecte le service Managed "
        "Kubernetes managé",
    )
    assert any(text.startswith("Responsibility changelog:") for text in texts)  # the footer
    texts = assert_printed(
        report,
        tmp_path,
        "After (all parties)",
        "What moved",
        "When",
        "Commit",
        "the customer RA, OVHcloud I",
    )
    assert sum("Intervenir sur tout incident qui affecte" in text for text in texts) == 1
    assert any("data as of 2023-11-15" in text for text in texts)
