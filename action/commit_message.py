"""The commit message of a tracking run: which pages took in which revisions, with their counts.

Usage: python commit_message.py reports/last-run.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SUBJECT_WIDTH = 72


def message(last_run: Path) -> str:
    data = json.loads(last_run.read_text("utf-8")) if last_run.exists() else {"pages": []}
    moved = [page for page in data["pages"] if page["new_revisions"]]
    if not moved:
        return "Track RACI pages: checked, nothing moved"
    names = ", ".join(f"{page['document']} {page['locale']}" for page in moved)
    subject = f"Track RACI pages: {names}"
    if len(subject) > SUBJECT_WIDTH:
        subject = f"Track RACI pages: {len(moved)} pages took in new revisions"
    lines = [
        f"- {p['document']} {p['locale']}: {', '.join(p['new_revisions'])} "
        f"({p['changes']['major']} major, {p['changes']['minor']} minor, "
        f"{p['changes']['editorial']} editorial)"
        for p in moved
    ]
    return "\n".join([subject, "", *lines])


if __name__ == "__main__":
    print(message(Path(sys.argv[1])))
