"""Why pages failed, as workflow annotations: one per reason, naming its pages, so a repository
that cannot be cloned is reported once with git's own words, not once per page.

Usage: python failure_reasons.py reports/last-run.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def escape(text: str) -> str:
    """The runner's escaping for a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def main(last_run: Path) -> None:
    if not last_run.exists():
        return
    reasons: dict[str, list[str]] = {}
    reason_of: dict[str, str] = {}
    for page in json.loads(last_run.read_text("utf-8"))["pages"]:
        if page["error"]:
            name = f"{page['document']} {page['locale']}"
            # the other pages of a repository that failed say "see <its first page>"
            reason = reason_of.get(page["error"].removeprefix("see "), page["error"])
            reason_of[name] = reason
            reasons.setdefault(reason, []).append(name)
    for reason, names in reasons.items():
        text = f"{reason} (pages: {', '.join(names)})"
        print(f"::error title=raci-tracker run::{escape(text)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
