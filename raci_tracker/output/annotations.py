"""`lint --format github`: findings as GitHub Actions workflow commands, which the runner shows as
annotations on the file and line of a pull request.

Escaping follows the runner's rules: in the message, `%`, `\\r` and `\\n`; in a property value,
also `:` and `,` (they separate properties). Without it a page line could end the command early or
inject a second one.
"""

from __future__ import annotations

from collections.abc import Sequence

from raci_tracker.model import Finding, Severity, Snapshot

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(path: str, finding: Finding) -> str:
    """One `::error file=…,line=…,title=…::message` line."""
    properties = [f"file={escape_property(path)}"]
    if finding.line:
        properties.append(f"line={finding.line}")
    properties.append(f"title={escape_property(f'raci-tracker {finding.rule}')}")
    command = COMMANDS[finding.severity]
    return f"::{command} {','.join(properties)}::{escape_data(finding.message)}"


def unreadable_annotation(path: str, message: str, line: int | None) -> str:
    """A file lint could not read, as an error annotation on it."""
    return annotation(path, Finding("unreadable", Severity.ERROR, line, message))


def github_annotations(results: Sequence[tuple[str, Snapshot]]) -> str:
    return "".join(
        f"{annotation(path, finding)}\n"
        for path, snapshot in results
        for finding in snapshot.findings
    )
