"""Take the README's screenshot of a page home from the sample's site.

    python scripts/screenshot_site.py [PAGE] [OUTPUT]

Runs `raci-tracker run` on the sample history (raci-tracker.toml and examples/) in a temporary
folder, then opens `reports/sample/PAGE/index.html` in Debian's headless Chromium (the browser
the tests use) and writes the screenshot to OUTPUT (default docs/images/page-home.png).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = "logs-data-platform/fr-fr"
OUTPUT = ROOT / "docs/images/page-home.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"]


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("Chromium is needed (apt-get install chromium)")


def main(page: str = PAGE, output: Path = OUTPUT) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copy(ROOT / "raci-tracker.toml", work)
        shutil.copytree(ROOT / "examples", work / "examples")
        run = [sys.executable, "-m", "raci_tracker", "run", "--no-progress"]
        subprocess.run(run, cwd=work, check=True, stdout=subprocess.DEVNULL)
        home = work / "reports/sample" / page / "index.html"
        output.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                browser(),
                *FLAGS,
                f"--user-data-dir={work / 'profile'}",
                f"--screenshot={output.resolve()}",
                "--window-size=1100,1500",
                home.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(f"wrote {output}")


if __name__ == "__main__":
    main(*sys.argv[1:2], *(Path(a) for a in sys.argv[2:3]))
