"""`lint --format github`: workflow commands the runner turns into annotations, escaped so page
text can neither end a command early nor start another."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raci_tracker.cli import main
from raci_tracker.model import Finding, Severity
from raci_tracker.output.annotations import annotation, escape_data, escape_property
from tests.helpers import corpus_page

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


@given(st.text())
def test_escaped_text_is_one_line_and_reads_back(text: str) -> None:
    data, prop = escape_data(text), escape_property(text)

    assert "\n" not in data and "\r" not in data
    assert not {":", ",", "\n", "\r"} & set(prop)
    assert _unescape(data) == text and _unescape(prop) == text


def _unescape(text: str) -> str:
    pairs = {"%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ",", "%25": "%"}
    return re.sub("%(0D|0A|3A|2C|25)", lambda m: pairs[m.group(0)], text)


def test_a_hostile_finding_stays_one_annotation() -> None:
    finding = Finding("odd-cell", Severity.WARNING, 12, "cell `X`\n::error::injected 100%")

    line = annotation("docs/a,b:c.md", finding)

    assert line == (
        "::warning file=docs/a%2Cb%3Ac.md,line=12,title=raci-tracker odd-cell::"
        "cell `X`%0A::error::injected 100%25"
    )


def test_lint_format_github_on_a_real_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "guide.fr-fr.md"
    page.write_bytes(corpus_page("managed-kubernetes/fr-fr/2023-07-06__seed.md") + b"| x | ? |\n")

    with pytest.raises(SystemExit):
        main(["lint", str(page), "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    with pytest.raises(SystemExit):
        main(["lint", str(page), "--format", "json"])
    findings = [
        f for file in json.loads(capsys.readouterr().out)["files"] for f in file["findings"]
    ]

    assert lines and len(lines) == len(findings)
    for line, finding in zip(lines, findings, strict=True):
        match = COMMAND.match(line)
        assert match, line
        assert (
            match.group(1)
            == {"error": "error", "warning": "warning", "info": "notice"}[finding["severity"]]
        )
        assert f"file={escape_property(str(page))}" in match.group(2)
        assert _unescape(match.group(3)) == finding["message"]


def test_an_unreadable_file_is_an_error_annotation_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "guide.fr-fr.md"
    page.write_bytes("caf\xe9 | a,b\n".encode("latin-1"))

    with pytest.raises(SystemExit) as done:
        main(["lint", str(page), "--format", "github"])
    captured = capsys.readouterr()

    assert done.value.code == 2
    assert captured.out == (
        f"::error file={escape_property(str(page))},line=1,title=raci-tracker unreadable::"
        "is not UTF-8 text (byte 3)\n"
    )
    assert "is not UTF-8 text" in captured.err
