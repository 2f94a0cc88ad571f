"""Notifications through Apprise: the only module that imports it.

One Apprise URL per destination (Slack, Teams, Discord, email, ntfy, `json://` webhooks...). Each
URL is sent to on its own so one failing destination does not hide the others; a failure is
returned as a message naming the destination with its secrets masked, never raised.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable
from typing import Any

ENVIRONMENT = "RACI_TRACKER_NOTIFY"
"""Space-separated Apprise URLs, so secrets stay in CI secrets and out of the config."""


def notification_urls(options: Iterable[str], environ_value: str | None) -> list[str]:
    """`--notify` URLs, then the environment's, each once, in order."""
    urls = [*options, *(environ_value or "").split()]
    return list(dict.fromkeys(url.strip() for url in urls if url.strip()))


Body = Callable[[int], str]
"""The message's Markdown body in at most so many characters."""


def send(urls: Iterable[str], title: str, body: Body) -> list[str]:
    """Send one Markdown message to every URL, its body fitted to what each destination takes
    (Discord refuses more than 2,000 characters, 4,096 in an embed; SMS takes 160); the
    problems, one line per failed URL."""
    return [problem for url in urls if (problem := _send_one(url, title, body))]


def _send_one(url: str, title: str, body: Body) -> str | None:
    # Apprise's email plugin imports `imghdr`, deprecated since Python 3.11: not our warning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _notify(url, title, body)


def _notify(url: str, title: str, body: Body) -> str | None:
    import apprise  # noqa: PLC0415 - here, not at the top: importing it takes a quarter second

    service = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if service is None:
        return f"notification URL {_masked(url)} is malformed or not one Apprise knows"
    name = str(service.url(privacy=True)).split("?", 1)[0]  # type: ignore[no-untyped-call]
    capture = apprise.LogCapture(level=logging.WARNING, fmt="%(message)s")  # type: ignore[no-untyped-call]
    with capture as captured:
        sent = service.notify(
            body=body(_room(service, title)),
            title=title,
            body_format=apprise.NotifyFormat.MARKDOWN,
        )
    if sent:
        return None
    reason = " ".join(captured.getvalue().split()) or "no reason given"
    return f"notification to {name} failed: {reason}"


_TITLE_MARKUP = 32


def _room(service: Any, title: str) -> int:
    """The characters a destination takes in a body: less the title, and the markup Apprise puts
    around it (at most `<b>…</b><br />\r\n`), where the title shares them and leaves some (a
    pager's 80 characters do not hold the title: Apprise refuses an empty body)."""
    whole = int(service.body_maxlen)
    shared = service.title_maxlen <= 0 or service.overflow_amalgamate_title
    room = whole - (len(title) + _TITLE_MARKUP if shared else 0)
    return room if room > 0 else whole


def _masked(url: str) -> str:
    """Only the scheme of a URL Apprise could not read: the rest may hold a secret."""
    return f"{url.split('://', 1)[0]}://…" if "://" in url else "(without a scheme)"
