"""An issue or comment body under GitHub's 65,536-character limit: cut at a line end, with a
link to the whole report.

Usage: python trim_body.py REPORT LINK OUTPUT
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 65536 - 1000  # room for the note


def trimmed(text: str, link: str) -> str:
    if len(text) <= LIMIT:
        return text
    text = text[: text.rfind("\n", 0, LIMIT) + 1]
    return f"{text}\n*This report is longer than an issue allows; [read it whole]({link}).*\n"


if __name__ == "__main__":
    report, link, output = sys.argv[1:]
    Path(output).write_text(trimmed(Path(report).read_text("utf-8"), link), encoding="utf-8")
