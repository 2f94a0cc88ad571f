"""The files a run keeps in the reports folder beside the reports, and the status they give the
site: what a run with nothing new reads, so it imports no renderer.

- `status.json`: the day the tracker last checked and the upstream head of each repository;
  rewritten only when a head moved or the last write is a week old, so a run with nothing new
  changes no file, yet the repository sees the tracker is alive.
- `last-run.json`: what the last run that did something took in (`output.views`), among it the
  pages it failed on.
- `alerted.json`, `awaiting-ack.json`: the alerts' records (`output.alerts`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from raci_tracker.codec import dumps
from raci_tracker.errors import InputError
from raci_tracker.files import write_atomic

ALERTED = "alerted.json"
AWAITING = "awaiting-ack.json"
LAST_RUN = "last-run.json"
STATUS = "status.json"
STATUS_SCHEMA = 1
HEARTBEAT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class SiteStatus:
    """What the pages say beyond the store: pages the last run failed on, and the day the
    tracker last checked upstream (None where unknown)."""

    failed: Mapping[tuple[str, str], str] = field(default_factory=dict)
    checked: str | None = None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def read_status(reports: Path) -> SiteStatus:
    """The status the reports folder records: `last-run.json`'s failed pages, `status.json`'s
    last check. Missing or unreadable files say nothing (the site renders without them)."""
    last_run, status = _read_json(reports / LAST_RUN), _read_json(reports / STATUS)
    pages = last_run.get("pages", []) if isinstance(last_run, dict) else []
    failed = {
        (str(p.get("document")), str(p.get("locale"))): str(p.get("error") or "failed")
        for p in pages
        if isinstance(p, dict) and p.get("status") == "failed"
    }
    return SiteStatus(failed, _checked(status))


def read_checked(reports: Path) -> str | None:
    """The day `status.json` says the tracker last checked upstream (None: unknown); unlike
    `read_status`, it leaves `last-run.json` (which a large first run makes large) unread."""
    return _checked(_read_json(reports / STATUS))


def _checked(status: Any) -> str | None:
    checked = status.get("checked") if isinstance(status, dict) else None
    return checked if isinstance(checked, str) else None


def write_heartbeat(reports: Path, heads: Mapping[str, str], now: datetime) -> bool:
    """`status.json`: last check and upstream heads, when a head moved or a week went by."""
    path = reports / STATUS
    recorded = _read_heartbeat(path)
    previous = recorded.get("repositories") if recorded is not None else None
    merged = {**(previous or {}), **heads}
    stale = _age(recorded.get("checked") if recorded else None, now) >= HEARTBEAT
    if merged == previous and not stale:
        return False
    # the day, not the time: two runs of one day write the same file
    data = {"schema": STATUS_SCHEMA, "checked": now.date().isoformat(), "repositories": merged}
    return write_atomic(path, dumps(data))


def read_record(
    path: Path, key: str, schema: int, readable: Sequence[int] = ()
) -> dict[str, Any] | None:
    """A record the run keeps beside the reports, None when it does not exist; a damaged one,
    of a schema other than `schema` (or one of `readable`) or without `key`, is an error."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise InputError(f"cannot be read ({error}); fix or remove it", path=str(path)) from None
    if (
        not isinstance(data, dict)
        or key not in data
        or data.get("schema") not in (schema, *readable)
    ):
        raise InputError(f"is not a schema {schema} record with {key!r}", path=str(path))
    return data


def _read_heartbeat(path: Path) -> dict[str, Any] | None:
    """`status.json`, None when it does not exist; a damaged file is an error."""
    return read_record(path, "repositories", STATUS_SCHEMA)


def _age(checked: Any, now: datetime) -> timedelta:
    """How long ago `checked` (a `YYYY-MM-DD` day) was; forever when missing or unreadable."""
    try:
        return now.date() - date.fromisoformat(str(checked))
    except ValueError:
        return timedelta.max
