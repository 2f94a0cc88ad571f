"""The site in a real browser: the index, a page home, a changelog and the consistency grid render
in headless Chromium with no console message, light and dark."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from raci_tracker.cli import main
from tests.test_diligence_print import assert_printed, in_order, printed_text, words
from tests.test_report import browse
from tests.test_site import build_site

PAGES = ("index.html", "ldp/fr-fr/index.html", "long/en-gb/CHANGELOG.html", "ldp/consistency.html")
DARK = ("--force-dark-mode", "--blink-settings=preferredColorScheme=0")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = build_site(tmp_path_factory.mktemp("browser-site"))
    with pytest.raises(SystemExit):
        main(["run", "--config", str(site / "raci-tracker.toml"), "--no-progress"])
    return site / "reports"


def corner(png: bytes) -> tuple[int, ...]:
    """The top-left pixel's colour: on the first row every PNG filter leaves the first pixel as
    is, so decompressing the image data is enough."""
    assert png[12:16] == b"IHDR"
    channels = {2: 3, 6: 4}[png[25]]
    data, at = b"", 8
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        if png[at + 4 : at + 8] == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += length + 12
    return tuple(zlib.decompress(data)[1 : 1 + channels][:3])


def screenshot(page: Path, shot: Path, profile: Path, *extra: str) -> None:
    done = browse(page, profile, f"--screenshot={shot}", "--window-size=1280,1400", *extra)
    assert "CONSOLE" not in done.stderr, (page, done.stderr)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("name", PAGES)
def test_site_page_in_a_real_browser(reports: Path, tmp_path: Path, name: str) -> None:
    page = reports / name
    dom = browse(page, tmp_path / "dom", "--dump-dom")

    assert "CONSOLE" not in dom.stderr, dom.stderr
    assert "<script" not in dom.stdout.lower()
    assert "All pages" in dom.stdout or name == "index.html"
    if name == PAGES[1]:
        assert "<svg" in dom.stdout and "<polyline" in dom.stdout
    screenshot(page, tmp_path / "light.png", tmp_path / "light")
    assert corner((tmp_path / "light.png").read_bytes()) == (255, 255, 255)


def test_site_in_dark_mode(reports: Path, tmp_path: Path) -> None:
    for index, name in enumerate(PAGES[1::2]):
        shot = tmp_path / f"dark-{index}.png"
        screenshot(reports / name, shot, tmp_path / f"p{index}", *DARK)
        assert corner(shot.read_bytes()) == (13, 17, 23)  # the dark background, #0d1117


def test_a_home_prints_completely(reports: Path, tmp_path: Path) -> None:
    """Printed to PDF, every cell of the matrix is on paper, with the footer."""
    texts = assert_printed(reports / "ldp/fr-fr/index.html", tmp_path)

    assert any("Choose service location" in text for text in texts)
    assert any(text.startswith("Logs Data Platform") for text in texts)  # the footer


def test_the_consistency_grid_prints_its_differences(reports: Path, tmp_path: Path) -> None:
    """(pdftotext runs two columns together where a cell breaks a line at a hyphen, so the
    cells that say what differs are checked word by word.)"""
    found = printed_text(reports / "ldp/consistency.html", tmp_path)

    for text in (
        "letters differ Choose service location: Customer RA, OVHcloud I",
        "Choose service location: Customer I, OVHcloud RA",
        "missing in some locales Choose service offer: standard or enterprise",
        "missing",
    ):
        assert in_order(words(text), found), text
