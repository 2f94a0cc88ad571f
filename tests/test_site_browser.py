"""The site in a real browser: the index, a page home, a changelog and the consistency grid render
in headless Chromium with no console message, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest

from raci_tracker.cli import main
from tests.test_report import browse
from tests.test_site import build_site

PAGES = ("index.html", "ldp/fr-fr/index.html", "long/en-gb/CHANGELOG.html", "ldp/consistency.html")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_site_pages_in_a_real_browser(tmp_path: Path, scheme: str) -> None:
    site = build_site(tmp_path / "site")
    with pytest.raises(SystemExit):
        main(["run", "--config", str(site / "raci-tracker.toml"), "--no-progress"])
    dark = (
        ("--force-dark-mode", "--blink-settings=preferredColorScheme=0") if scheme == "dark" else ()
    )

    for index, name in enumerate(PAGES):
        page = site / "reports" / name
        shot = tmp_path / f"{scheme}-{index}.png"
        dom = browse(page, tmp_path / f"dom-{index}", "--dump-dom", *dark)
        done = browse(
            page,
            tmp_path / f"shot-{index}",
            f"--screenshot={shot}",
            "--window-size=1280,1400",
            *dark,
        )

        for run in (dom, done):
            assert "CONSOLE" not in run.stderr, (name, run.stderr)
        assert "<script" not in dom.stdout.lower()
        assert "All pages" in dom.stdout or name == "index.html"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 10_000
    home = browse(site / "reports" / PAGES[1], tmp_path / "home", "--dump-dom", *dark)
    assert "<svg" in home.stdout and "<polyline" in home.stdout
